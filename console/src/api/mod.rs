//! The typed client of the admin API (docs/admin-api.md): same-origin `fetch` with the session
//! cookie, the CSRF token on every write, and one error type the pages show.
//!
//! The token lives here (not in every page's props) because every write needs it and it changes
//! only at login; a 401 anywhere calls the app's handler, which drops the session and shows the
//! login form.

pub mod types;

use types::ErrorBody;

use std::cell::RefCell;
use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;
use vouch_core::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

pub const BASE: &str = "/admin/v1";

thread_local! {
    static CSRF: RefCell<Option<String>> = const { RefCell::new(None) };
    static ON_UNAUTHORIZED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

pub fn set_csrf(token: Option<String>) {
    CSRF.with(|c| *c.borrow_mut() = token);
}

/// What to do when the server says the session is gone (idle or absolute expiry, logout elsewhere).
pub fn on_unauthorized(handler: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|h| *h.borrow_mut() = Some(Box::new(handler)));
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: offline, server down.
    Network,
    /// 401: not logged in, or the session expired.
    Unauthorized { code: Option<ErrorCode> },
    /// 403: the role or the campaign scope does not allow it (or the CSRF check failed).
    Forbidden { code: Option<ErrorCode> },
    /// Any other error answer, with the server's structured body when there is one.
    Http { status: u16, body: Option<ErrorBody>, retry_after: Option<u32> },
}

impl ApiError {
    /// What the operator reads.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => "The server cannot be reached. Check the connection and try again.".into(),
            // One answer for unknown e-mail and wrong password, as the server gives.
            ApiError::Unauthorized { code: Some(ErrorCode::InvalidCredentials), .. } => {
                "The e-mail or the password is wrong.".into()
            }
            ApiError::Unauthorized { .. } => "Your session has ended. Please log in.".into(),
            ApiError::Forbidden { code: Some(ErrorCode::CsrfRejected), .. } => {
                "The request was refused as a possible forgery. Reload the page and try again.".into()
            }
            ApiError::Forbidden { .. } => "Your role does not allow this, or the campaign is not yours.".into(),
            ApiError::Http { status: 429, body, retry_after } => {
                let retry_after = *retry_after;
                let locked = body.as_ref().is_some_and(|b| b.error.code == ErrorCode::LoginLocked);
                let text =
                    if locked { "Too many failed logins: login is locked for a while." } else { "Too many requests." };
                match retry_after {
                    Some(secs) if secs >= 120 => format!("{text} Try again in {} minutes.", secs.div_ceil(60)),
                    Some(secs) => format!("{text} Try again in {secs} seconds."),
                    None => text.to_string(),
                }
            }
            ApiError::Http { body: Some(body), .. } => {
                let fields: Vec<String> =
                    body.error.fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
                if fields.is_empty() {
                    body.error.message.clone()
                } else {
                    format!("{} ({})", body.error.message, fields.join("; "))
                }
            }
            ApiError::Http { status, .. } => format!("The server answered {status}."),
        }
    }
}

// These take the path by value before returning the future (not `async fn`), so a caller may
// pass a temporary `&format!(…)` and keep the future for later.

pub fn get<T: DeserializeOwned>(path: &str) -> impl Future<Output = Result<T, ApiError>> + 'static {
    let path = path.to_string();
    async move { send(&path, "GET", None).await }
}

pub fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> impl Future<Output = Result<T, ApiError>> + 'static {
    let path = path.to_string();
    let json = serde_json::to_string(body).ok();
    async move {
        let json = json.ok_or(ApiError::Network)?;
        send(&path, "POST", Some(("application/json", json))).await
    }
}

/// A POST without a body (verify, redrive, pause…).
pub fn post_empty<T: DeserializeOwned>(path: &str) -> impl Future<Output = Result<T, ApiError>> + 'static {
    let path = path.to_string();
    async move { send(&path, "POST", None).await }
}

pub fn post_text<T: DeserializeOwned>(path: &str, text: String) -> impl Future<Output = Result<T, ApiError>> + 'static {
    let path = path.to_string();
    async move { send(&path, "POST", Some(("text/plain; charset=utf-8", text))).await }
}

pub fn delete(path: &str) -> impl Future<Output = Result<serde_json::Value, ApiError>> + 'static {
    let path = path.to_string();
    async move { send(&path, "DELETE", None).await }
}

/// Percent-encodes one query or path component.
pub fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

async fn send<T: DeserializeOwned>(path: &str, method: &str, body: Option<(&str, String)>) -> Result<T, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if method != "GET" {
        if let Some(token) = CSRF.with(|c| c.borrow().clone()) {
            let _ = headers.set("X-CSRF-Token", &token);
        }
    }
    if let Some((content_type, body)) = body {
        let _ = headers.set("Content-Type", content_type);
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let url = format!("{BASE}{path}");
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    let status = response.status();
    if response.ok() {
        // 204 has no body: read it as JSON null.
        let text = if text.is_empty() { "null" } else { text.as_str() };
        return serde_json::from_str(text).map_err(|_| ApiError::Http { status, body: None, retry_after: None });
    }
    let parsed: Option<ErrorBody> = serde_json::from_str(&text).ok();
    let code = parsed.as_ref().map(|b| b.error.code);
    match status {
        401 => {
            // A failed login is a 401 too, but it is the login form's own answer, not an expiry.
            if code != Some(ErrorCode::InvalidCredentials) {
                ON_UNAUTHORIZED.with(|h| {
                    if let Some(h) = h.borrow().as_ref() {
                        h();
                    }
                });
            }
            Err(ApiError::Unauthorized { code })
        }
        403 => Err(ApiError::Forbidden { code }),
        _ => {
            let retry_after = response.headers().get("retry-after").ok().flatten().and_then(|v| v.parse().ok());
            Err(ApiError::Http { status, body: parsed, retry_after })
        }
    }
}
