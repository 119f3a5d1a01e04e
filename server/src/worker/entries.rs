//! Giveaway entries: verify the receipt, store the entry once, send the confirmation once,
//! remove the original upload.

use std::sync::Arc;

use async_trait::async_trait;
use vouch_core::upload::UploadLimits;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::decode_budget::DecodeBudget;
use super::Handler;
use crate::backends::{BackendError, EntryMessage, Mailer, Objects, Store, StoredEntry};
use crate::campaigns::Campaigns;
use crate::clock::now_ms;
use crate::entries::mail;
use crate::uploads::keys::receipt_key;

pub struct EntryHandler {
    pub store: Arc<dyn Store>,
    pub objects: Arc<dyn Objects>,
    pub mailer: Arc<dyn Mailer>,
    pub campaigns: Campaigns,
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
                    Ok(key) => stored_entry(msg, EntryStatus::Confirmed, None, key),
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

    /// `Ok(Ok(key))`: verified and stored under `key`; `Ok(Err(reason))`: refused for good;
    /// `Err`: try again later.
    async fn check_receipt(
        &self,
        msg: &EntryMessage,
        limits: &UploadLimits,
    ) -> Result<Result<Option<String>, RejectReason>, BackendError> {
        let Some(original) = &msg.receipt_key else {
            return Ok(Ok(None));
        };
        let Some(bytes) = self.objects.get(original).await? else {
            return Ok(Err(RejectReason::ReceiptMissing));
        };
        match self.decode.normalise(bytes, limits.max_pixels).await? {
            Ok(normalised) => {
                let key = receipt_key(&msg.campaign, &msg.entry_id);
                self.objects.put(&key, normalised.jpeg, "image/jpeg").await?;
                Ok(Ok(Some(key)))
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
        locale: Some(msg.entry.locale),
    }
}
