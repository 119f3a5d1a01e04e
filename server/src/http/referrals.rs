//! The referral routes browsers call: join, a friend's landing, visit counting, progress, and a
//! thank-you page's conversion report.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::wire::{
    ConversionAccepted, ConversionRequest, ConversionStatus, JoinRequest, JoinResponse, ReferralProgress,
    ReferrerLanding,
};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::openapi::{
    Forbidden, InFlight, NotFound, RateLimited, ShopWriteRefusals, Unauthorized, Unavailable, Unprocessable,
};
use super::AppState;
use crate::campaigns::Campaign;
use crate::limiter::Route;
use crate::referrals::decisions::{self, ReferralError};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join))
        .routes(routes!(landing))
        .routes(routes!(visit))
        .routes(routes!(progress))
        .routes(routes!(browser_conversion))
}

impl From<ReferralError> for ApiError {
    fn from(e: ReferralError) -> Self {
        match e {
            ReferralError::NotEnabled => ApiError::new(ErrorCode::ReferralNotEnabled, e.to_string()),
            ReferralError::Invalid(fields) => ApiError::validation(fields),
            ReferralError::UnknownCode => ApiError::new(ErrorCode::ReferrerNotFound, e.to_string()),
            ReferralError::Unauthorized => ApiError::new(ErrorCode::Unauthorized, e.to_string()),
            ReferralError::OrderReused => ApiError::new(ErrorCode::OrderIdReused, e.to_string()),
            ReferralError::InFlight => ApiError::in_flight(ErrorCode::OrderInFlight, e.to_string()),
            ReferralError::Erased => ApiError::in_flight(ErrorCode::JoinCrossedErasure, e.to_string()),
            ReferralError::PastRetention => ApiError::new(ErrorCode::CampaignClosed, e.to_string()),
            ReferralError::Backend(b) => b.into(),
        }
    }
}

pub(super) fn campaign(state: &AppState, id: &str) -> Result<std::sync::Arc<Campaign>, ApiError> {
    state.campaigns.get(id).ok_or_else(ApiError::campaign_not_found)
}

/// Join as a referrer; the same e-mail gets the same code again.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{campaign}/referrers",
    operation_id = "join_referrer",
    tag = "referrals",
    summary = "Join as a referrer: 201 for a new referrer (with its `progress_token`), 200 for one who had joined.",
    params(("campaign" = String, Path, description = "The campaign id.")),
    request_body = JoinRequest,
    responses(
        (status = 201, body = JoinResponse, description = "A new referrer."),
        (status = 200, body = JoinResponse, description = "This e-mail had joined: the same code, no token."),
        (status = 409, response = InFlight),
        ShopWriteRefusals,
    )
)]
async fn join(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    body: Result<ApiJson<JoinRequest>, ApiError>,
) -> Result<(StatusCode, Json<JoinResponse>), ApiError> {
    let campaign = state.campaign_for(&id, Route::Referrals, ip)?;
    let ApiJson(req) = body?;
    let (answer, created) = decisions::join(state.referrals.as_ref(), &campaign, &req, &ip.to_string()).await?;
    let origin = headers.get(axum::http::header::ORIGIN).and_then(|v| v.to_str().ok());
    let (consents, referrals) = (state.consents.as_ref(), state.referrals.as_ref());
    let join =
        crate::consents::records::Join { campaign: &campaign, request: &req, code: &answer.referral_code, origin };
    crate::consents::records::record_join(consents, referrals, &join).await?;
    if created {
        // Counted by the code (unique per campaign): a referrer has one.
        let funnel = crate::funnel::Funnel::from_queues(&state.queues);
        let at = crate::clock::now_ms();
        funnel.report(campaign.id(), vouch_core::analytics::EventKind::Join, "", &answer.referral_code, at).await;
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(answer)))
}

#[derive(Deserialize)]
struct Landing {
    visitor: Option<String>,
}

