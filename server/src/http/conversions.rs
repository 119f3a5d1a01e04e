//! `POST /v1/conversions`: the merchant's back end reports a friend's purchase, authenticated with
//! the campaign's merchant secret (stored hashed).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::wire::{ConversionAccepted, ConversionRequest, ConversionStatus};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::json::ApiJson;
use super::openapi::{
    BadRequest, InFlight, NotFound, RequestTimeout, TooLarge, Unauthorized, Unavailable, Unprocessable,
    UnsupportedMediaType,
};
use super::referrals::{bearer, campaign};
use super::AppState;
use crate::crypto::sha256_hex;
use crate::referrals::decisions;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
}

/// The merchant's report is authoritative: a browser report of the same order never blocks it.
#[utoipa::path(
    post,
    path = "/v1/conversions",
    operation_id = "report_conversion",
    tag = "merchant",
    summary = "A friend's qualifying purchase, reported by the merchant's back end; idempotent by (campaign, order_id).",
    security(("merchant_secret" = [])),
    request_body = ConversionRequest,
    responses(
        (status = 202, body = ConversionAccepted, description = "Durably queued for crediting."),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 409, response = InFlight),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    )
)]

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
