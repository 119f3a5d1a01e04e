//! Duplicate receipts, as a campaign asks for them (`duplicates`, `duplicate_distance`), and the
//! check `moderation = "flagged"` adds.

use vouch_core::duplicates::{DuplicatePolicy, DEFAULT_THRESHOLD, MAX_THRESHOLD};
use vouch_core::moderation::ModerationMode;

use super::Campaign;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateCheck {
    pub policy: DuplicatePolicy,
    /// Perceptual hashes this many bits apart or closer are the same receipt.
    pub threshold: u32,
}

/// The campaign file's duplicate settings, checked.
pub(super) fn check(policy: Option<DuplicatePolicy>, distance: Option<u32>) -> Result<Option<DuplicateCheck>, String> {
    match (policy, distance) {
        (_, Some(d)) if d > MAX_THRESHOLD => Err(format!("duplicate_distance must be at most {MAX_THRESHOLD} bits")),
        (Some(policy), d) => Ok(Some(DuplicateCheck { policy, threshold: d.unwrap_or(DEFAULT_THRESHOLD) })),
        (None, Some(_)) => Err("duplicate_distance needs duplicates = \"reject\" or \"review\"".into()),
        (None, None) => Ok(None),
    }
}

impl Campaign {
    /// The duplicate check the worker runs: the campaign's own, or under `moderation = "flagged"`
    /// one that sends copies to review (a near-duplicate receipt is a fraud signal).
    pub fn duplicate_check(&self) -> Option<DuplicateCheck> {
        let flagged = (self.moderation == ModerationMode::Flagged)
            .then_some(DuplicateCheck { policy: DuplicatePolicy::Review, threshold: DEFAULT_THRESHOLD });
        self.duplicates.or(flagged)
    }
}
