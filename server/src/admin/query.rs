//! Query strings of admin routes. The admin API's rule (docs/admin-api.md, "Conventions"): a value
//! the caller got wrong, in the query string as in the body, is **422 `validation_failed`** whose
//! message starts with the parameter's name; 400 is only for a request that cannot be read at
//! all: `invalid_query` (a parameter given twice, a query string that does not decode) as
//! `malformed_json` is for bodies.

use axum::extract::{FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use vouch_core::ErrorCode;

use crate::http::error::ApiError;

/// The refusal of the query parameter `param`'s value; `message` goes on after its name.
pub fn invalid(param: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, format!("{param} {message}"))
}

/// A query string that cannot be read as parameters at all.
fn unreadable(param: &str, message: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, format!("{param} {message}"))
}

/// `Query<T>` whose rejection is the structured `invalid_query`, never axum's plain text. Read
/// numbers as text in `T` and check them in the handler, so a bad one is refused by name.
pub struct AdminQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AdminQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                // serde names the field in backquotes ("duplicate field `status`").
                let text = rejection.body_text();
                let param = text.split('`').nth(1).filter(|p| !p.is_empty() && p.len() <= 40);
                Err(match param {
                    Some(param) if text.contains("duplicate field") => unreadable(param, "must be given at most once."),
                    Some(param) => invalid(param, "is not valid here."),
                    None => unreadable("query", "string could not be read."),
                })
            }
        }
    }
}

/// Middleware over every admin route: axum's plain-text refusal of a query string (a route that
/// still reads `Query<T>` itself, with a number that is not one) becomes the structured
/// `invalid_query`, so no admin answer is ever a bare text line the console cannot read.
pub async fn structured_rejections(req: Request, next: Next) -> Response {
    let has_query = req.uri().query().is_some();
    let response = next.run(req).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    if has_query && plain && response.status() == StatusCode::BAD_REQUEST {
        return unreadable("query", "string cannot be read as this route's parameters.").into_response();
    }
    response
}
