//! The BFF's own pages: the hosted campaign page `/c/{campaign}` and the Facebook fan-page tab
//! `/fb/tab`. The tab alone may be framed, and only by Facebook.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::i18n::{Locale, PageText};
use vouch_core::referral::ReferralCode;

use super::campaign::public_now;
use super::AppState;
use crate::clock::now_ms;
use crate::pages::facebook::{self, SignedRequestError};
use crate::pages::page::{campaign_page, message_page, PageContext};

/// Facebook shows tabs from www/web/m.facebook.com.
const FACEBOOK_FRAMING: &str = "https://facebook.com https://*.facebook.com";

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(hosted)).routes(routes!(tab_by_get, tab_by_post))
}

/// A form Facebook posts to a tab.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // read as a map: only its schema is used
struct TabForm {
    /// The tab's `signed_request`.
    signed_request: String,
}

fn accept_language(headers: &HeaderMap) -> Option<Locale> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
}

/// The absolute URL of `path` on this BFF, from configuration only: a `Host` header is the
/// client's to choose, and a cached page would carry a forged one to every later visitor.
fn absolute(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.public_url.trim_end_matches('/'))
}

/// `scheme://host[:port]` of a URL, when it has only characters an origin can have (so an odd
/// configured URL cannot add directives to the policy).
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let origin = url.get(..scheme.len() + 3 + end)?;
    let host = &rest[..end];
    let fine = !host.is_empty()
        && matches!(scheme, "http" | "https")
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    fine.then_some(origin)
}

/// The page's policy: the widget's code from this origin only (wasm compiled), its calls to this
/// BFF and the object store, images from here, the campaign's image host and the receipt preview.
fn page_policy(state: &AppState, image_url: Option<&str>, frame_ancestors: &str) -> HeaderValue {
    let upload = origin_of(&state.grants.url).map(|o| format!(" {o}")).unwrap_or_default();
    let image = image_url.and_then(origin_of).map(|o| format!(" {o}")).unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'{upload}; \
         img-src 'self' data: blob:{image}; style-src 'self' 'unsafe-inline'; font-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// The hosted campaign page: the widget on a page of its own.
#[utoipa::path(
    get,
    path = "/c/{campaign}",
    operation_id = "hosted_page",
    tag = "hosting",
    params(
        ("campaign" = String, Path, description = "The campaign id."),
        ("lang" = Option<String>, Query, description = "A language for a shared link (`de`); else the browser's."),
        ("preview" = Option<String>, Query, description = "`1`: the console's live preview, which this BFF's own pages may frame (otherwise no page may)."),
    ),
    responses(
        (status = 200, description = "The page.", content_type = "text/html", body = String),
        (status = 404, description = "No such campaign (a page saying so).", content_type = "text/html", body = String),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn hosted(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let browser = accept_language(&headers);
    let Some(campaign) = state.campaigns.get(&id) else {
        let policy = [(header::CONTENT_SECURITY_POLICY, page_policy(&state, None, "'none'"))];
        return (StatusCode::NOT_FOUND, policy, Html(message_page(browser.unwrap_or_default(), PageText::NoCampaign)))
            .into_response();
    };
    // The merchant's choice, then `?lang=` on a shared link, then the browser's.
    let locale = campaign.locale_for(query.get("lang").and_then(|l| Locale::parse(l)).or(browser));
    let url = absolute(&state, &format!("/c/{}", campaign.id()));
    let config = public_now(&campaign, locale);
    let bundle = state.widget.entry_urls();
    let ctx = PageContext { locale, url: &url, referral_code: None, config: &config, bundle };
    // The console frames the page to preview it; only this BFF's own pages may (clickjacking
    // from anywhere else stays impossible), and only when asked for as a preview.
    let preview = query.get("preview").is_some_and(|p| p == "1");
    let (frame_ancestors, frame_options) = if preview { ("'self'", "SAMEORIGIN") } else { ("'none'", "DENY") };
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60")),
        (header::VARY, HeaderValue::from_static("Accept-Language")),
        (header::CONTENT_SECURITY_POLICY, page_policy(&state, campaign.image_url.as_deref(), frame_ancestors)),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static(frame_options)),
    ];
    (headers, Html(campaign_page(&campaign, &ctx))).into_response()
}

