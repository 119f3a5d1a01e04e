//! The worker drains the entry queue: verifies the receipt, stores the entry, sends the
//! confirmation mail and acknowledges. The queue delivers at least once, so every step is
//! idempotent: a redelivered message finds its entry stored and only finishes what is missing.

pub mod receipt;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use vouch_core::upload::UploadLimits;
use vouch_core::wire::{EntryStatus, RejectReason};

use crate::backends::sqlite::now_ms;
use crate::backends::{
    BackendError, Delivery, EntryMessage, Mailer, Objects, Queue, Store, StoredEntry,
};
use crate::campaigns::Campaigns;
use crate::config::WorkerConfig;
use crate::mail;

#[derive(Clone)]
pub struct Worker {
    pub queue: Arc<dyn Queue>,
    pub store: Arc<dyn Store>,
    pub objects: Arc<dyn Objects>,
    pub mailer: Arc<dyn Mailer>,
    pub campaigns: Campaigns,
    pub config: WorkerConfig,
}

/// Where the normalised copy of an entry's receipt is kept.
pub fn receipt_key(campaign: &str, entry_id: &str) -> String {
    format!("receipts/{campaign}/{entry_id}.jpg")
}

fn backoff(base_ms: u64, attempts: u32) -> Duration {
    Duration::from_millis(base_ms.saturating_mul(1u64 << attempts.saturating_sub(1).min(10)))
        .min(Duration::from_secs(60))
}

impl Worker {
    /// Runs until `shutdown` turns true, finishing the messages in hand.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.config.poll_interval_ms.max(10));
        let visibility = Duration::from_secs(self.config.visibility_timeout_secs.max(1));
        let mut idle_backoff = poll;
        let mut tasks = JoinSet::new();
        while !*shutdown.borrow() {
            let free = self.config.concurrency.max(1).saturating_sub(tasks.len());
            let received = if free > 0 {
                self.queue.receive(free, visibility).await
            } else {
                Ok(Vec::new())
            };
            match received {
                Ok(deliveries) if !deliveries.is_empty() => {
                    idle_backoff = poll;
                    for d in deliveries {
                        let worker = self.clone();
                        tasks.spawn(async move { worker.handle(d).await });
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    // The queue is down: back off (up to 30 s) and resume by ourselves.
                    tracing::warn!(error = %e, "cannot receive from the queue");
                    idle_backoff = (idle_backoff * 2).min(Duration::from_secs(30));
                }
            }
            let wait = if free == 0 {
                Duration::from_secs(3600)
            } else {
                idle_backoff
            };
            tokio::select! {
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Processes every message currently visible, then returns how many were handled.
    pub async fn drain(&self) -> Result<usize, BackendError> {
        let mut handled = 0;
        loop {
            let deliveries = self
                .queue
                .receive(self.config.concurrency.max(1), Duration::from_secs(60))
                .await?;
            if deliveries.is_empty() {
                return Ok(handled);
            }
            handled += deliveries.len();
            let mut tasks = JoinSet::new();
            for d in deliveries {
                let worker = self.clone();
                tasks.spawn(async move { worker.handle(d).await });
            }
            while tasks.join_next().await.is_some() {}
        }
    }

    async fn handle(&self, delivery: Delivery) {
        let result = match serde_json::from_str::<EntryMessage>(&delivery.body) {
            Ok(msg) => self.process(&msg).await,
            Err(e) => Err(BackendError::Corrupt(format!("unreadable message: {e}"))),
        };
        let outcome = match result {
            Ok(()) => self.queue.ack(&delivery).await,
            Err(e) => {
                tracing::warn!(error = %e, attempts = delivery.attempts, "entry processing failed; will retry");
                self.queue
                    .retry(
                        &delivery,
                        backoff(self.config.retry_backoff_ms, delivery.attempts),
                        &e.to_string(),
                    )
                    .await
            }
        };
        if let Err(e) = outcome {
            // The visibility timeout brings the message back; processing it again is harmless.
            tracing::warn!(error = %e, "cannot settle a delivery");
        }
    }

    async fn process(&self, msg: &EntryMessage) -> Result<(), BackendError> {
        let campaign = self.campaigns.get(&msg.campaign);
        let entry = match self.store.get_entry(&msg.campaign, &msg.entry_id).await? {
            Some(stored) => stored,
            None => {
                let limits = campaign
                    .as_ref()
                    .map(|c| c.public.form.upload.clone())
                    .unwrap_or_default();
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
                        .ok_or_else(|| {
                            BackendError::Corrupt(format!("entry {} vanished", msg.entry_id))
                        })?
                }
            }
        };
        if let (EntryStatus::Confirmed, Some(campaign)) = (entry.status, &campaign) {
            let dedup_key = format!("confirmation:{}", entry.entry_id);
            self.mailer
                .send_once(&dedup_key, &mail::confirmation(&campaign.public, &entry))
                .await?;
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
        let max_pixels = limits.max_pixels;
        let verdict = tokio::task::spawn_blocking(move || receipt::normalise(&bytes, max_pixels))
            .await
            .map_err(|e| BackendError::Corrupt(format!("receipt check panicked: {e}")))?;
        match verdict {
            Ok(normalised) => {
                let key = receipt_key(&msg.campaign, &msg.entry_id);
                self.objects
                    .put(&key, normalised.jpeg, "image/jpeg")
                    .await?;
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
    let e = &msg.entry;
    StoredEntry {
        entry_id: msg.entry_id.clone(),
        campaign: msg.campaign.clone(),
        idempotency_key: msg.idempotency_key.clone(),
        first_name: e.first_name.clone(),
        last_name: e.last_name.clone(),
        email: e.email.clone(),
        phone: e.phone.clone(),
        postal_code: e.postal_code.clone(),
        marketing_consent: e.marketing_consent,
        referral_code: e.referral_code.clone(),
        receipt_key,
        status,
        reason,
        accepted_at_ms: msg.accepted_at_ms,
        processed_at_ms: now_ms(),
    }
}
