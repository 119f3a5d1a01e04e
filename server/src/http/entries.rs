//! `POST /v1/campaigns/{campaign}/entries` and the entry status route.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use vouch_core::wire::{EntryAccepted, EntryRequest, EntryStatus, EntryStatusResponse};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::AppState;
use crate::entries::submit::{submit, Deps, SubmitError};
use crate::limiter::Route;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/campaigns/{campaign}/entries", post(create))
        .route("/v1/campaigns/{campaign}/entries/{entry_id}", get(status))
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::BadIdempotencyKey => ApiError::new(ErrorCode::IdempotencyKeyInvalid, e.to_string()),
            SubmitError::Invalid(fields) => ApiError::validation(fields),
            SubmitError::KeyReused => ApiError::new(ErrorCode::IdempotencyKeyReused, e.to_string()),
            SubmitError::InFlight => ApiError::in_flight(ErrorCode::IdempotencyKeyInFlight, e.to_string()),
            SubmitError::Schedule(state) => ApiError::outside_schedule(state),
            SubmitError::LimitReached => {
                ApiError::new(ErrorCode::EntryLimitReached, "You have already entered the maximum number of times.")
            }
            SubmitError::Backend(b) => b.into(),
        }
    }
}

async fn create(
    State(state): State<AppState>,
    Path(campaign): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<ApiJson<EntryRequest>, ApiError>,
) -> Result<(StatusCode, Json<EntryAccepted>), ApiError> {
    let campaign = state.campaign_for(&campaign, Route::Entries, ip)?;
    let ApiJson(req) = body?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let deps = Deps {
        intake: state.intake.as_ref(),
        objects: state.objects.as_ref(),
        upload_ids: &state.upload_ids,
        upload_budget: &state.grants.budget,
        client_burst: state.limiter.client_burst(campaign.id(), ip),
    };
    let outcome = submit(&deps, &campaign, key, req).await.inspect_err(|e| {
        if matches!(e, SubmitError::Invalid(_)) {
            state.metrics.entries_invalid.inc();
        }
    })?;
    if outcome.replay { &state.metrics.entries_replayed } else { &state.metrics.entries_accepted }.inc();
    Ok((StatusCode::ACCEPTED, Json(EntryAccepted { entry_id: outcome.entry_id, status: EntryStatus::Accepted })))
}

async fn status(
    State(state): State<AppState>,
    Path((campaign, entry_id)): Path<(String, String)>,
) -> Result<Json<EntryStatusResponse>, ApiError> {
    let entry_state = state
        .store
        .entry_state(&campaign, &entry_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::EntryNotFound, "No such entry in this campaign."))?;
    // Only the holder of the entry id asks here (as for the status itself).
    let owed = matches!(entry_state.status, EntryStatus::Confirmed | EntryStatus::Approved);
    let handed = match state.campaigns.get(&campaign) {
        Some(c) if owed => {
            crate::codes::fulfil::Fulfil::new(state.codes.clone(), Default::default())
                .shown(&c, vouch_core::codes::Pool::Entry, &entry_id)
                .await?
        }
        _ => crate::codes::fulfil::Handed::Nothing,
    };
    let (code, code_pending) = match handed {
        crate::codes::fulfil::Handed::Code(code) => (Some(code), false),
        crate::codes::fulfil::Handed::Awaiting => (None, true),
        crate::codes::fulfil::Handed::Nothing => (None, false),
    };
    Ok(Json(EntryStatusResponse {
        entry_id,
        status: entry_state.status,
        reason: entry_state.reason,
        code,
        code_pending,
    }))
}
