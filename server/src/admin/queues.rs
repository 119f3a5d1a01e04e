//! The queues (owners only: they are shared by every campaign): depth per lane, dead letters with
//! their last errors, redrive one or all, pause and resume. Through the same functions as
//! `vouch queue …` (`crate::queues`), which audit each write under the campaign `*`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::query::{invalid, AdminQuery};
use super::{Caller, SharedAdmin};
use crate::crypto::format_iso8601_ms;
use crate::http::error::ApiError;
use crate::queues::{self, QueueError, QueueState};

impl From<QueueError> for ApiError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::Backend(b) => b.into(),
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

/// One lane.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueRow {
    /// `entries`, `conversions` or `webhooks`.
    pub name: String,
    pub ready: u64,
    pub in_flight: u64,
    pub dead: u64,
    /// A paused lane keeps its messages and is not drained until resumed.
    pub paused: bool,
}

impl From<QueueState> for QueueRow {
    fn from(q: QueueState) -> Self {
        Self { name: q.name, ready: q.ready, in_flight: q.in_flight, dead: q.dead, paused: q.paused }
    }
}

/// A dead letter: never its body (it holds personal data).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeadRow {
    /// What to redrive it by.
    pub id: String,
    pub attempts: u32,
    /// The last attempt's error, redacted (no mailbox or name).
    pub last_error: Option<String>,
    /// RFC 3339, UTC, when known.
    pub failed_at: Option<String>,
    pub campaign: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Redriven {
    /// Dead letters moved back to their queue.
    pub redriven: u64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeadFilter {
    /// How many to list: 1 to 500, default 100.
    pub limit: Option<String>,
}

/// Every lane's depth.
#[utoipa::path(get, path = "/admin/v1/queues", tag = "queues",
    responses((status = 200, body = [QueueRow]), (status = 401), (status = 403, description = "`forbidden`: owners only")))]
pub async fn overview(State(state): State<SharedAdmin>, caller: Caller) -> Result<Json<Vec<QueueRow>>, ApiError> {
    caller.owner()?;
    Ok(Json(queues::overview(&state.backends).await?.into_iter().map(QueueRow::from).collect()))
}

/// The lane's dead letters, oldest first.
#[utoipa::path(get, path = "/admin/v1/queues/{queue}/dead", tag = "queues",
    params(("queue" = String, Path, description = "entries, conversions or webhooks"), DeadFilter),
    responses((status = 200, body = [DeadRow]), (status = 401), (status = 403, description = "`forbidden`: owners only"),
        (status = 404, description = "`not_found`: no such queue"), (status = 422, description = "`validation_failed`: a bad limit")))]
pub async fn dead(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(queue): Path<String>,
    AdminQuery(filter): AdminQuery<DeadFilter>,
) -> Result<Json<Vec<DeadRow>>, ApiError> {
    caller.owner()?;
    let limit = match filter.limit.as_deref() {
        None | Some("") => 100,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=queues::MAX_LISTED).contains(n))
            .ok_or_else(|| invalid("limit", format!("must be 1 to {}.", queues::MAX_LISTED)))?,
    };
    let dead = queues::dead_letters(&state.backends, &queue, limit).await?;
    Ok(Json(
        dead.into_iter()
            .map(|d| DeadRow {
                id: d.id,
                attempts: d.attempts,
                last_error: d.last_error,
                failed_at: d.failed_at_ms.map(format_iso8601_ms),
                campaign: d.campaign,
            })
            .collect(),
    ))
}

/// Moves one dead letter back to its queue, its attempts reset; audited.
#[utoipa::path(post, path = "/admin/v1/queues/{queue}/dead/{id}/redrive", tag = "queues",
    params(("queue" = String, Path, description = "entries, conversions or webhooks"),
        ("id" = String, Path, description = "The dead letter's id")),
    responses((status = 200, body = Redriven), (status = 401), (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such queue, or not (or no longer) a dead letter")))]
pub async fn redrive(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((queue, id)): Path<(String, String)>,
) -> Result<Json<Redriven>, ApiError> {
    caller.owner()?;
    queues::redrive(&state.backends, &queue, &id, &caller.actor).await?;
    Ok(Json(Redriven { redriven: 1 }))
}

/// Moves every dead letter of the lane back; audited.
#[utoipa::path(post, path = "/admin/v1/queues/{queue}/redrive", tag = "queues",
    params(("queue" = String, Path, description = "entries, conversions or webhooks")),
    responses((status = 200, body = Redriven), (status = 401), (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such queue")))]
pub async fn redrive_all(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(queue): Path<String>,
) -> Result<Json<Redriven>, ApiError> {
    caller.owner()?;
    let redriven = queues::redrive_all(&state.backends, &queue, &caller.actor).await?;
    Ok(Json(Redriven { redriven }))
}

/// Stops draining the lane (its messages wait; entries are still accepted); audited.
#[utoipa::path(post, path = "/admin/v1/queues/{queue}/pause", tag = "queues",
    params(("queue" = String, Path, description = "entries, conversions or webhooks")),
    responses((status = 200, body = QueueRow), (status = 401), (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such queue")))]
pub async fn pause(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(queue): Path<String>,
) -> Result<Json<QueueRow>, ApiError> {
    caller.owner()?;
    Ok(Json(queues::pause(&state.backends, &queue, &caller.actor).await?.into()))
}

/// Drains a paused lane again; audited.
#[utoipa::path(post, path = "/admin/v1/queues/{queue}/resume", tag = "queues",
    params(("queue" = String, Path, description = "entries, conversions or webhooks")),
    responses((status = 200, body = QueueRow), (status = 401), (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such queue")))]
pub async fn resume(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(queue): Path<String>,
) -> Result<Json<QueueRow>, ApiError> {
    caller.owner()?;
    Ok(Json(queues::resume(&state.backends, &queue, &caller.actor).await?.into()))
}
