//! What an erase reaches beyond the shopper's own rows ([`super::privacy`]): what an entry left
//! behind when the erasure tombstone refused to record it, the audit log's free text, and the
//! conversions the shopper made as a friend. One operation per kind, on both stores.

use async_trait::async_trait;
use serde::Serialize;

use super::review::AuditRecord;
use super::{EntryMessage, Result};

/// A conversion report as the store keeps it: the client's network is personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldConversion {
    pub conversion_id: String,
    pub campaign: String,
    pub order_id: String,
    /// The reporting client's network (an IPv4 address or an IPv6 /64); `None` when the store no
    /// longer keeps it with the report.
    pub client: Option<String>,
    /// Reported by the merchant's back end (`false`: by the shopper's browser).
    pub from_merchant: bool,
}

/// Rewrites an operator's free text: `Some(new)` where it quotes the shopper, `None` where not.
pub type Redact = std::sync::Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

#[async_trait]
pub trait Leftovers: Send + Sync {
    /// After the store refused to record `msg`'s entry (its person was erased while it was
    /// queued): deletes what the intake and the worker wrote for it — its receipt fingerprints,
    /// its review case, its idempotency record (and DynamoDB's entry stub and upload claim).
    /// Nothing goes while the entry is recorded. Safe to run again.
    async fn forget_unrecorded(&self, msg: &EntryMessage) -> Result<()>;

    /// Whether the mailbox `email` was erased in `campaign` (or in all) at or after `at_ms`: a
    /// message accepted before then must not bring the person back.
    async fn erased_since(&self, email: &str, campaign: &str, at_ms: i64) -> Result<bool>;

    /// Sets the detail of each of these audit records (found by id) to the one given; the
    /// records themselves, their actors, actions, subjects and times stay. The number changed.
    async fn rewrite_audit(&self, records: &[AuditRecord]) -> Result<u64>;

    /// Applies `redact` to the operators' free text about these credits — the credit's reason,
    /// each change's reason, the payout's reference — and writes back what it changes; states,
    /// amounts and times stay. The number of texts changed.
    async fn redact_credit_notes(&self, credit_ids: &[String], redact: Redact) -> Result<u64>;

    /// The reports (the merchant's and a browser's) of these conversions.
    async fn conversions_of(&self, conversion_ids: &[String]) -> Result<Vec<HeldConversion>>;
    /// Replaces the client of these conversions' reports with `anon_id`; order ids and times
    /// stay, so a replayed report is still recognised. The number of reports changed.
    async fn anonymise_conversions(&self, conversion_ids: &[String], anon_id: &str) -> Result<u64>;
}
