//! JSON bodies of admin routes: the wrong type, oversize and malformed bodies get the structured
//! error. The parser's own message is left out: it can quote the body, and bodies hold passwords.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use vouch_core::ErrorCode;

use crate::http::error::ApiError;
use crate::http::json::require_json;

/// Admin bodies are small (a login, a decision); code imports are text and read otherwise.
const LIMIT: usize = 64 * 1024;

pub struct AdminJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AdminJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let bytes = axum::body::to_bytes(req.into_body(), LIMIT).await.map_err(|_| {
            ApiError::new(ErrorCode::BodyTooLarge, format!("The request body must be at most {LIMIT} bytes."))
        })?;
        serde_json::from_slice(&bytes)
            .map(AdminJson)
            .map_err(|_| ApiError::new(ErrorCode::MalformedJson, "The body is not valid JSON for this route."))
    }
}
