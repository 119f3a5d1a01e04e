//! Giveaway entries: verify the receipt, store the entry once, send the confirmation once,
//! remove the original upload.

use std::sync::Arc;

use async_trait::async_trait;
use vouch_core::upload::UploadLimits;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::consents::ConsentStep;
use super::decode_budget::DecodeBudget;
use super::duplicates::Fingerprints;
use super::fingerprint::sha256_hex;
use super::verdict::{stored_entry, verdict, Verified};
use super::Handler;
use crate::backends::leftovers::Leftovers;
use crate::backends::receipts::ReceiptIndex;
use crate::backends::review::Moderation;
use crate::backends::{BackendError, EntryMessage, Mailer, Objects, Store};
use crate::campaigns::Campaigns;
use crate::codes::fulfil::Fulfil;
use crate::entries::mail;
use crate::uploads::keys::receipt_key;

pub struct EntryHandler {
    pub store: Arc<dyn Store>,
    pub objects: Arc<dyn Objects>,
    pub mailer: Arc<dyn Mailer>,
    /// The `entry` pool's code for each confirmed entry.
    pub fulfil: Fulfil,
    pub campaigns: Campaigns,
    pub receipts: Arc<dyn ReceiptIndex>,
    pub moderation: Arc<dyn Moderation>,
    /// Shared by every decode in the process (see [`DecodeBudget`]).
    pub decode: DecodeBudget,
    /// Where the entry's acceptance and verdict are counted.
    pub funnel: crate::funnel::Funnel,
    /// The consents the entry came with, and the marketing opt-in mail.
    pub consents: ConsentStep,
    /// What an entry refused by an erasure left behind.
    pub leftovers: Arc<dyn Leftovers>,
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
                // Erased since it was accepted: dropped before anything of it is written. (An
                // erase after this check is caught by the record's own check below.)
                let email = &msg.entry.entrant.email;
                if self.leftovers.erased_since(email, &msg.campaign, msg.accepted_at_ms).await? {
                    return self.erased_in_flight(msg).await;
                }
                let limits = campaign.as_ref().map(|c| c.public.form.upload.clone()).unwrap_or_default();
                let entry = match self.check_receipt(msg, &limits).await? {
                    Ok(receipt) => {
                        let (receipts, moderation) = (self.receipts.as_ref(), self.moderation.as_ref());
                        verdict(receipts, moderation, campaign.as_deref(), msg, receipt).await?
                    }
                    Err(reason) => stored_entry(msg, EntryStatus::Rejected, Some(reason), None),
                };
                if self.store.record_entry(&entry).await? {
                    entry
                } else {
                    // Another worker recorded it first; its verdict stands.
                    match self.store.get_entry(&msg.campaign, &msg.entry_id).await? {
                        Some(stored) => stored,
                        None => return self.erased_in_flight(msg).await,
                    }
                }
            }
        };
        // After the entry, on every delivery (a crash before still gets them recorded).
        self.consents.record(msg, self.store.as_ref()).await?;
        // On every delivery (counted once): a crash after the verdict still gets it counted.
        self.funnel.entry(&entry).await;
        if let (EntryStatus::Confirmed, Some(campaign)) = (entry.status, &campaign) {
            let dedup_key = format!("confirmation:{}", entry.entry_id);
            // Claimed before the mail: a redelivery claims the same code and mails it in the same mail.
            let code = self.fulfil.hand_out(campaign, vouch_core::codes::Pool::Entry, &entry.entry_id).await?;
            let mut confirmation = mail::confirmation(campaign, &entry, msg.entry.locale);
            code.append_to(&mut confirmation.text, msg.entry.locale);
            self.mailer.send_once(&dedup_key, &confirmation).await?;
        }
        if let Some(campaign) = &campaign {
            self.consents.mail_optin(msg, campaign).await?;
        }
        if let Some(original) = &msg.receipt_key {
            self.objects.delete(original).await?;
        }
        Ok(())
    }

    /// The store refused the record and holds none: the person was erased while the message was
    /// queued. What this delivery wrote goes too (the receipt's copy, its fingerprints, a review
    /// case), what the intake kept (its idempotency record), and the original upload. The message
    /// is then acknowledged: it is the only copy of the person's data left, and it goes with it.
    async fn erased_in_flight(&self, msg: &EntryMessage) -> Result<(), BackendError> {
        tracing::info!(entry_id = %msg.entry_id, "entry not recorded: its shopper was erased while it was queued");
        self.leftovers.forget_unrecorded(msg).await?;
        self.objects.delete(&receipt_key(&msg.campaign, &msg.entry_id)).await?;
        if let Some(original) = &msg.receipt_key {
            self.objects.delete(original).await?;
        }
        Ok(())
    }

    /// `Ok(Ok(Some((key, fingerprints))))`: verified and stored under `key`; `Ok(Err(reason))`:
    /// refused for good; `Err`: try again later.
    async fn check_receipt(
        &self,
        msg: &EntryMessage,
        limits: &UploadLimits,
    ) -> Result<Result<Option<Verified>, RejectReason>, BackendError> {
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
