//! What a campaign shows the public: `GET /v1/campaigns/{campaign}`. Server-only settings
//! (secrets, allowed origins, rate limits) live in the server's config, never here.

use serde::{Deserialize, Serialize};

use crate::form::FormRules;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPublic {
    pub id: String,
    pub name: String,
    pub copy: Copy,
    pub form: FormRules,
    /// Present when the campaign runs a referral program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralOffer>,
}

/// The public side of a referral program: what each side gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralOffer {
    /// What a referred friend gets, e.g. "10 % off your first order".
    pub friend_offer: String,
    /// What the referrer gets per converted friend.
    pub referrer_reward: String,
    /// How long a friend's browser remembers the code.
    pub attribution_days: u32,
}

/// The words a merchant chooses for the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Copy {
    pub title: String,
    pub intro: String,
    pub submit_label: String,
    pub confirmed: String,
    pub terms_label: String,
    pub marketing_label: String,
}

impl Default for Copy {
    fn default() -> Self {
        Self {
            title: "Enter the giveaway".into(),
            intro: "Upload a photo of your receipt to take part.".into(),
            submit_label: "Enter now".into(),
            confirmed: "You're in! We've sent you a confirmation e-mail.".into(),
            terms_label: "I accept the terms and conditions.".into(),
            marketing_label: "Send me news and offers (optional).".into(),
        }
    }
}

/// Campaign ids appear in URLs and object keys: lowercase letters, digits and hyphens.
pub fn is_valid_campaign_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_ids_are_url_and_key_safe() {
        assert!(is_valid_campaign_id("summer-2026"));
        assert!(!is_valid_campaign_id("Summer"));
        assert!(!is_valid_campaign_id("../etc"));
        assert!(!is_valid_campaign_id(""));
    }
}
