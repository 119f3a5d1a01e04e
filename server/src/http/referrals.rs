//! The referral routes browsers call: join, a friend's landing, visit counting, progress, and a
//! thank-you page's conversion report.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use vouch_core::wire::{
    ConversionAccepted, ConversionRequest, ConversionStatus, JoinRequest, JoinResponse, ReferralProgress,
    ReferrerLanding,
};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::AppState;
use crate::campaigns::Campaign;
use crate::limiter::Route;
use crate::referrals::decisions::{self, ReferralError};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/campaigns/{campaign}/referrers", post(join))
        .route("/v1/campaigns/{campaign}/referrers/{code}", get(landing))
        .route("/v1/campaigns/{campaign}/referrers/{code}/visits", post(visit))
        .route("/v1/campaigns/{campaign}/referrers/{code}/progress", get(progress))
        .route("/v1/campaigns/{campaign}/conversions", post(browser_conversion))
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
            ReferralError::Backend(b) => b.into(),
        }
    }
}

pub(super) fn campaign(state: &AppState, id: &str) -> Result<std::sync::Arc<Campaign>, ApiError> {
    state.campaigns.get(id).ok_or_else(ApiError::campaign_not_found)
}

async fn join(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientIp(ip): ClientIp,
    body: Result<ApiJson<JoinRequest>, ApiError>,
) -> Result<(StatusCode, Json<JoinResponse>), ApiError> {
    let campaign = state.campaign_for(&id, Route::Referrals, ip)?;
    let ApiJson(req) = body?;
    let (answer, created) = decisions::join(state.referrals.as_ref(), &campaign, &req, &ip.to_string()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(answer)))
}

#[derive(Deserialize)]
struct Landing {
    visitor: Option<String>,
}

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

#[derive(Deserialize)]
struct Visit {
    visitor: String,
}

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
