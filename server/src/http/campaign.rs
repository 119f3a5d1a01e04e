//! `GET /v1/campaigns/{campaign}`: the public campaign config the widget renders from.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::campaign::CampaignPublic;

use vouch_core::i18n::Locale;

use super::error::ApiError;
use super::openapi::{Forbidden, NotFound, Unavailable};
use super::AppState;
use crate::campaigns::Campaign;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show))
}

/// `?locale=de`: the widget's preferred language; the answer says which one it got.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{campaign}",
    operation_id = "get_campaign",
    tag = "widget",
    summary = "The public campaign config: form rules, copy, theme, upload limits, referral offer, schedule.",
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("locale" = Option<String>, Query, description = "The preferred languages, best first (`de`, or `de-CH,en`); the answer's `locale` says which one it got."),
    ),
    responses(
        (status = 200, body = CampaignPublic, description = "The campaign, in the chosen language."),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn show(
    State(state): State<AppState>,
    Path(campaign): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, ApiError> {
    let campaign = state.campaigns.get(&campaign).ok_or_else(ApiError::campaign_not_found)?;
    // A list (`de-CH,en`): the first one we speak, as the page and the browser prefer them.
    let locale = campaign.locale_for(query.get("locale").and_then(|l| Locale::from_accept_language(l)));
    Ok(([(header::CACHE_CONTROL, "public, max-age=60")], Json(public_now(&campaign, locale))))
}

/// The public config as the widget gets it: in `locale`, with where the schedule stands now.
/// The hosted page embeds the same answer.
pub(super) fn public_now(campaign: &Campaign, locale: Locale) -> CampaignPublic {
    let mut public = campaign.public_in(locale);
    public.state = campaign.schedule.window.state(crate::clock::now_ms());
    public
}
