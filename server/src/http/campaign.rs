//! `GET /v1/campaigns/{campaign}`: the public campaign config the widget renders from.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

use super::error::ApiError;
use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/campaigns/{campaign}", get(show))
}

async fn show(State(state): State<AppState>, Path(campaign): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let campaign = state.campaigns.get(&campaign).ok_or_else(ApiError::campaign_not_found)?;
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(campaign.public.clone())))
}
