//! `POST /v1/campaigns/{campaign}/entries` and the entry status route.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::wire::{EntryAccepted, EntryRequest, EntryStatus, EntryStatusResponse};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::openapi::{Forbidden, InFlight, NotFound, ShopWriteRefusals, Unavailable};
use super::AppState;
use crate::entries::submit::{submit, Deps, SubmitError};
use crate::limiter::Route;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(status))
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

/// A giveaway entry, answered once it is durably queued.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{campaign}/entries",
    operation_id = "create_entry",
    tag = "widget",
    summary = "A giveaway entry; 202 only once it is durably queued.",
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,255}$",
         description = "1–255 visible ASCII characters. The same key with the same body answers the first answer again; with another body 422 `idempotency_key_reused`; while the first is running 409."),
    ),
    request_body = EntryRequest,
    responses(
        (status = 202, body = EntryAccepted, description = "Accepted; `GET …/entries/{entry_id}` follows it.",
            links(("status" = (
                operation_id = "get_entry_status",
                parameters(("campaign" = "$request.path.campaign"), ("entry_id" = "$response.body#/entry_id"))
            )))),
        (status = 409, response = InFlight),
        ShopWriteRefusals,
    )
)]
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
        origin: headers.get(axum::http::header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string),
    };
    let outcome = submit(&deps, &campaign, key, req).await.inspect_err(|e| {
        if matches!(e, SubmitError::Invalid(_)) {
            state.metrics.entries_invalid.inc();
        }
    })?;
    if outcome.replay { &state.metrics.entries_replayed } else { &state.metrics.entries_accepted }.inc();
    Ok((StatusCode::ACCEPTED, Json(EntryAccepted { entry_id: outcome.entry_id, status: EntryStatus::Accepted })))
}

/// Where an entry stands (and its code, once it has one).
#[utoipa::path(
    get,
    path = "/v1/campaigns/{campaign}/entries/{entry_id}",
    operation_id = "get_entry_status",
    tag = "widget",
    summary = "An entry's status: accepted, pending_review, confirmed or approved (with its code where the campaign hands one out), or rejected with a reason.",
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("entry_id" = String, Path, description = "The id `POST …/entries` answered."),
    ),
    responses(
        (status = 200, body = EntryStatusResponse),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
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
