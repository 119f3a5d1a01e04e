//! Receipt fingerprints for finding duplicate receipts within a campaign: the SHA-256 of the
//! stored bytes (exact copies) and a perceptual hash indexed by its bands (near copies; see
//! `vouch_core::duplicates`).

use async_trait::async_trait;

use super::Result;

/// One entry's perceptual hash, as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Perceptual {
    pub entry_id: String,
    pub hash: u64,
    /// When the entry was accepted: of two near copies, the later one is the duplicate.
    pub accepted_at_ms: i64,
}

#[async_trait]
pub trait ReceiptIndex: Send + Sync {
    /// Claims the receipt bytes with this SHA-256 (hex) for `entry_id`, unless another entry of the
    /// campaign claimed them first. Returns the entry that holds them: `entry_id` itself when the
    /// claim is new or is this entry's own (a redelivered message).
    async fn claim_exact(&self, campaign: &str, sha256: &str, entry_id: &str) -> Result<String>;
    /// Indexes `entry`'s hash under each of `bands`; writing the same again changes nothing.
    async fn index_perceptual(&self, campaign: &str, entry: &Perceptual, bands: &[String]) -> Result<()>;
    /// Every indexed entry of the campaign that shares at least one of `bands`, each once.
    async fn perceptual_candidates(&self, campaign: &str, bands: &[String]) -> Result<Vec<Perceptual>>;
}
