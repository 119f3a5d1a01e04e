//! Reading a JSON request body: wrong content type, oversize and malformed bodies all become the
//! structured error, never axum's plain-text rejections.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;
use vouch_core::ErrorCode;

use super::error::ApiError;
use super::AppState;

/// The refusal of a body that does not say it is JSON (the public and the admin API alike).
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if is_json {
        return Ok(());
    }
    Err(ApiError::new(ErrorCode::UnsupportedMediaType, "Send JSON with Content-Type: application/json."))
}

/// A JSON body parsed into `T`.
pub(super) struct ApiJson<T>(pub(super) T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let limit = state.max_body_bytes;
        // A client trickling its body must not hold a connection and a task for as long as it likes.
        let read = tokio::time::timeout(state.body_timeout, axum::body::to_bytes(Body::new(req.into_body()), limit));
        let bytes = read
            .await
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::BodyTimeout,
                    format!("The request body did not arrive within {} ms.", state.body_timeout.as_millis()),
                )
            })?
            .map_err(|_| {
                ApiError::new(ErrorCode::BodyTooLarge, format!("The request body must be at most {limit} bytes."))
            })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            ApiError::new(ErrorCode::MalformedJson, format!("The body is not valid JSON for this route: {e}."))
        })
    }
}
