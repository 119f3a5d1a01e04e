//! Consent records' rules: which consents a shopper can give, the wording each was given to, and
//! the version that names that wording. The server computes the version of what it recorded and
//! the widget could compute the same of what it showed: one function, so the two cannot differ.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::campaign::Copy;
use crate::i18n::{self, Locale, Ui};
use crate::wire::Consents;

/// What a shopper agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// The campaign's (or the referral program's) terms.
    Terms,
    /// News and offers by e-mail; counts only once confirmed (double opt-in).
    Marketing,
    /// Keeping the referral code in the browser's storage for attribution (the loader's
    /// `vouch('consent', true)` on a page with `data-vouch-consent="required"`).
    Storage,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 3] = [ConsentKind::Terms, ConsentKind::Marketing, ConsentKind::Storage];

    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentKind::Terms => "terms",
            ConsentKind::Marketing => "marketing",
            ConsentKind::Storage => "storage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which form the consent was given on: the two show different terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentForm {
    /// The giveaway entry form: the campaign's `[copy]` labels.
    Entry,
    /// The referral program's join form: the catalogue's referral terms.
    Join,
}

/// Where a marketing consent stands: given on the form (pending) or confirmed by the link mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarketingState {
    Pending,
    Confirmed,
}

impl MarketingState {
    pub fn of(confirmed_at_ms: Option<i64>) -> Self {
        if confirmed_at_ms.is_some() {
            MarketingState::Confirmed
        } else {
            MarketingState::Pending
        }
    }
}

/// How long a marketing confirmation link works, unless the server is told otherwise.
pub const OPTIN_DEFAULT_DAYS: u32 = 7;

/// Whether a confirmation link issued at `issued_ms` is past its `days` at `now_ms`.
pub fn optin_expired(issued_ms: i64, now_ms: i64, days: u32) -> bool {
    now_ms.saturating_sub(issued_ms) > i64::from(days) * 86_400_000 || issued_ms > now_ms + 300_000
}

/// The version of a wording: `w1-` and the first 16 hex digits of the SHA-256 of the exact text.
/// Any change of the words (a letter, a space) is a new version; the same words are the same
/// version in every campaign and on every device.
pub fn wording_version(label: &str) -> String {
    let digest = Sha256::digest(label.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("w1-{hex}")
}

/// The words the shopper saw next to the box for `kind` on `form`, in `locale`: the campaign's
/// copy in that language (`copy`) for its own boxes, the catalogue for the rest.
pub fn label(kind: ConsentKind, form: ConsentForm, copy: &Copy, locale: Locale) -> &str {
    match (kind, form) {
        (ConsentKind::Terms, ConsentForm::Entry) => &copy.terms_label,
        (ConsentKind::Terms, ConsentForm::Join) => i18n::ui(Ui::ReferralTerms, locale),
        (ConsentKind::Marketing, _) => &copy.marketing_label,
        (ConsentKind::Storage, _) => i18n::consent::storage_label(locale),
    }
}

/// The consents a request gives, in a fixed order.
pub fn given(consents: &Consents) -> Vec<ConsentKind> {
    let flags = [consents.terms, consents.marketing, consents.storage];
    ConsentKind::ALL.into_iter().zip(flags).filter_map(|(k, on)| on.then_some(k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_the_exact_words() {
        let v = wording_version("I accept the terms and conditions.");
        assert_eq!(v, wording_version("I accept the terms and conditions."));
        assert!(v.starts_with("w1-") && v.len() == 19, "{v}");
        assert_ne!(v, wording_version("I accept the terms and conditions"), "a full stop is a change");
        assert_ne!(v, wording_version("I accept the Terms and Conditions."));
    }

    #[test]
    fn labels_come_from_the_campaign_copy_or_the_catalogue() {
        let copy = Copy { terms_label: "Ich stimme zu.".into(), ..Copy::default() };
        assert_eq!(label(ConsentKind::Terms, ConsentForm::Entry, &copy, Locale::De), "Ich stimme zu.");
        assert_eq!(label(ConsentKind::Marketing, ConsentForm::Entry, &copy, Locale::De), copy.marketing_label);
        let join = label(ConsentKind::Terms, ConsentForm::Join, &copy, Locale::De);
        assert_eq!(join, i18n::ui(Ui::ReferralTerms, Locale::De));
        let storage = |l| label(ConsentKind::Storage, ConsentForm::Entry, &copy, l).to_string();
        assert_ne!(storage(Locale::En), storage(Locale::De), "the storage wording is translated");
    }

    #[test]
    fn only_the_boxes_ticked_are_given() {
        let c = Consents { terms: true, storage: true, ..Consents::default() };
        assert_eq!(given(&c), vec![ConsentKind::Terms, ConsentKind::Storage]);
        assert_eq!(given(&Consents::default()), vec![]);
    }

    #[test]
    fn a_link_expires_after_its_days_and_one_from_the_future_is_refused() {
        let day = 86_400_000;
        assert!(!optin_expired(0, 7 * day, 7));
        assert!(optin_expired(0, 7 * day + 1, 7));
        assert!(optin_expired(10 * day, 0, 7));
    }

    #[test]
    fn kinds_travel_as_their_names() {
        for k in ConsentKind::ALL {
            assert_eq!(ConsentKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
    }
}
