//! Bonus draw entries: a referrer who also entered the giveaway earns some per approved referral
//! credit, up to a cap (the rule is `vouch_core::rewards::bonus_entries`).
//!
//! Derived from the rewards ledger each time, never kept as a counter of its own: the ledger is
//! written exactly once per conversion and side (credit ids come from the conversion), under
//! redelivery and kill -9, so a count read from it cannot drift from it or be credited twice.

use std::collections::HashMap;

use vouch_core::referral::identity_email;
use vouch_core::rewards::{CreditState, Side};

use crate::backends::referrals::Referrals;
use crate::backends::Result;
use crate::campaigns::{Campaign, ReferralConfig};

/// `(per approved credit, at most)`, when the campaign gives bonus entries.
pub fn rule(cfg: &ReferralConfig) -> Option<(u32, u32)> {
    match (cfg.bonus_entries_per_conversion, cfg.max_bonus_entries) {
        (0, _) | (_, None | Some(0)) => None,
        (per, Some(max)) => Some((per, max)),
    }
}

/// Bonus entries per normalised mailbox identity (the one the entry limit and the referral
/// program use) for the whole campaign, from one read of its ledger. Identities that earned none
/// are absent; a campaign without a bonus gives an empty map. The draw weighs an entrant's
/// entries with the bonus of the entrant's identity, so a referrer who never entered gains
/// nothing from it.
pub async fn bonus_entries(store: &dyn Referrals, campaign: &Campaign) -> Result<HashMap<String, u32>> {
    let Some((per, max)) = campaign.referral.as_ref().and_then(rule) else {
        return Ok(HashMap::new());
    };
    let mut approved: HashMap<String, u64> = HashMap::new();
    for credit in store.list_credits(campaign.id()).await? {
        if credit.side == Side::Referrer && credit.state == CreditState::Approved {
            // The referrer-side credit's recipient is the referrer's mailbox.
            *approved.entry(identity_email(&credit.recipient)).or_default() += 1;
        }
    }
    Ok(approved
        .into_iter()
        .map(|(identity, n)| (identity, vouch_core::rewards::bonus_entries(n, per, max)))
        .filter(|(_, bonus)| *bonus > 0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_gives_bonus_entries_only_with_a_positive_rate_and_cap() {
        let cfg = |text: &str| {
            let file =
                format!("id = \"c\"\nname = \"C\"\n[referral]\nfriend_offer = \"x\"\nreferrer_reward = \"y\"\n{text}");
            crate::campaigns::parse(&file).unwrap().referral.unwrap()
        };
        assert_eq!(rule(&cfg("bonus_entries_per_conversion = 2\nmax_bonus_entries = 5")), Some((2, 5)));
        assert_eq!(rule(&cfg("")), None);
        assert_eq!(rule(&cfg("bonus_entries_per_conversion = 2\nmax_bonus_entries = 0")), None);
        assert_eq!(rule(&cfg("max_bonus_entries = 5")), None);
    }
}
