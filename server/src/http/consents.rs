//! `GET /v1/consents/confirm`: the link of the marketing opt-in mail. A browser gets a small page
//! in the shopper's language; a client asking for JSON gets JSON. Confirming twice is harmless; an
//! expired or altered link changes nothing.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::i18n::consent::{optin_page, OptInPage};
use vouch_core::i18n::Locale;
use vouch_core::ErrorCode;

use super::error::{status_of, ApiError};
use super::AppState;
use crate::backends::consents::Confirmation;
use crate::clock::now_ms;
use crate::consents::optin::LinkError;
use crate::crypto::format_iso8601_ms;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(confirm))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(super) enum OptInStatus {
    /// Confirmed by this request.
    Confirmed,
    /// Confirmed before; nothing changed.
    AlreadyConfirmed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(super) struct OptInConfirmation {
    pub(super) status: OptInStatus,
    /// When the shopper confirmed (the first time), ISO 8601.
    pub(super) confirmed_at: String,
}

/// What went wrong, with the language to say it in.
struct Refusal {
    code: ErrorCode,
    locale: Locale,
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

fn page(status: StatusCode, locale: Locale, text: OptInPage) -> Response {
    let (title, text) = (optin_page(OptInPage::Title, locale), optin_page(text, locale));
    let lang = locale.code();
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n</head>\n\
         <body>\n<main><h1>{title}</h1><p role=\"status\">{text}</p></main>\n</body>\n</html>\n"
    );
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")),
    ];
    (status, headers, Html(html)).into_response()
}

fn refused(r: Refusal, json: bool) -> Response {
    if json {
        let message = match r.code {
            ErrorCode::OptInLinkExpired => "This confirmation link has expired; nothing was changed.",
            _ => "This confirmation link is not valid; nothing was changed.",
        };
        return ApiError::new(r.code, message).into_response();
    }
    let text = if r.code == ErrorCode::OptInLinkExpired { OptInPage::Expired } else { OptInPage::Invalid };
    page(status_of(r.code), r.locale, text)
}

/// Confirms the marketing consent a mailed link names.
#[utoipa::path(
    get,
    path = "/v1/consents/confirm",
    operation_id = "confirm_marketing",
    tag = "hosting",
    summary = "The marketing opt-in link: confirms the consent once; a second visit answers `already_confirmed`.",
    params(
        ("token" = String, Query, description = "The signed token of the link in the opt-in mail."),
        ("Accept" = Option<String>, Header, description = "`application/json` for JSON; otherwise a page in the shopper's language."),
    ),
    responses(
        (status = 200, description = "Confirmed now, or before: JSON when asked for, else a page.", content(
            (OptInConfirmation = "application/json"),
            (String = "text/html"),
        )),
        (status = 400, description = "`opt_in_link_invalid`: altered, unknown or not ours; nothing changed (a page for browsers).", content(
            (vouch_core::wire::ErrorBody = "application/json"),
            (String = "text/html"),
        )),
        (status = 410, description = "`opt_in_link_expired`: past its days (`[mail] optin_days`); nothing changed (a page for browsers).", content(
            (vouch_core::wire::ErrorBody = "application/json"),
            (String = "text/html"),
        )),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn confirm(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let json = wants_json(&headers);
    let browser = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default();
    let token = query.get("token").map(String::as_str).unwrap_or_default();
    let link = match state.optin.verify(token, now_ms()) {
        Ok(link) => link,
        Err(LinkError::Expired(locale)) => {
            return Ok(refused(Refusal { code: ErrorCode::OptInLinkExpired, locale }, json));
        }
        Err(LinkError::Invalid) => {
            return Ok(refused(Refusal { code: ErrorCode::OptInLinkInvalid, locale: browser }, json))
        }
    };
    let (status, at) = match state.consents.confirm_marketing(&link.record_id, now_ms()).await? {
        Confirmation::Confirmed(at) => (OptInStatus::Confirmed, at),
        Confirmation::AlreadyConfirmed(at) => (OptInStatus::AlreadyConfirmed, at),
        // Signed by us, but its record is gone (erased): as good as no link.
        Confirmation::Unknown => {
            return Ok(refused(Refusal { code: ErrorCode::OptInLinkInvalid, locale: link.locale }, json));
        }
    };
    if json {
        return Ok(Json(OptInConfirmation { status, confirmed_at: format_iso8601_ms(at) }).into_response());
    }
    let text = if status == OptInStatus::Confirmed { OptInPage::Confirmed } else { OptInPage::AlreadyConfirmed };
    Ok(page(StatusCode::OK, link.locale, text))
}