/// What a friend landing on a referral link sees.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{campaign}/referrers/{code}",
    operation_id = "get_referrer_landing",
    tag = "referrals",
    summary = "A friend's landing: the referrer's first name and the friend's offer (and code, where handed out at landing).",
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("code" = String, Path, description = "The referral code."),
        ("visitor" = Option<String>, Query, description = "The friend's device key: asks for the friend's code when the campaign hands it out at landing."),
    ),
    responses(
        (status = 200, body = ReferrerLanding),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
        (status = 429, response = RateLimited),
        (status = 503, response = Unavailable),
    )
)]
async fn landing(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    Query(q): Query<Landing>,
) -> Result<Json<ReferrerLanding>, ApiError> {
    let campaign = campaign(&state, &id)?;
    let mut landing = decisions::landing(state.referrals.as_ref(), &campaign, &code).await?;
    if let Some(visitor) = q.visitor.filter(|_| crate::codes::credits::hands_out_at_landing(&campaign)) {
        // Each claim takes a code for good: as rate-limited as counting a visit.
        let campaign = state.campaign_for(&id, Route::Referrals, ip)?;
        let fulfil = crate::codes::fulfil::Fulfil::new(state.codes.clone(), state.metrics.code_pools.clone());
        let handed = crate::codes::credits::landing_code(&fulfil, &campaign, &landing.referral_code, &visitor)
            .await
            .map_err(|e| match e {
                // As a visit with a bad visitor key is answered.
                crate::codes::credits::LandingError::Visitor => ApiError::validation(vec![]),
                crate::codes::credits::LandingError::Backend(b) => b.into(),
            })?;
        match handed {
            Some(crate::codes::fulfil::Handed::Code(c)) => landing.friend_code = Some(c),
            Some(crate::codes::fulfil::Handed::Awaiting) => landing.friend_code_pending = true,
            _ => {}
        }
    }
    Ok(Json(landing))
}

/// `POST …/visits`: one friend's device opening the link.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"visitor": "3f0c9a7e-5b1d-4c2e-9a41-6d2f8e1b7c55"}))]
struct Visit {
    visitor: String,
}

/// Counts a friend's visit (once per visitor key).
#[utoipa::path(
    post,
    path = "/v1/campaigns/{campaign}/referrers/{code}/visits",
    operation_id = "record_visit",
    tag = "referrals",
    summary = "Counts a friend's visit, once per visitor key.",
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("code" = String, Path, description = "The referral code."),
    ),
    request_body = Visit,
    responses(
        (status = 204, description = "Counted."),
        ShopWriteRefusals,
    )
)]
async fn visit(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    body: Result<ApiJson<Visit>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let campaign = state.campaign_for(&id, Route::Referrals, ip)?;
    let ApiJson(v) = body?;
    decisions::visit(state.referrals.as_ref(), &campaign, &code, &v.visitor).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The referrer's own progress, behind the token handed out at join.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{campaign}/referrers/{code}/progress",
    operation_id = "get_referral_progress",
    tag = "referrals",
    summary = "The referrer's own progress and reward codes.",
    security(("progress_token" = [])),
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("code" = String, Path, description = "The referral code."),
    ),
    responses(
        (status = 200, body = ReferralProgress),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn progress(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<([(header::HeaderName, &'static str); 1], Json<ReferralProgress>), ApiError> {
    let campaign = campaign(&state, &id)?;
    let mut progress = decisions::progress(state.referrals.as_ref(), &campaign, &code, bearer(&headers)).await?;
    // Behind the same token check: the codes are the referrer's own.
    let (codes, pending) = crate::codes::credits::reward_codes(
        state.referrals.as_ref(),
        state.codes.as_ref(),
        &campaign,
        &progress.referral_code,
    )
    .await?;
    (progress.reward_codes, progress.reward_codes_pending) = (codes, pending);
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(progress)))
}

/// A thank-you page's report of a friend's purchase (the merchant's own report wins).
#[utoipa::path(
    post,
    path = "/v1/campaigns/{campaign}/conversions",
    operation_id = "report_browser_conversion",
    tag = "referrals",
    summary = "A thank-you page's report of a friend's purchase; `campaign` in the body is the path's.",
    params(("campaign" = String, Path, description = "The campaign id.")),
    request_body = ConversionRequest,
    responses(
        (status = 202, body = ConversionAccepted, description = "Durably queued for crediting."),
        (status = 409, response = InFlight),
        ShopWriteRefusals,
    )
)]
async fn browser_conversion(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    body: Result<ApiJson<ConversionRequest>, ApiError>,
) -> Result<(StatusCode, Json<ConversionAccepted>), ApiError> {
    let campaign = state.campaign_for(&id, Route::Referrals, ip)?;
    let ApiJson(req) = body?;
    let (conversion_id, _) =
        decisions::convert(state.referrals.as_ref(), &campaign, &req, &ip.to_string(), false).await?;
    Ok((StatusCode::ACCEPTED, Json(ConversionAccepted { conversion_id, status: ConversionStatus::Accepted })))
}
