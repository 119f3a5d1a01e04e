//! The BFF's own pages: the hosted campaign page `/c/{campaign}` and the Facebook fan-page tab
//! `/fb/tab`. The tab alone may be framed, and only by Facebook.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use vouch_core::i18n::{Locale, PageText};
use vouch_core::referral::ReferralCode;

use super::AppState;
use crate::backends::sqlite::now_ms;
use crate::facebook::{self, SignedRequestError};
use crate::page::{campaign_page, message_page, PageContext};

/// Facebook shows tabs from www/web/m.facebook.com.
const FACEBOOK_FRAMING: &str = "frame-ancestors https://facebook.com https://*.facebook.com";

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/c/{campaign}", get(hosted)).route("/fb/tab", get(tab_by_get).post(tab_by_post))
}

fn accept_language(headers: &HeaderMap) -> Option<Locale> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
}

/// The absolute URL of `path` on this BFF: the configured public URL, else the request's host.
fn absolute(state: &AppState, headers: &HeaderMap, path: &str) -> String {
    if let Some(base) = &state.public_url {
        return format!("{}{path}", base.trim_end_matches('/'));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("localhost");
    format!("http://{host}{path}")
}

async fn hosted(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let browser = accept_language(&headers);
    let Some(campaign) = state.campaigns.get(&id) else {
        return (StatusCode::NOT_FOUND, Html(message_page(browser.unwrap_or_default(), PageText::NoCampaign)))
            .into_response();
    };
    // The merchant's choice, then `?lang=` on a shared link, then the browser's.
    let locale = campaign.locale_for(query.get("lang").and_then(|l| Locale::parse(l)).or(browser));
    let url = absolute(&state, &headers, &format!("/c/{}", campaign.id()));
    let ctx = PageContext { locale, url: &url, referral_code: None };
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60")),
        (header::VARY, HeaderValue::from_static("Accept-Language")),
    ];
    (headers, Html(campaign_page(&campaign, &ctx))).into_response()
}

async fn tab_by_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let raw = form.ok().and_then(|Form(mut f)| f.remove("signed_request"));
    tab(&state, &headers, raw.as_deref())
}

async fn tab_by_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(mut query): Query<HashMap<String, String>>,
) -> Response {
    tab(&state, &headers, query.remove("signed_request").as_deref())
}

/// Verifies the signed request, then shows the page's campaign in the viewer's language, with
/// `app_data` as the friend's referral code when it is one.
fn tab(state: &AppState, headers: &HeaderMap, raw: Option<&str>) -> Response {
    let browser = accept_language(headers).unwrap_or_default();
    let Some(secret) = &state.facebook.app_secret else {
        tracing::error!("a Facebook tab request came in, but no app secret is set (VOUCH_FACEBOOK_APP_SECRET)");
        return framed(StatusCode::SERVICE_UNAVAILABLE, message_page(browser, PageText::TabUnverified));
    };
    let now = now_ms() / 1000;
    let request =
        match facebook::verify(raw.unwrap_or(""), secret.expose().as_bytes(), now, state.facebook.max_age_secs) {
            Ok(request) => request,
            Err(e) => {
                tracing::warn!(reason = %e, "refused a Facebook tab request");
                let status = match e {
                    SignedRequestError::Missing | SignedRequestError::Malformed => StatusCode::BAD_REQUEST,
                    SignedRequestError::BadSignature | SignedRequestError::Algorithm | SignedRequestError::Stale => {
                        StatusCode::FORBIDDEN
                    }
                };
                return framed(status, message_page(browser, PageText::TabUnverified));
            }
        };
    let viewer = request.user.as_ref().and_then(|u| u.locale.as_deref()).and_then(Locale::parse);
    let Some(campaign) = request.page.as_ref().and_then(|p| state.campaigns.for_facebook_page(&p.id)) else {
        tracing::warn!(page = ?request.page.map(|p| p.id), "a Facebook tab request for a page no campaign lists");
        return framed(StatusCode::NOT_FOUND, message_page(viewer.unwrap_or(browser), PageText::NoCampaign));
    };
    let locale = campaign.locale_for(viewer.or(Some(browser)));
    let code = request.app_data.as_deref().and_then(|d| ReferralCode::parse(d).ok());
    let url = absolute(state, headers, &format!("/c/{}", campaign.id()));
    let ctx = PageContext { locale, url: &url, referral_code: code.as_ref().map(ReferralCode::as_str) };
    framed(StatusCode::OK, campaign_page(&campaign, &ctx))
}

/// A tab answer: Facebook may frame it (no `X-Frame-Options`), nobody may cache it.
fn framed(status: StatusCode, html: String) -> Response {
    let headers = [
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(FACEBOOK_FRAMING)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (status, headers, Html(html)).into_response()
}
