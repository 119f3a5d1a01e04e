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

#[cfg(test)]
mod tests {
    use vouch_core::duplicates::{DuplicatePolicy, DEFAULT_THRESHOLD};
    use vouch_core::form::{Entrant, ValidEntry};

    use super::*;
    use crate::backends::embedded::SqliteBackend;

    const CHECK: DuplicateCheck = DuplicateCheck { policy: DuplicatePolicy::Reject, threshold: DEFAULT_THRESHOLD };

    fn message(entry_id: &str, accepted_at_ms: i64) -> EntryMessage {
        let entrant = Entrant {
            first_name: "Ana".into(),
            last_name: "Ruiz".into(),
            email: "ana@example.com".into(),
            phone: None,
            postal_code: None,
            marketing_consent: false,
            referral_code: None,
        };
        EntryMessage {
            entry_id: entry_id.into(),
            campaign: "demo".into(),
            idempotency_key: format!("k-{entry_id}"),
            entry: ValidEntry { entrant, receipt_upload_id: None, locale: Default::default() },
            receipt_key: None,
            accepted_at_ms,
            signals: Vec::new(),
            consents: Vec::new(),
            origin: None,
        }
    }

    fn prints(sha256: &str, phash: u64) -> Fingerprints {
        Fingerprints { sha256: sha256.into(), phash }
    }

    /// A message may be handled again after a crash between the fingerprints and the verdict:
    /// the entry must come out the same, never as a copy of itself or of a later entry.
    #[tokio::test]
    async fn a_redelivered_entry_is_never_a_copy_of_itself_or_of_a_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let db = SqliteBackend::open(&dir.path().join("vouch.db")).unwrap();
        let (a, b, c) = (message("ent_a", 1_000), message("ent_b", 2_000), message("ent_c", 3_000));
        let near = 0x00ff_00ff_00ff_00ff_u64;
        for _ in 0..2 {
            assert_eq!(earlier_copy(&db, CHECK, &a, &prints("s1", near)).await.unwrap(), None);
        }
        // The same bytes, then a near copy with other bytes: both name the first entry.
        assert_eq!(earlier_copy(&db, CHECK, &b, &prints("s1", near)).await.unwrap().as_deref(), Some("ent_a"));
        assert_eq!(earlier_copy(&db, CHECK, &c, &prints("s3", near ^ 0b111)).await.unwrap().as_deref(), Some("ent_a"));
        // The first entry, redelivered after both: still no copy.
        assert_eq!(earlier_copy(&db, CHECK, &a, &prints("s1", near)).await.unwrap(), None);
        // A hash far from every other is no copy.
        let far = message("ent_d", 4_000);
        assert_eq!(earlier_copy(&db, CHECK, &far, &prints("s4", !near)).await.unwrap(), None);
    }
}
