//! Consent records: one per consent a shopper gave with an entry or a referral join, with the
//! words they saw (and the version naming them), the language, the page's origin and the time.
//! Kept by mailbox identity, so a shopper's records can be read (export) and removed (erase)
//! together; a marketing consent also holds when it was confirmed (double opt-in).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::consent::{ConsentKind, MarketingState};
use vouch_core::i18n::Locale;

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// `{source}.{kind}`: one record per consent per entry or join, so a redelivery cannot
    /// double it.
    pub record_id: String,
    /// The normalised mailbox (`vouch_core::referral::identity_email`).
    pub identity: String,
    pub campaign: String,
    /// The entry id or referrer id the consent came with.
    pub source: String,
    pub kind: ConsentKind,
    pub given_at_ms: i64,
    /// `vouch_core::consent::wording_version` of `label`.
    pub version: String,
    /// The exact words shown, so an export shows them after the campaign's copy has changed.
    pub label: String,
    pub locale: Locale,
    /// The `Origin` of the page the form was on, when the browser sent one.
    pub origin: Option<String>,
    /// Marketing only: when the shopper confirmed through the mailed link.
    pub confirmed_at_ms: Option<i64>,
}

impl ConsentRecord {
    pub fn id(source: &str, kind: ConsentKind) -> String {
        format!("{source}.{}", kind.as_str())
    }

    /// The order reads return: oldest first, then by entry or join, then terms, marketing, storage.
    pub fn order(a: &Self, b: &Self) -> std::cmp::Ordering {
        (a.given_at_ms, &a.source, a.kind).cmp(&(b.given_at_ms, &b.source, b.kind))
    }

    /// Pending or confirmed, for a marketing consent; `None` for the others.
    pub fn marketing_state(&self) -> Option<MarketingState> {
        (self.kind == ConsentKind::Marketing).then(|| MarketingState::of(self.confirmed_at_ms))
    }
}

/// What confirming a marketing consent did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Confirmed now, at this time.
    Confirmed(i64),
    /// It had been confirmed before, at this time: nothing changed.
    AlreadyConfirmed(i64),
    /// No marketing consent has this id (never given, or erased).
    Unknown,
}

#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// Writes each record unless one with its `record_id` exists: writing the same again (a
    /// redelivered message) changes nothing, and a record once written keeps its words.
    async fn record_consents(&self, records: &[ConsentRecord]) -> Result<()>;
    /// Every record of the mailbox `identity` (normalised), of one campaign or all, in
    /// [`ConsentRecord::order`].
    async fn consents_of(&self, identity: &str, campaign: Option<&str>) -> Result<Vec<ConsentRecord>>;
    async fn consent(&self, record_id: &str) -> Result<Option<ConsentRecord>>;
    /// Marks the marketing consent `record_id` confirmed at `at_ms`, once: the first time wins.
    async fn confirm_marketing(&self, record_id: &str, at_ms: i64) -> Result<Confirmation>;
    /// Deletes these records (a shopper's erase: they name the mailbox). Records already gone
    /// count for nothing, so erasing twice is harmless; a link to a deleted record confirms
    /// nothing ([`Confirmation::Unknown`]). The number deleted.
    async fn erase_consents(&self, records: &[ConsentRecord]) -> Result<u64>;
}
