//! The one mapping from failures to HTTP answers: every error body has the shape of API.md.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vouch_core::wire::{ErrorBody, ErrorDetail};
use vouch_core::{ErrorCode, FieldError};

use crate::backends::BackendError;

/// How long clients should wait before retrying when a dependency is down.
const UNAVAILABLE_RETRY_SECS: u64 = 5;
/// How long clients should wait before retrying a request whose first attempt is still being
/// answered (or is being taken over once its holder is known to be gone).
const IN_FLIGHT_RETRY_SECS: u64 = 1;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

/// The status each code answers with: a code means one thing, so it has one status.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        ValidationFailed | OrderIdReused | IdempotencyKeyReused | CampaignNotOpen | CampaignClosed
        | EntryLimitReached | BatchInvalid | EventUnknown | EventTimeInvalid => StatusCode::UNPROCESSABLE_ENTITY,
        Conflict => StatusCode::CONFLICT,
        CampaignNotFound | NotFound | EntryNotFound | ReferralNotEnabled | ReferrerNotFound => StatusCode::NOT_FOUND,
        RateLimited | LoginLocked => StatusCode::TOO_MANY_REQUESTS,
        UploadBudgetExhausted | Unavailable | Timeout => StatusCode::SERVICE_UNAVAILABLE,
        Internal | Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        BodyTimeout => StatusCode::REQUEST_TIMEOUT,
        BodyTooLarge | BatchTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        MalformedJson | IdempotencyKeyInvalid | InvalidQuery | OptInLinkInvalid => StatusCode::BAD_REQUEST,
        OptInLinkExpired => StatusCode::GONE,
        OriginNotAllowed | OriginRequired | Forbidden | CsrfRejected => StatusCode::FORBIDDEN,
        Unauthorized | InvalidCredentials => StatusCode::UNAUTHORIZED,
        IdempotencyKeyInFlight | OrderInFlight | JoinCrossedErasure => StatusCode::CONFLICT,
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status: status_of(code), code, message: message.into(), fields: Vec::new(), retry_after: None }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self { fields, ..Self::new(ErrorCode::ValidationFailed, "Some fields need attention.") }
    }

    pub fn campaign_not_found() -> Self {
        Self::new(ErrorCode::CampaignNotFound, "No such campaign.")
    }

    /// A 409 for a duplicate of a request still in flight: come back shortly.
    pub fn in_flight(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { retry_after: Some(IN_FLIGHT_RETRY_SECS), ..Self::new(code, message) }
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(ErrorCode::RateLimited, "Too many requests; please wait a moment.")
        }
    }
}

impl ApiError {
    /// A grant or entry the campaign's schedule does not take now.
    pub fn outside_schedule(state: vouch_core::schedule::ScheduleState) -> Self {
        match state {
            vouch_core::schedule::ScheduleState::NotYetOpen => {
                Self::new(ErrorCode::CampaignNotOpen, "This giveaway has not opened yet.")
            }
            _ => Self::new(ErrorCode::CampaignClosed, "This giveaway has ended."),
        }
    }

    /// The campaign's pending uploads hold its whole budget: a later grant fits again.
    pub fn upload_budget_spent(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                ErrorCode::UploadBudgetExhausted,
                "Too many receipt uploads are waiting to be used right now; please try again shortly.",
            )
        }
    }
}

impl From<BackendError> for ApiError {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::Unavailable(what, detail) => {
                let detail = crate::redact::mailboxes(&detail);
                tracing::warn!(dependency = what, %detail, "dependency unavailable");
                Self {
                    retry_after: Some(UNAVAILABLE_RETRY_SECS),
                    ..Self::new(ErrorCode::Unavailable, "We could not save this right now; please try again shortly.")
                }
            }
            BackendError::Corrupt(detail) => {
                let detail = crate::redact::mailboxes(&detail);
                tracing::error!(%detail, "internal error");
                Self::new(ErrorCode::Internal, "Something went wrong on our side.")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message, fields: self.fields } };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn wire(e: ApiError) -> (StatusCode, String) {
        let response = e.into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn typed_codes_answer_the_same_status_and_bytes_as_the_strings_did() {
        let cases = [
            (ErrorCode::IdempotencyKeyInFlight, 409, "idempotency_key_in_flight"),
            (ErrorCode::OrderIdReused, 422, "order_id_reused"),
            (ErrorCode::EntryLimitReached, 422, "entry_limit_reached"),
            (ErrorCode::UploadBudgetExhausted, 503, "upload_budget_exhausted"),
            (ErrorCode::BodyTimeout, 408, "body_timeout"),
            (ErrorCode::OriginRequired, 403, "origin_required"),
            (ErrorCode::Unauthorized, 401, "unauthorized"),
            (ErrorCode::InvalidCredentials, 401, "invalid_credentials"),
            (ErrorCode::LoginLocked, 429, "login_locked"),
            (ErrorCode::Forbidden, 403, "forbidden"),
            (ErrorCode::CsrfRejected, 403, "csrf_rejected"),
            (ErrorCode::Conflict, 409, "conflict"),
            (ErrorCode::JoinCrossedErasure, 409, "join_crossed_erasure"),
        ];
        for (code, status, text) in cases {
            let (got, body) = wire(ApiError::new(code, "m")).await;
            assert_eq!(got.as_u16(), status, "{text}");
            assert_eq!(body, format!(r#"{{"error":{{"code":"{text}","message":"m"}}}}"#));
        }
    }
}
