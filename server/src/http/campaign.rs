//! `GET /v1/campaigns/{campaign}`: the public campaign config the widget renders from.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

use vouch_core::i18n::Locale;

use super::error::ApiError;
use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/campaigns/{campaign}", get(show))
}

/// `?locale=de`: the widget's preferred language; the answer says which one it got.
async fn show(
    State(state): State<AppState>,
    Path(campaign): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, ApiError> {
    let campaign = state.campaigns.get(&campaign).ok_or_else(ApiError::campaign_not_found)?;
    let locale = campaign.locale_for(query.get("locale").and_then(|l| Locale::parse(l)));
    let mut public = campaign.public_in(locale);
    public.state = campaign.schedule.window.state(crate::clock::now_ms());
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(public)))
}
