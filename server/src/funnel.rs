//! The server's own funnel facts (an entry accepted, confirmed or rejected, a join, a conversion,
//! an approved credit), put on the events lane where they become true. Each is a batch whose id
//! names its subject (`vouch_core::analytics::server_event`), so reporting it again — after a
//! redelivery, a retry, a crash before the acknowledgement — counts nothing more. Reporting never
//! fails what it reports: a queue that cannot take the fact costs the count, not the entry.

use std::sync::Arc;

use vouch_core::analytics::{server_event, EventKind};

use crate::backends::{Queue, EVENTS_TOPIC};

#[derive(Clone)]
pub struct Funnel {
    events: Option<Arc<dyn Queue>>,
}

impl Funnel {
    pub fn new(events: Arc<dyn Queue>) -> Self {
        Self { events: Some(events) }
    }

    /// The funnel of the process's queues (the BFF's state keeps them by name).
    pub fn from_queues(queues: &[(&'static str, Arc<dyn Queue>)]) -> Self {
        Self { events: queues.iter().find(|(name, _)| *name == EVENTS_TOPIC).map(|(_, q)| q.clone()) }
    }

    /// Queues one fact about `subject` (an entry, referrer, conversion or credit id) at `at_ms`.
    pub async fn report(&self, campaign: &str, kind: EventKind, detail: &str, subject: &str, at_ms: i64) {
        let Some(events) = &self.events else { return };
        let batch = server_event(campaign, kind, detail, subject, at_ms);
        let body = match serde_json::to_string(&batch) {
            Ok(body) => body,
            Err(e) => return tracing::warn!(error = %e, "funnel fact not serialisable"),
        };
        if let Err(e) = events.send(body).await {
            // Ids and kinds only: no shopper's data reaches the log.
            tracing::warn!(campaign, event = kind.as_str(), error = %e, "funnel fact not queued; it is not counted");
        }
    }
}

impl Funnel {
    /// An entry's facts: accepted (when the BFF took it), then the worker's verdict if final.
    /// An entry waiting for review reports only its acceptance here.
    pub async fn entry(&self, entry: &crate::backends::StoredEntry) {
        use vouch_core::wire::EntryStatus;
        let (campaign, id) = (&entry.campaign, &entry.entry_id);
        self.report(campaign, EventKind::EntryAccepted, "", id, entry.accepted_at_ms).await;
        let (kind, detail) = match entry.status {
            EntryStatus::Confirmed | EntryStatus::Approved => (EventKind::EntryConfirmed, ""),
            EntryStatus::Rejected => (EventKind::EntryRejected, entry.reason.map(|r| r.code()).unwrap_or_default()),
            EntryStatus::Accepted | EntryStatus::PendingReview => return,
        };
        self.report(campaign, kind, detail, id, entry.processed_at_ms).await;
    }

    /// A credited conversion, and each of its credits that is approved (detail: the credit's side).
    pub async fn credited(&self, credits: &[crate::backends::referrals::Credit]) {
        let Some(first) = credits.first() else { return };
        let at = first.created_at_ms;
        self.report(&first.campaign, EventKind::Conversion, "", &first.conversion_id, at).await;
        for c in credits {
            self.approved(c, at).await;
        }
    }

    /// `credit` if it is approved.
    pub async fn approved(&self, c: &crate::backends::referrals::Credit, at_ms: i64) {
        if c.state == vouch_core::rewards::CreditState::Approved {
            self.report(&c.campaign, EventKind::CreditApproved, c.side.as_str(), &c.credit_id, at_ms).await;
        }
    }
}
