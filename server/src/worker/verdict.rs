//! The verdict on an entry whose receipt (if any) is verified: confirmed; rejected as a duplicate
//! receipt; or waiting for a person, with a review case saying why.

use vouch_core::duplicates::DuplicatePolicy;
use vouch_core::moderation::{mailbox_signals, needs_review, Signal};
use vouch_core::wire::{EntryStatus, RejectReason};

use super::duplicates::{earlier_copy, Fingerprints};
use crate::backends::receipts::ReceiptIndex;
use crate::backends::review::{Moderation, ReviewCase};
use crate::backends::{BackendError, EntryMessage, StoredEntry};
use crate::campaigns::Campaign;
use crate::clock::now_ms;

/// A verified receipt: where its normalised copy is, and its fingerprints.
pub type Verified = (String, Fingerprints);

pub async fn verdict(
    receipts: &dyn ReceiptIndex,
    moderation: &dyn Moderation,
    campaign: Option<&Campaign>,
    msg: &EntryMessage,
    receipt: Option<Verified>,
) -> Result<StoredEntry, BackendError> {
    let (key, prints) = receipt.unzip();
    let Some(campaign) = campaign else {
        return Ok(stored_entry(msg, EntryStatus::Confirmed, None, key));
    };
    let check = campaign.duplicate_check();
    let earlier = match (check, &prints) {
        (Some(check), Some(prints)) => earlier_copy(receipts, check, msg, prints).await?,
        _ => None,
    };
    if let Some(earlier) = &earlier {
        tracing::info!(entry_id = %msg.entry_id, duplicate_of = %earlier, "duplicate receipt");
        if check.is_some_and(|c| c.policy == DuplicatePolicy::Reject) {
            // The copy is kept: whoever disputes the verdict can compare the two.
            return Ok(stored_entry(msg, EntryStatus::Rejected, Some(RejectReason::ReceiptDuplicate), key));
        }
    }
    let mut signals = mailbox_signals(&msg.entry.entrant.email);
    signals.extend(msg.signals.iter().copied());
    if earlier.is_some() {
        signals.push(Signal::NearDuplicate);
    }
    if earlier.is_none() && !needs_review(campaign.moderation, &signals) {
        return Ok(stored_entry(msg, EntryStatus::Confirmed, None, key));
    }
    // The case first: if the worker stops before the verdict is stored, the redelivery finds it.
    let case = ReviewCase {
        campaign: msg.campaign.clone(),
        entry_id: msg.entry_id.clone(),
        locale: msg.entry.locale,
        signals: signals.iter().map(|s| s.code().to_string()).collect(),
        duplicate_of: earlier,
        opened_at_ms: now_ms(),
    };
    moderation.open_case(&case).await?;
    Ok(stored_entry(msg, EntryStatus::PendingReview, None, key))
}

pub fn stored_entry(
    msg: &EntryMessage,
    status: EntryStatus,
    reason: Option<RejectReason>,
    receipt_key: Option<String>,
) -> StoredEntry {
    StoredEntry {
        entry_id: msg.entry_id.clone(),
        campaign: msg.campaign.clone(),
        idempotency_key: msg.idempotency_key.clone(),
        entrant: msg.entry.entrant.clone(),
        receipt_key,
        status,
        reason,
        accepted_at_ms: msg.accepted_at_ms,
        processed_at_ms: now_ms(),
        locale: Some(msg.entry.locale),
    }
}
