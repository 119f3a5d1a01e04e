//! What the retention sweep (`crate::privacy::retention`) needs from a store beyond the per-shopper
//! erase's building blocks: a campaign's personal rows page by page, and a durable record of how
//! far the sweep of each campaign got, so a crash resumes it and a finished campaign is not read
//! again.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::consents::ConsentRecord;
use super::referrals::{Credit, Referrer};
use super::{Result, StoredEntry};

/// One page of a campaign's rows; `next` is the opaque position after it, `None` at the end. A
/// page may be empty while `next` is set (a store that filters after reading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The steps of a campaign's sweep, in the order they run: objects before the rows that name
/// them, mails while the entries and consent records that tell them apart are still there,
/// consent records after the entries (as the erase does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepStep {
    Objects,
    Entries,
    Fingerprints,
    Mails,
    DeadLetters,
    Referrers,
    Credits,
    Consents,
    EntryLimits,
    Conversions,
    CreditNotes,
    PendingEvents,
    AuditNotes,
    Done,
}

/// How many of each kind a sweep deleted or anonymised (counts only: nothing personal).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepCounts {
    pub objects: u64,
    pub entries: u64,
    #[serde(default)]
    pub fingerprints: u64,
    pub referrers: u64,
    pub credits: u64,
    pub consents: u64,
    pub entry_limits: u64,
    pub mails: u64,
    pub dead_letters: u64,
    #[serde(default)]
    pub conversions: u64,
    #[serde(default)]
    pub credit_notes: u64,
    #[serde(default)]
    pub pending_events: u64,
    #[serde(default)]
    pub audit_notes: u64,
}

/// Where a campaign's sweep stands: the step and the position in it. Saved after every page, so
/// a sweep killed midway starts again at the page it was on (every page's work is idempotent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepRecord {
    pub campaign: String,
    /// What anonymised rows hold in place of people: one random id per campaign sweep.
    pub anon_id: String,
    pub started_at_ms: i64,
    pub step: SweepStep,
    pub cursor: Option<String>,
    pub counts: SweepCounts,
    pub done_at_ms: Option<i64>,
    /// The generation of the sweep's steps that wrote the record (`privacy::retention::GENERATION`;
    /// 0 in records from before generations): a campaign finished by an older one is swept again
    /// from the first step it lacked.
    #[serde(default)]
    pub generation: u32,
}

#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// The campaign's sweep record, if a sweep ever started.
    async fn sweep_record(&self, campaign: &str) -> Result<Option<SweepRecord>>;
    /// Writes the record durably (replacing the previous one).
    async fn save_sweep_record(&self, record: &SweepRecord) -> Result<()>;
    /// Replaces the person in these entries with `anon_id` (as
    /// [`super::privacy::Privacy::anonymise_entries`] does: names, address, phone, postal code,
    /// referral code and receipt gone; status, reason and times kept), but leaves their receipt
    /// fingerprints to [`RetentionStore::erase_fingerprints`], which deletes a campaign's by
    /// page instead of searching them entry by entry.
    async fn anonymise_entry_page(&self, entries: &[StoredEntry], anon_id: &str) -> Result<u64>;
    /// Deletes up to about `limit` of the campaign's receipt fingerprints (the duplicate check's
    /// exact and perceptual hashes) after `after`; the page's items count the deleted ones.
    async fn erase_fingerprints(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>>;
    /// Up to about `limit` of the campaign's referrer records after `after`.
    async fn referrers_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<Referrer>>;
    /// Up to about `limit` of the campaign's ledger credits after `after`.
    async fn credits_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<Credit>>;
    /// Up to about `limit` of the campaign's consent records after `after`.
    async fn consents_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<ConsentRecord>>;
    /// Deletes up to about `limit` of the campaign's per-person entry counters after `after`; the
    /// page's items count the deleted ones.
    async fn erase_entry_limits(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>>;
    /// Replaces the reporting client (the friend's network) of up to about `limit` of the
    /// campaign's conversion reports, the merchant's and browsers', after `after` with `anon_id`;
    /// order ids, codes and times stay. The page's items count the reports changed.
    async fn anonymise_campaign_conversions(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
        anon_id: &str,
    ) -> Result<Page<()>>;
    /// Replaces the operators' free text on up to about `limit` of the campaign's credits after
    /// `after` — the credit's reason, its changes' reasons, its payout's reference — with
    /// [`ERASED`]; amounts, states, actors and times stay. The page's items count the texts changed.
    async fn redact_campaign_credit_notes(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>>;
    /// Deletes up to about `limit` of the campaign's webhook events not yet delivered (they name
    /// referrers and friends); the page's items count the deleted ones.
    async fn erase_campaign_pending_events(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>>;
    /// Replaces the free-text detail of up to about `limit` of the campaign's audit records after
    /// `after` with [`ERASED`]; action, actor, time and subject (ids) stay, and the sweep's own
    /// records ([`SWEEP_ACTION`], counts only) keep theirs. The page's items count the records
    /// changed.
    async fn redact_campaign_audit(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>>;
}

/// What a swept free text holds in its place: after retention no note about a person is needed.
pub const ERASED: &str = "[erased]";

/// The audit action of a finished sweep, whose detail holds its counts.
pub const SWEEP_ACTION: &str = "retention.sweep";
