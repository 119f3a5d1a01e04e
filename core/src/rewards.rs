//! Reward credits and the fraud rules that decide whether a credit is approved at once or waits
//! for a human. Pure functions: the worker gathers the facts, these decide.

use serde::{Deserialize, Serialize};

/// Who a credit rewards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Referrer,
    Friend,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Referrer, Side::Friend];

    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Referrer => "referrer",
            Side::Friend => "friend",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::BOTH.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditState {
    Pending,
    Approved,
    Denied,
}

impl CreditState {
    pub const fn as_str(self) -> &'static str {
        match self {
            CreditState::Pending => "pending",
            CreditState::Approved => "approved",
            CreditState::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Denied].into_iter().find(|v| v.as_str() == s)
    }

    /// The ledger only moves forward: pending → approved or denied, and never back.
    pub fn can_become(self, next: CreditState) -> bool {
        matches!((self, next), (CreditState::Pending, CreditState::Approved | CreditState::Denied))
    }
}

/// Why a credit waits for review instead of being approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The friend is the referrer (same mailbox identity, or the referrer's own device).
    SelfReferral,
    /// The friend used a throwaway mailbox.
    DisposableEmail,
    /// Too many conversions on this code, or from this client, in the window.
    Velocity,
    /// The referrer joined in a burst of joins from one client.
    JoinVelocity,
    /// The code belongs to another campaign.
    CodeOutsideCampaign,
    /// Reported by a browser, not by the merchant's back end.
    UnverifiedSource,
}

impl Flag {
    pub const fn code(self) -> &'static str {
        match self {
            Flag::SelfReferral => "self_referral",
            Flag::DisposableEmail => "disposable_email",
            Flag::Velocity => "velocity",
            Flag::JoinVelocity => "join_velocity",
            Flag::CodeOutsideCampaign => "code_outside_campaign",
            Flag::UnverifiedSource => "unverified_source",
        }
    }
}

/// What the worker knows about one conversion when it credits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversionFacts {
    /// `identity_email` of the referrer and of the friend.
    pub referrer_identity: String,
    pub friend_identity: String,
    pub friend_domain_disposable: bool,
    /// The converting browser carried the referrer's own progress token.
    pub friend_device_is_referrers: bool,
    pub code_in_campaign: bool,
    /// Conversions already recorded in the window, not counting this one.
    pub recent_on_code: u32,
    pub recent_from_client: u32,
    pub referrer_join_flagged: bool,
    /// Reported by the merchant's back end with its secret, not by a shopper's browser.
    pub from_merchant: bool,
    /// The campaign takes browser reports on trust, as if the merchant had sent them.
    pub browser_trusted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VelocityLimits {
    pub conversions_per_code_per_day: u32,
    pub conversions_per_client_per_day: u32,
    pub joins_per_client_per_hour: u32,
}

impl Default for VelocityLimits {
    fn default() -> Self {
        Self { conversions_per_code_per_day: 20, conversions_per_client_per_day: 5, joins_per_client_per_hour: 5 }
    }
}

/// Every rule the conversion breaks, in a stable order.
pub fn assess(facts: &ConversionFacts, limits: &VelocityLimits) -> Vec<Flag> {
    let mut flags = Vec::new();
    if facts.referrer_identity == facts.friend_identity || facts.friend_device_is_referrers {
        flags.push(Flag::SelfReferral);
    }
    if facts.friend_domain_disposable {
        flags.push(Flag::DisposableEmail);
    }
    // For a merchant's server-to-server report the "client" is the merchant's own server, which
    // reports every referred order: the per-client rule only makes sense for browsers.
    let client_over = !facts.from_merchant && facts.recent_from_client >= limits.conversions_per_client_per_day;
    if facts.recent_on_code >= limits.conversions_per_code_per_day || client_over {
        flags.push(Flag::Velocity);
    }
    if facts.referrer_join_flagged {
        flags.push(Flag::JoinVelocity);
    }
    if !facts.code_in_campaign {
        flags.push(Flag::CodeOutsideCampaign);
    }
    if !facts.from_merchant && !facts.browser_trusted {
        flags.push(Flag::UnverifiedSource);
    }
    flags
}

/// A credit's first state: approved when nothing is flagged, else pending with the reasons.
pub fn initial_state(flags: &[Flag]) -> (CreditState, Option<String>) {
    if flags.is_empty() {
        (CreditState::Approved, None)
    } else {
        (CreditState::Pending, Some(flags.iter().map(|f| f.code()).collect::<Vec<_>>().join(",")))
    }
}

