//! The four things Vouch stores or sends — accepted submissions (intake), queued work, entries and
//! mail, and receipt objects — each behind a trait, so the embedded (SQLite + local S3) and the
//! distributed (AWS) backends are interchangeable and share one set of tests.

pub mod analytics;
pub mod aws;
pub mod codes;
pub mod consents;
pub mod dead_letters;
pub mod draws;
pub mod embedded;
pub mod entry_search;
pub mod leftovers;
pub mod operators;
pub mod payouts;
pub mod privacy;
pub mod receipts;
pub mod referrals;
pub mod retention;
pub mod review;
pub mod signing;

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::form::{Entrant, ValidEntry};
use vouch_core::i18n::Locale;
use vouch_core::moderation::Signal;
use vouch_core::wire::{EntryStatus, RejectReason};

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The dependency cannot be reached right now; the caller may retry later.
    #[error("{0} is unavailable: {1}")]
    Unavailable(&'static str, String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<embedded::db::DbError> for BackendError {
    fn from(e: embedded::db::DbError) -> Self {
        match e {
            embedded::db::DbError::Corrupt(m) => BackendError::Corrupt(m),
            other => BackendError::Unavailable("database", other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, BackendError>;

/// The queue topics: giveaway entries, referral conversions, webhook deliveries, funnel events.
pub const ENTRIES_TOPIC: &str = "entries";
pub const CONVERSIONS_TOPIC: &str = "conversions";
pub const WEBHOOKS_TOPIC: &str = "webhooks";
/// The funnel's events: a lane of its own, so a burst of them never delays entries.
pub const EVENTS_TOPIC: &str = "events";

/// Webhook deliveries get more attempts than other messages: receivers go down for a while.
pub const WEBHOOK_ATTEMPTS: u32 = 8;

/// What the accept path hands to the queue: everything the worker needs, already validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryMessage {
    pub entry_id: String,
    pub campaign: String,
    pub idempotency_key: String,
    pub entry: ValidEntry,
    /// Object key of the uploaded receipt, resolved from the upload id at accept time.
    pub receipt_key: Option<String>,
    pub accepted_at_ms: i64,
    /// Fraud signals the BFF saw (a burst of entries from the client), for moderation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<Signal>,
    /// The consents given, with the words shown at accept time: the worker records them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<crate::consents::records::ShownConsent>,
    /// The `Origin` of the page the entry came from, for the consent records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// One submission on its way in, keyed for idempotency by (campaign, key).
#[derive(Debug, Clone)]
pub struct Submission {
    pub campaign: String,
    pub idempotency_key: String,
    pub body_hash: Vec<u8>,
    pub message: EntryMessage,
    /// The person's entry limit, counted in the same step that accepts the entry.
    pub quota: Option<Quota>,
}

/// One person's allowance in one period: `identity` is the normalised mailbox, `period` the
/// bucket key (see `vouch_core::eligibility`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    pub identity: String,
    pub period: String,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Durably queued now.
    New { entry_id: String },
    /// The same key and body were accepted before: answer as then.
    Replay { entry_id: String },
    /// The same key came with a different body.
    KeyReused,
    /// The same key is being accepted by a concurrent request.
    InFlight,
    /// The cited upload already backs another entry: one upload, one entry.
    UploadClaimed,
    /// The cited upload was swept as abandoned while this request was on its way.
    UploadSwept,
    /// The person already has as many entries in this period as the campaign allows.
    LimitReached,
}

/// Records each submission once and queues it, atomically from the caller's point of view: after
/// `New` or `Replay`, the message is durably queued. A submission with a receipt claims its upload
/// in the same step, so an upload backs at most one entry.
#[async_trait]
pub trait Intake: Send + Sync {
    async fn accept(&self, submission: Submission) -> Result<Accepted>;
    /// What was accepted under this key before, if anything: `(body_hash, entry_id)`.
    async fn earlier(&self, campaign: &str, idempotency_key: &str) -> Result<Option<(Vec<u8>, String)>>;
    /// Of the uploads at `keys` (old enough to be abandoned), marks as swept the ones no
    /// submission claims and returns them for the caller to delete. Each mark is atomic against
    /// `accept`: a submission accepted before keeps its upload, one after gets `UploadSwept`.
    async fn sweep_unclaimed(&self, keys: Vec<String>) -> Result<Vec<String>>;
}

/// One received message; `handle` identifies this delivery (not the message) for ack and retry.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub handle: String,
    pub body: String,
    pub attempts: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    pub ready: u64,
    pub in_flight: u64,
    pub dead: u64,
}

/// At-least-once delivery with a visibility timeout and a dead-letter state.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Durably enqueues one message.
    async fn send(&self, body: String) -> Result<()>;
    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>>;
    async fn ack(&self, delivery: &Delivery) -> Result<()>;
    /// Keeps a message hidden for `visibility` more, while its handler is still working on it.
    async fn extend(&self, delivery: &Delivery, visibility: Duration) -> Result<()>;
    /// Makes the message visible again after `delay`, or dead-letters it when out of attempts.
    async fn retry(&self, delivery: &Delivery, delay: Duration, error: &str) -> Result<()>;
    async fn stats(&self) -> Result<QueueStats>;
    /// Up to `limit` dead letters, oldest first, as an operator may see them: never the bodies.
    async fn dead_letters(&self, limit: usize) -> Result<Vec<dead_letters::DeadLetter>>;
    /// Moves the dead letter `id` back to ready with its attempts reset. `false` when no dead
    /// letter has this id (any more): of two redrives racing for one message, one moves it.
    async fn redrive(&self, id: &str) -> Result<bool>;
    /// Moves every dead letter back to ready; returns how many.
    async fn redrive_all(&self) -> Result<u64>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEntry {
    pub entry_id: String,
    pub campaign: String,
    pub idempotency_key: String,
    /// As the entry message carried it: the worker stores it without reshaping it.
    #[serde(flatten)]
    pub entrant: Entrant,
    /// The normalised (EXIF-free) copy of the receipt.
    pub receipt_key: Option<String>,
    pub status: EntryStatus,
    pub reason: Option<RejectReason>,
    pub accepted_at_ms: i64,
    pub processed_at_ms: i64,
    /// The language the shopper was answered in, for later mails (a draw's). `None` for entries
    /// stored before it was kept.
    #[serde(default)]
    pub locale: Option<Locale>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryState {
    pub status: EntryStatus,
    pub reason: Option<RejectReason>,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// `None` when the campaign never accepted this entry id.
    async fn entry_state(&self, campaign: &str, entry_id: &str) -> Result<Option<EntryState>>;
    /// Stores the worker's verdict once; a second call for the same entry changes nothing and
    /// returns `false`.
    async fn record_entry(&self, entry: &StoredEntry) -> Result<bool>;
    async fn get_entry(&self, campaign: &str, entry_id: &str) -> Result<Option<StoredEntry>>;
    async fn list_entries(&self, campaign: &str) -> Result<Vec<StoredEntry>>;
    async fn ping(&self) -> Result<()>;
}

/// Operator switches that every process must see: a queue can be paused in an emergency (its
/// messages wait; nothing is lost) and resumed.
#[async_trait]
pub trait Control: Send + Sync {
    async fn paused(&self, queue: &str) -> Result<bool>;
    async fn set_paused(&self, queue: &str, paused: bool) -> Result<()>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `mail` unless a mail with this `dedup_key` was sent before.
    async fn send_once(&self, dedup_key: &str, mail: &Mail) -> Result<()>;
    /// When the mail with this `dedup_key` was sent (ms since the epoch); `None` when it was not
    /// (or not yet: a send in progress). The console's contact status for draw winners.
    async fn sent_at(&self, dedup_key: &str) -> Result<Option<i64>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
}

/// Receipt objects, as the worker sees them (browsers upload with grants, not through this).
#[async_trait]
pub trait Objects: Send + Sync {
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>>;
    /// The object's bytes, or `None` when it does not exist.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<()>;
    async fn delete(&self, key: &str) -> Result<()>;
    /// Up to `limit` keys of the objects in the folder `prefix` (keys starting `prefix/`), in no
    /// set order: the retention sweep deletes a campaign's objects, orphans too, by folder.
    async fn list(&self, prefix: &str, limit: usize) -> Result<Vec<String>>;
    async fn ping(&self) -> Result<()>;
    /// A URL a browser can GET the object at until `ttl` has passed, and not after: the bucket
    /// stays private, operators see receipts through these. Signing makes no request.
    async fn presign_get(&self, key: &str, ttl: Duration) -> Result<String>;
}

/// An object store the server sweeps itself: the embedded one. S3 expires `uploads/` with a
/// bucket lifecycle rule instead (`infra/vouch.yaml`), so it has no need of this.
#[async_trait]
pub trait SweptObjects: Objects {
    /// Keys under `prefix` whose objects were last written more than `age` ago.
    async fn list_older_than(&self, prefix: &str, age: Duration) -> Result<Vec<String>>;
}
