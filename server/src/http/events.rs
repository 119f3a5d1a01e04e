//! `POST /v1/events`: the funnel events a page batched, taken whole or refused whole, and answered
//! as soon as the batch is on its own queue lane (the worker counts it later). Entries never wait
//! for this route: it shares no queue, no lock and no rate allowance with them.
//!
//! Pages send with `navigator.sendBeacon`, a `text/plain` body, so no CORS preflight is needed;
//! `application/json` is taken too. The campaign is in the body, so the campaign's origin rule is
//! applied here rather than by the path-based CORS middleware, with the same answers.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::analytics::{validate, BatchError, EventBatchRequest, MAX_BATCH_BYTES};
use vouch_core::ErrorCode;

use super::client_ip::ClientIp;
use super::cors::with_cors;
use super::error::ApiError;
use super::openapi::ShopWriteRefusals;
use super::AppState;
use crate::limiter::{retry_after_secs, Route};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(ingest))
}

impl From<BatchError> for ApiError {
    fn from(e: BatchError) -> Self {
        let code = match e {
            BatchError::TooManyEvents => ErrorCode::BatchTooLarge,
            BatchError::Empty | BatchError::InvalidBatchId | BatchError::InvalidSession => ErrorCode::BatchInvalid,
            BatchError::UnknownType { .. }
            | BatchError::ServerOnly { .. }
            | BatchError::UnknownChannel { .. }
            | BatchError::ChannelMisplaced { .. } => ErrorCode::EventUnknown,
            BatchError::FromTheFuture { .. } | BatchError::TooOld { .. } => ErrorCode::EventTimeInvalid,
        };
        ApiError::new(code, format!("{e} Nothing in this batch was counted."))
    }
}

/// Funnel events of one page, in one batch.
#[utoipa::path(
    post,
    path = "/v1/events",
    operation_id = "ingest_events",
    tag = "widget",
    summary = "A batch of funnel events from a page (at most 50 events, 16 KiB), taken whole or refused whole; 204 once it is queued.",
    description = "Send `text/plain` (as `navigator.sendBeacon` does, so no CORS preflight) or `application/json`. \
                   The page's `Origin` must be on the campaign's allow-list. One bad event refuses the whole batch \
                   and nothing of it is counted. A batch id is counted once however often it arrives.",
    request_body(content(
        (EventBatchRequest = "text/plain"),
        (EventBatchRequest = "application/json"),
    )),
    responses(
        (status = 204, description = "Queued for counting."),
        ShopWriteRefusals,
    )
)]
async fn ingest(State(state): State<AppState>, ClientIp(ip): ClientIp, req: Request) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let (response, allowed) = match accept(&state, ip, origin.as_ref(), req).await {
        Ok(()) => {
            state.metrics.event_batches_accepted.inc();
            (StatusCode::NO_CONTENT.into_response(), true)
        }
        Err(Refusal { error, allowed }) => {
            state.metrics.event_batches_refused.inc();
            (error.into_response(), allowed)
        }
    };
    // Once the origin is known to be allowed, answers carry the CORS headers, so a page can read why.
    match origin.filter(|_| allowed) {
        Some(origin) => with_cors(response, origin, false),
        None => response,
    }
}

/// A refusal, and whether the origin had been found allowed by then.
struct Refusal {
    error: ApiError,
    allowed: bool,
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Self { error, allowed: false }
    }
}

async fn accept(
    state: &AppState,
    ip: std::net::IpAddr,
    origin: Option<&HeaderValue>,
    req: Request,
) -> Result<(), Refusal> {
    let batch = read_batch(state, req).await?;
    let campaign = state.campaigns.get(&batch.campaign).ok_or_else(ApiError::campaign_not_found)?;
    match origin.map(|o| o.to_str().map(|o| campaign.allows_origin(o))) {
        Some(Ok(true)) => {}
        Some(_) => Err(ApiError::new(ErrorCode::OriginNotAllowed, "This site may not use this campaign."))?,
        None => Err(ApiError::new(ErrorCode::OriginRequired, "Requests that write must carry an allowed Origin."))?,
    }
    let allowed = |error: ApiError| Refusal { error, allowed: true };
    state.limiter.check(campaign.id(), Route::Events, ip).map_err(|wait| {
        state.metrics.rate_limited.inc();
        allowed(ApiError::rate_limited(retry_after_secs(wait)))
    })?;
    let valid = validate(&batch, crate::clock::now_ms()).map_err(|e| allowed(e.into()))?;
    let body = serde_json::to_string(&valid)
        .map_err(|e| allowed(ApiError::from(crate::backends::BackendError::Corrupt(e.to_string()))))?;
    state.events.send(body).await.map_err(|e| allowed(e.into()))?;
    Ok(())
}

/// `text/plain` or `application/json`, at most [`MAX_BATCH_BYTES`], as one JSON batch.
async fn read_batch(state: &AppState, req: Request) -> Result<EventBatchRequest, ApiError> {
    if !plain_or_json(req.headers()) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the batch as text/plain or application/json.",
        ));
    }
    let read =
        tokio::time::timeout(state.body_timeout, axum::body::to_bytes(Body::new(req.into_body()), MAX_BATCH_BYTES));
    let bytes = read
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::BodyTimeout,
                format!("The request body did not arrive within {} ms.", state.body_timeout.as_millis()),
            )
        })?
        .map_err(|_| {
            ApiError::new(
                ErrorCode::BodyTooLarge,
                format!("A batch must be at most {MAX_BATCH_BYTES} bytes; nothing in it was counted."),
            )
        })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(ErrorCode::MalformedJson, format!("The body is not a valid batch of events: {e}.")))
}

fn plain_or_json(headers: &HeaderMap) -> bool {
    let mime = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next());
    mime.is_some_and(|m| ["text/plain", "application/json"].iter().any(|t| m.trim().eq_ignore_ascii_case(t)))
}
