//! `POST /v1/conversions`: the merchant's back end reports a friend's purchase, authenticated with
//! the campaign's merchant secret (stored hashed).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use vouch_core::wire::{ConversionAccepted, ConversionRequest, ConversionStatus};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::referrals::{bearer, campaign};
use super::AppState;
use crate::crypto::sha256_hex;
use crate::referrals::decisions;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/v1/conversions", post(create))
}

async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<ApiJson<ConversionRequest>, ApiError>,
) -> Result<(StatusCode, Json<ConversionAccepted>), ApiError> {
    let ApiJson(req) = body?;
    let unauthorized = || ApiError::new(ErrorCode::Unauthorized, "A valid merchant secret is required.");
    let secret = bearer(&headers).filter(|s| !s.is_empty()).ok_or_else(unauthorized)?;
    let campaign = campaign(&state, &req.campaign)?;
    if !state.referrals.merchant_secret_known(campaign.id(), &sha256_hex(secret)).await? {
        return Err(unauthorized());
    }
    let (conversion_id, _) =
        decisions::convert(state.referrals.as_ref(), &campaign, &req, &ip.to_string(), true).await?;
    Ok((StatusCode::ACCEPTED, Json(ConversionAccepted { conversion_id, status: ConversionStatus::Accepted })))
}
