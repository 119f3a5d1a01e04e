//! The per-request deadline: a request still unanswered after `request_timeout` gets the
//! structured error instead of holding its connection and its handler forever.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vouch_core::ErrorCode;

use super::error::ApiError;
use super::AppState;

pub(super) async fn request_deadline(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = state.request_timeout.as_millis() as u64, "a request ran out of time");
            ApiError {
                retry_after: Some(1),
                ..ApiError::new(ErrorCode::Timeout, "This took too long to answer; please try again.")
            }
            .into_response()
        }
    }
}