/// Bonus draw entries a referrer who also entered the giveaway earns: `per` for each approved
/// referrer-side credit, at most `max`.
pub fn bonus_entries(approved: u64, per: u32, max: u32) -> u32 {
    let earned = approved.saturating_mul(u64::from(per));
    u32::try_from(earned.min(u64::from(max))).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean() -> ConversionFacts {
        ConversionFacts {
            referrer_identity: "anna@example.com".into(),
            friend_identity: "ben@example.com".into(),
            code_in_campaign: true,
            from_merchant: true,
            ..ConversionFacts::default()
        }
    }

    fn flags(f: ConversionFacts) -> Vec<Flag> {
        assess(&f, &VelocityLimits::default())
    }

    #[test]
    fn a_clean_conversion_is_approved_at_once() {
        assert_eq!(flags(clean()), vec![]);
        assert_eq!(initial_state(&[]), (CreditState::Approved, None));
    }

    #[test]
    fn referring_yourself_by_mailbox_or_by_device_is_flagged() {
        assert_eq!(
            flags(ConversionFacts { friend_identity: "anna@example.com".into(), ..clean() }),
            vec![Flag::SelfReferral]
        );
        assert_eq!(flags(ConversionFacts { friend_device_is_referrers: true, ..clean() }), vec![Flag::SelfReferral]);
    }

    #[test]
    fn a_disposable_friend_mailbox_is_flagged() {
        assert_eq!(flags(ConversionFacts { friend_domain_disposable: true, ..clean() }), vec![Flag::DisposableEmail]);
    }

    #[test]
    fn the_conversion_over_the_daily_limit_is_flagged_and_the_ones_before_it_are_not() {
        let limit = VelocityLimits::default().conversions_per_code_per_day;
        assert_eq!(flags(ConversionFacts { recent_on_code: limit - 1, ..clean() }), vec![]);
        assert_eq!(flags(ConversionFacts { recent_on_code: limit, ..clean() }), vec![Flag::Velocity]);
    }

    #[test]
    fn many_conversions_from_one_browser_client_are_flagged_but_not_from_the_merchants_server() {
        let per_client = VelocityLimits::default().conversions_per_client_per_day;
        let browser =
            ConversionFacts { recent_from_client: per_client, from_merchant: false, browser_trusted: true, ..clean() };
        assert_eq!(flags(browser.clone()), vec![Flag::Velocity]);
        assert_eq!(flags(ConversionFacts { from_merchant: true, browser_trusted: false, ..browser }), vec![]);
    }

    #[test]
    fn a_referrer_who_joined_in_a_burst_waits_for_review() {
        assert_eq!(flags(ConversionFacts { referrer_join_flagged: true, ..clean() }), vec![Flag::JoinVelocity]);
    }

    #[test]
    fn a_code_from_another_campaign_is_flagged() {
        assert_eq!(flags(ConversionFacts { code_in_campaign: false, ..clean() }), vec![Flag::CodeOutsideCampaign]);
    }

    #[test]
    fn a_browser_reported_conversion_waits_for_review_unless_the_campaign_trusts_browsers() {
        assert_eq!(flags(ConversionFacts { from_merchant: false, ..clean() }), vec![Flag::UnverifiedSource]);
        assert_eq!(flags(ConversionFacts { from_merchant: false, browser_trusted: true, ..clean() }), vec![]);
    }

    #[test]
    fn a_flagged_credit_stays_pending_with_every_reason() {
        let (state, reason) = initial_state(&[Flag::SelfReferral, Flag::Velocity]);
        assert_eq!(state, CreditState::Pending);
        assert_eq!(reason.as_deref(), Some("self_referral,velocity"));
    }

    #[test]
    fn credits_move_only_from_pending_to_a_final_state() {
        use CreditState::*;
        assert!(Pending.can_become(Approved));
        assert!(Pending.can_become(Denied));
        for (from, to) in
            [(Approved, Pending), (Approved, Denied), (Denied, Approved), (Denied, Pending), (Pending, Pending)]
        {
            assert!(!from.can_become(to), "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn bonus_entries_grow_per_approved_credit_up_to_the_cap() {
        assert_eq!(bonus_entries(0, 2, 5), 0);
        assert_eq!(bonus_entries(1, 2, 5), 2);
        assert_eq!(bonus_entries(2, 2, 5), 4);
        assert_eq!(bonus_entries(3, 2, 5), 5);
        assert_eq!(bonus_entries(u64::MAX, u32::MAX, 7), 7);
        assert_eq!(bonus_entries(4, 0, 5), 0);
    }
}
