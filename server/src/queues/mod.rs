//! Operating the queues, as the CLI (`vouch queue …`) and the admin API's Queues page call it:
//! depth per lane, the dead letters with their last errors, redrive, pause and resume. Queues are
//! shared by every campaign, so their audit records go under the campaign `*`.

pub mod cli;

use serde::Serialize;
use vouch_core::ErrorCode;

use crate::app::wiring::Backends;
use crate::backends::dead_letters::DeadLetter;
use crate::backends::{BackendError, Queue, QueueStats};
use crate::clock::now_ms;

/// The campaign of audit records about queues.
pub const AUDIT_CAMPAIGN: &str = "*";
/// The most dead letters one listing returns: on SQS each one is held while it is listed.
pub const MAX_LISTED: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("no queue {0:?}; the queues are entries, conversions and webhooks")]
    UnknownQueue(String),
    /// Never dead-lettered, redriven already, or held by another redrive at this moment.
    #[error("{queue} has no dead letter {id:?}")]
    NotDead { queue: String, id: String },
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl QueueError {
    /// The public error code, for the admin API's one error-to-HTTP mapping.
    pub fn code(&self) -> ErrorCode {
        match self {
            QueueError::UnknownQueue(_) | QueueError::NotDead { .. } => ErrorCode::NotFound,
            QueueError::Backend(BackendError::Unavailable(..)) => ErrorCode::Unavailable,
            QueueError::Backend(BackendError::Corrupt(_)) => ErrorCode::Internal,
        }
    }
}

pub type Result<T> = std::result::Result<T, QueueError>;

/// One lane as the Queues page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueState {
    pub name: String,
    pub ready: u64,
    pub in_flight: u64,
    pub dead: u64,
    /// Paused lanes keep their messages and are not drained until resumed.
    pub paused: bool,
}

fn lane(backends: &Backends, queue: &str) -> Result<std::sync::Arc<dyn Queue>> {
    backends.queue(queue).ok_or_else(|| QueueError::UnknownQueue(queue.to_string()))
}

async fn state(backends: &Backends, name: &str, queue: &dyn Queue) -> Result<QueueState> {
    let QueueStats { ready, in_flight, dead } = queue.stats().await?;
    let paused = backends.control.paused(name).await?;
    Ok(QueueState { name: name.to_string(), ready, in_flight, dead, paused })
}

async fn audit(backends: &Backends, actor: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
    Ok(backends.moderation.audit(AUDIT_CAMPAIGN, actor, action, subject, detail, now_ms()).await?)
}

/// Every lane: entries, conversions, webhooks.
pub async fn overview(backends: &Backends) -> Result<Vec<QueueState>> {
    let mut out = Vec::new();
    for (name, queue) in backends.queues() {
        out.push(state(backends, name, queue.as_ref()).await?);
    }
    Ok(out)
}

/// Up to `limit` (at most [`MAX_LISTED`]) of `queue`'s dead letters: id, attempts, last error
/// and campaign, never the message body.
pub async fn dead_letters(backends: &Backends, queue: &str, limit: usize) -> Result<Vec<DeadLetter>> {
    Ok(lane(backends, queue)?.dead_letters(limit.clamp(1, MAX_LISTED)).await?)
}

/// Moves the dead letter `id` back to ready, its attempts reset, and audits it as `actor`.
/// Exactly one of several redrives of the same message succeeds; the others get `NotDead`.
pub async fn redrive(backends: &Backends, queue: &str, id: &str, actor: &str) -> Result<()> {
    if !lane(backends, queue)?.redrive(id).await? {
        return Err(QueueError::NotDead { queue: queue.to_string(), id: id.to_string() });
    }
    audit(backends, actor, "queue.redrive", &format!("{queue}/{id}"), "").await
}

/// Moves all of `queue`'s dead letters back to ready, audits it as `actor`, and returns how many.
pub async fn redrive_all(backends: &Backends, queue: &str, actor: &str) -> Result<u64> {
    let moved = lane(backends, queue)?.redrive_all().await?;
    audit(backends, actor, "queue.redrive_all", queue, &format!("{moved} redriven")).await?;
    Ok(moved)
}

/// Stops draining `queue` (its messages wait; the BFF keeps accepting) and audits it as `actor`.
pub async fn pause(backends: &Backends, queue: &str, actor: &str) -> Result<QueueState> {
    set_paused(backends, queue, true, actor).await
}

/// Drains a paused `queue` again and audits it as `actor`.
pub async fn resume(backends: &Backends, queue: &str, actor: &str) -> Result<QueueState> {
    set_paused(backends, queue, false, actor).await
}

async fn set_paused(backends: &Backends, queue: &str, paused: bool, actor: &str) -> Result<QueueState> {
    let q = lane(backends, queue)?;
    let before = backends.control.paused(queue).await?;
    backends.control.set_paused(queue, paused).await?;
    let action = if paused { "queue.pause" } else { "queue.resume" };
    audit(backends, actor, action, queue, &format!("paused: {before} -> {paused}")).await?;
    state(backends, queue, q.as_ref()).await
}
