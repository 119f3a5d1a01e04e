//! The one mapping from failures to HTTP answers: every error body has the shape of API.md.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vouch_core::wire::{ErrorBody, ErrorDetail};
use vouch_core::FieldError;

use crate::backends::BackendError;

/// How long clients should wait before retrying when a dependency is down.
const UNAVAILABLE_RETRY_SECS: u64 = 5;
/// How long clients should wait before retrying a request whose first attempt is still being
/// answered (or is being taken over once its holder is known to be gone).
const IN_FLIGHT_RETRY_SECS: u64 = 1;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new(), retry_after: None }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "Some fields need attention.")
        }
    }

    pub fn campaign_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "campaign_not_found", "No such campaign.")
    }

    /// A 409 for a duplicate of a request still in flight: come back shortly.
    pub fn in_flight(code: &'static str, message: impl Into<String>) -> Self {
        Self { retry_after: Some(IN_FLIGHT_RETRY_SECS), ..Self::new(StatusCode::CONFLICT, code, message) }
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests; please wait a moment.")
        }
    }
}

impl ApiError {
    /// The campaign's pending uploads hold its whole budget: a later grant fits again.
    pub fn upload_budget_spent(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "upload_budget_exhausted",
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
                    ..Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "We could not save this right now; please try again shortly.",
                    )
                }
            }
            BackendError::Corrupt(detail) => {
                let detail = crate::redact::mailboxes(&detail);
                tracing::error!(%detail, "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side.")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail { code: self.code.to_string(), message: self.message, fields: self.fields },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
