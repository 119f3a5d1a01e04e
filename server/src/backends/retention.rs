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
}
