//! `POST /v1/campaigns/{campaign}/uploads`: an upload grant for one receipt photo.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::schedule::ScheduleState;
use vouch_core::wire::{UploadGrant, UploadGrantRequest};

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::openapi::ShopWriteRefusals;
use super::AppState;
use crate::limiter::{retry_after_secs, Route};
use crate::uploads;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
}

/// An upload grant: the browser then sends the file straight to the object store.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{campaign}/uploads",
    operation_id = "create_upload_grant",
    tag = "widget",
    summary = "An upload grant for one receipt photo (a presigned POST to the object store).",
    params(("campaign" = String, Path, description = "The campaign id.")),
    request_body = UploadGrantRequest,
    responses(
        (status = 201, body = UploadGrant, description = "Send `fields`, then the file, as multipart form data to `url` before `expires_at`."),
        ShopWriteRefusals,
    )
)]

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
