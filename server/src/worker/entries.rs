//! Giveaway entries: verify the receipt, store the entry once, send the confirmation once,
//! remove the original upload.

use std::sync::Arc;

use async_trait::async_trait;
use vouch_core::duplicates::DuplicatePolicy;
use vouch_core::upload::UploadLimits;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::decode_budget::DecodeBudget;
use super::duplicates::{earlier_copy, Fingerprints};
use super::fingerprint::sha256_hex;
use super::Handler;
use crate::backends::receipts::ReceiptIndex;
use crate::backends::{BackendError, EntryMessage, Mailer, Objects, Store, StoredEntry};
use crate::campaigns::{Campaign, Campaigns};
use crate::clock::now_ms;
use crate::entries::mail;
use crate::uploads::keys::receipt_key;

pub struct EntryHandler {
    pub store: Arc<dyn Store>,
    pub objects: Arc<dyn Objects>,
    pub mailer: Arc<dyn Mailer>,
    pub campaigns: Campaigns,
    pub receipts: Arc<dyn ReceiptIndex>,
    /// Shared by every decode in the process (see [`DecodeBudget`]).
    pub decode: DecodeBudget,
}

#[async_trait]
impl Handler for EntryHandler {
    async fn handle(&self, body: &str) -> Result<(), BackendError> {
        let msg: EntryMessage =
            serde_json::from_str(body).map_err(|e| BackendError::Corrupt(format!("unreadable entry message: {e}")))?;
        self.process(&msg).await
    }
}

impl EntryHandler {
    async fn process(&self, msg: &EntryMessage) -> Result<(), BackendError> {
        let campaign = self.campaigns.get(&msg.campaign);
        let entry = match self.store.get_entry(&msg.campaign, &msg.entry_id).await? {
            Some(stored) => stored,
            None => {
                let limits = campaign.as_ref().map(|c| c.public.form.upload.clone()).unwrap_or_default();
                let entry = match self.check_receipt(msg, &limits).await? {
                    Ok(None) => stored_entry(msg, EntryStatus::Confirmed, None, None),
                    Ok(Some((key, prints))) => self.verdict(campaign.as_deref(), msg, key, &prints).await?,
                    Err(reason) => stored_entry(msg, EntryStatus::Rejected, Some(reason), None),
                };
                if self.store.record_entry(&entry).await? {
                    entry
                } else {
                    // Another worker recorded it first; its verdict stands.
                    self.store
                        .get_entry(&msg.campaign, &msg.entry_id)
                        .await?
                        .ok_or_else(|| BackendError::Corrupt(format!("entry {} vanished", msg.entry_id)))?
                }
            }
        };
        if let (EntryStatus::Confirmed, Some(campaign)) = (entry.status, &campaign) {
            let dedup_key = format!("confirmation:{}", entry.entry_id);
            self.mailer.send_once(&dedup_key, &mail::confirmation(campaign, &entry, msg.entry.locale)).await?;
        }
        if let Some(original) = &msg.receipt_key {
            self.objects.delete(original).await?;
        }
        Ok(())
    }

    /// A verified receipt's entry: confirmed, unless the campaign checks for duplicate receipts and
    /// an earlier entry sent this one.
    async fn verdict(
        &self,
        campaign: Option<&Campaign>,
        msg: &EntryMessage,
        key: String,
        prints: &Fingerprints,
    ) -> Result<StoredEntry, BackendError> {
        let Some(check) = campaign.and_then(|c| c.duplicates) else {
            return Ok(stored_entry(msg, EntryStatus::Confirmed, None, Some(key)));
        };
        let Some(earlier) = earlier_copy(self.receipts.as_ref(), check, msg, prints).await? else {
            return Ok(stored_entry(msg, EntryStatus::Confirmed, None, Some(key)));
        };
        tracing::info!(entry_id = %msg.entry_id, duplicate_of = %earlier, "duplicate receipt");
        let status = match check.policy {
            DuplicatePolicy::Reject => EntryStatus::Rejected,
            DuplicatePolicy::Review => EntryStatus::PendingReview,
        };
        // The copy is kept: whoever reviews or disputes the verdict can compare the two.
        Ok(stored_entry(msg, status, Some(RejectReason::ReceiptDuplicate), Some(key)))
    }

    /// `Ok(Ok(Some((key, fingerprints))))`: verified and stored under `key`; `Ok(Err(reason))`:
    /// refused for good; `Err`: try again later.
    async fn check_receipt(
        &self,
        msg: &EntryMessage,
        limits: &UploadLimits,
    ) -> Result<Result<Option<(String, Fingerprints)>, RejectReason>, BackendError> {
        let Some(original) = &msg.receipt_key else {
            return Ok(Ok(None));
        };
        let Some(bytes) = self.objects.get(original).await? else {
            return Ok(Err(RejectReason::ReceiptMissing));
        };
        match self.decode.normalise(bytes, limits.max_pixels).await? {
            Ok(normalised) => {
                let key = receipt_key(&msg.campaign, &msg.entry_id);
                let prints = Fingerprints { sha256: sha256_hex(&normalised.jpeg), phash: normalised.phash };
                self.objects.put(&key, normalised.jpeg, "image/jpeg").await?;
                Ok(Ok(Some((key, prints))))
            }
            Err(reason) => Ok(Err(reason)),
        }
    }
}

fn stored_entry(
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
    }
}
