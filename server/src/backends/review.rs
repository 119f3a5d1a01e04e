//! Moderation and the audit log. An entry waiting for a person has a review case (what the
//! reviewer sees, and the shopper's language for the outcome's e-mail); a decision moves it out of
//! `pending_review` and appends its audit record in one atomic write, so no decision is without
//! its trace and none is taken twice.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::i18n::Locale;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::Result;

/// Why an entry waits for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCase {
    pub campaign: String,
    pub entry_id: String,
    /// The shopper's language, for the e-mail with the outcome.
    pub locale: Locale,
    /// Signal codes (`disposable_email`, `client_burst`, `near_duplicate`); empty under
    /// `moderation = "all"` without a signal.
    pub signals: Vec<String>,
    /// The earlier entry whose receipt this one duplicates.
    pub duplicate_of: Option<String>,
    pub opened_at_ms: i64,
}

/// One line of the audit log: who did what to which subject, when and why. Generic, so every
/// operator action (reviews, draws, the console) appends the same kind of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Unique and, within one process, increasing (a UUIDv7).
    pub id: String,
    pub campaign: String,
    pub at_ms: i64,
    pub actor: String,
    /// `review.approve`, `review.reject`, …
    pub action: String,
    /// What was acted on, such as an entry id.
    pub subject: String,
    /// Why: a reason code, a note.
    pub detail: String,
}

impl AuditRecord {
    pub fn new(campaign: &str, actor: &str, action: &str, subject: &str, detail: &str, at_ms: i64) -> Self {
        Self {
            id: format!("aud_{}", uuid::Uuid::now_v7().simple()),
            campaign: campaign.into(),
            at_ms,
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            detail: detail.into(),
        }
    }
}

/// What a decision found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// The entry was pending review and now has the decided status; the audit record is written.
    Done,
    /// The entry is not pending review (it has this status); nothing was written.
    NotPending(EntryStatus),
    /// The campaign has no recorded entry with this id; nothing was written.
    Unknown,
}

#[async_trait]
pub trait Moderation: Send + Sync {
    /// Opens (or, for a redelivered message, keeps) the review case of an entry.
    async fn open_case(&self, case: &ReviewCase) -> Result<()>;
    async fn case(&self, campaign: &str, entry_id: &str) -> Result<Option<ReviewCase>>;
    /// Moves the entry from `pending_review` to `status` (with `reason`) and appends `audit`,
    /// both or neither.
    async fn decide(
        &self,
        campaign: &str,
        entry_id: &str,
        status: EntryStatus,
        reason: Option<RejectReason>,
        audit: &AuditRecord,
    ) -> Result<Decided>;
    async fn append_audit(&self, record: &AuditRecord) -> Result<()>;
    /// Appends one operator action at `at_ms`: the one place the record of an action that is not
    /// written with its change (draws, queues, operators, imports) is put together.
    async fn audit(
        &self,
        campaign: &str,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
        at_ms: i64,
    ) -> Result<()> {
        self.append_audit(&AuditRecord::new(campaign, actor, action, subject, detail, at_ms)).await
    }
    /// The campaign's audit log, oldest first.
    async fn list_audit(&self, campaign: &str) -> Result<Vec<AuditRecord>>;
}