/// Facebook's tab request: verifies `signed_request` and shows the page's campaign.
#[utoipa::path(
    post,
    path = "/fb/tab",
    operation_id = "facebook_tab_post",
    tag = "hosting",
    request_body(content = inline(TabForm), content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The page's campaign.", content_type = "text/html", body = String),
        (status = 400, description = "No or a malformed `signed_request`.", content_type = "text/html", body = String),
        (status = 403, description = "A `signed_request` that does not verify or is stale.", content_type = "text/html", body = String),
        (status = 404, description = "No campaign lists this Facebook page.", content_type = "text/html", body = String),
        (status = 503, description = "No Facebook app secret is configured, or the answer took too long.", content(
            (String = "text/html"),
            (vouch_core::wire::ErrorBody = "application/json"),
        )),
    )
)]
async fn tab_by_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let raw = form.ok().and_then(|Form(mut f)| f.remove("signed_request"));
    tab(&state, &headers, raw.as_deref())
}

/// The tab, with `signed_request` in the query.
#[utoipa::path(
    get,
    path = "/fb/tab",
    operation_id = "facebook_tab_get",
    tag = "hosting",
    params(("signed_request" = Option<String>, Query, description = "Facebook's signed request.")),
    responses(
        (status = 200, description = "The page's campaign.", content_type = "text/html", body = String),
        (status = 400, description = "No or a malformed `signed_request`.", content_type = "text/html", body = String),
        (status = 403, description = "A `signed_request` that does not verify or is stale.", content_type = "text/html", body = String),
        (status = 404, description = "No campaign lists this Facebook page.", content_type = "text/html", body = String),
        (status = 503, description = "No Facebook app secret is configured, or the answer took too long.", content(
            (String = "text/html"),
            (vouch_core::wire::ErrorBody = "application/json"),
        )),
    )
)]
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
        return framed(state, None, StatusCode::SERVICE_UNAVAILABLE, message_page(browser, PageText::TabUnverified));
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
                return framed(state, None, status, message_page(browser, PageText::TabUnverified));
            }
        };
    let viewer = request.user.as_ref().and_then(|u| u.locale.as_deref()).and_then(Locale::parse);
    let Some(campaign) = request.page.as_ref().and_then(|p| state.campaigns.for_facebook_page(&p.id)) else {
        tracing::warn!(page = ?request.page.map(|p| p.id), "a Facebook tab request for a page no campaign lists");
        let page = message_page(viewer.unwrap_or(browser), PageText::NoCampaign);
        return framed(state, None, StatusCode::NOT_FOUND, page);
    };
    let locale = campaign.locale_for(viewer.or(Some(browser)));
    let code = request.app_data.as_deref().and_then(|d| ReferralCode::parse(d).ok());
    let url = absolute(state, &format!("/c/{}", campaign.id()));
    let config = public_now(&campaign, locale);
    let referral_code = code.as_ref().map(ReferralCode::as_str);
    let bundle = state.widget.entry_urls();
    let ctx = PageContext { locale, url: &url, referral_code, config: &config, bundle };
    framed(state, campaign.image_url.as_deref(), StatusCode::OK, campaign_page(&campaign, &ctx))
}

/// A tab answer: Facebook may frame it (no `X-Frame-Options`), nobody may cache it.
fn framed(state: &AppState, image_url: Option<&str>, status: StatusCode, html: String) -> Response {
    let headers = [
        (header::CONTENT_SECURITY_POLICY, page_policy(state, image_url, FACEBOOK_FRAMING)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (status, headers, Html(html)).into_response()
}
