//! Whether a receipt was sent before in the same campaign: the same bytes (claimed race-free by
//! their SHA-256), or a near copy (perceptual hash within the campaign's threshold).

use vouch_core::duplicates::{band_keys, hamming, is_near};

use crate::backends::receipts::{Perceptual, ReceiptIndex};
use crate::backends::{BackendError, EntryMessage};
use crate::campaigns::DuplicateCheck;

/// A verified receipt's fingerprints.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    pub sha256: String,
    pub phash: u64,
}

/// The earlier entry this entry's receipt duplicates, if any. Safe to run again for the same
/// entry (a redelivered message): its own claim and index rows are its own, never a match.
pub async fn earlier_copy(
    index: &dyn ReceiptIndex,
    check: DuplicateCheck,
    msg: &EntryMessage,
    prints: &Fingerprints,
) -> Result<Option<String>, BackendError> {
    let holder = index.claim_exact(&msg.campaign, &prints.sha256, &msg.entry_id).await?;
    if holder != msg.entry_id {
        return Ok(Some(holder));
    }
    let me = Perceptual { entry_id: msg.entry_id.clone(), hash: prints.phash, accepted_at_ms: msg.accepted_at_ms };
    let bands = band_keys(prints.phash, check.threshold);
    // Indexed before the lookup: of two near copies processed at once, the later one then
    // finds the earlier one whenever the earlier one's rows are visible to it.
    index.index_perceptual(&msg.campaign, &me, &bands).await?;
    let candidates = index.perceptual_candidates(&msg.campaign, &bands).await?;
    Ok(candidates
        .into_iter()
        // Only an earlier entry counts, so a redelivery never finds a later copy of itself.
        .filter(|c| (c.accepted_at_ms, &c.entry_id) < (me.accepted_at_ms, &me.entry_id))
        .filter(|c| is_near(c.hash, me.hash, check.threshold))
        .min_by_key(|c| (hamming(c.hash, me.hash), c.accepted_at_ms))
        .map(|c| c.entry_id))
}
