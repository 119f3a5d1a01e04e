//! `POST /v1/campaigns/{campaign}/uploads`: an upload grant for one receipt photo.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use vouch_core::schedule::ScheduleState;
use vouch_core::wire::{UploadGrant, UploadGrantRequest};

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::AppState;
use crate::limiter::{retry_after_secs, Route};
use crate::uploads;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/campaigns/{campaign}/uploads", post(create))
}

async fn create(
    State(state): State<AppState>,
    Path(campaign): Path<String>,
    ClientIp(ip): ClientIp,
    body: Result<ApiJson<UploadGrantRequest>, ApiError>,
) -> Result<(StatusCode, Json<UploadGrant>), ApiError> {
    let campaign = state.campaign_for(&campaign, Route::Uploads, ip)?;
    let ApiJson(req) = body?;
    let state_now = campaign.schedule.window.state(crate::clock::now_ms());
    if state_now != ScheduleState::Open {
        return Err(ApiError::outside_schedule(state_now));
    }
    let credentials = state.grants.credentials.credentials().await?;
    let now = time::OffsetDateTime::now_utc();
    let grant = uploads::issue(&state.grants, &credentials, &state.upload_ids, &campaign.public, &req, now)
        .map_err(ApiError::validation)?;
    state
        .grants
        .budget
        .reserve(campaign.id(), &grant.fields["key"], req.size, campaign.pending_upload_bytes)
        .map_err(|wait| ApiError::upload_budget_spent(retry_after_secs(wait)))?;
    state.metrics.grants_issued.inc();
    Ok((StatusCode::CREATED, Json(grant)))
}
