//! CORS for the campaign routes: a campaign answers only pages on its own allow-list. Writes must
//! come from an allowed origin; a page elsewhere gets a structured 403 and changes nothing.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vouch_core::ErrorCode;

use super::error::ApiError;
use super::AppState;

const ALLOWED_HEADERS: &str = "content-type, idempotency-key, authorization";
const EXPOSED_HEADERS: &str = "retry-after";
const EVENTS_PATH: &str = "/v1/events";

/// The campaign id of a `/v1/campaigns/{campaign}/…` path.
fn campaign_of(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/campaigns/")?.split('/').next().filter(|s| !s.is_empty())
}

pub(super) async fn campaign_cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == EVENTS_PATH && req.method() == Method::OPTIONS {
        return events_preflight(&state, &req);
    }
    let Some(id) = campaign_of(req.uri().path()).map(str::to_string) else {
        return next.run(req).await;
    };
    let Some(campaign) = state.campaigns.get(&id) else {
        return ApiError::campaign_not_found().into_response();
    };
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allowed = origin.as_ref().and_then(|o| o.to_str().ok()).is_some_and(|o| campaign.allows_origin(o));
    let method = req.method().clone();
    match (origin, allowed) {
        (Some(origin), true) if method == Method::OPTIONS => {
            with_cors(StatusCode::NO_CONTENT.into_response(), origin, true)
        }
        (Some(origin), true) => with_cors(next.run(req).await, origin, false),
        (Some(_), false) => {
            ApiError::new(ErrorCode::OriginNotAllowed, "This site may not use this campaign.").into_response()
        }
        // No Origin: not a browser. Reads are public; writes must say where they come from.
        (None, _) if method == Method::GET || method == Method::HEAD => next.run(req).await,
        (None, _) => ApiError::new(ErrorCode::OriginRequired, "Requests that write must carry an allowed Origin.")
            .into_response(),
    }
}

/// `POST /v1/events` names its campaign in the body, which a preflight does not carry: an origin
/// some campaign allows may ask, and the POST itself is checked against its own campaign's list.
/// (Beacons send `text/plain` and need no preflight; this is for `application/json` clients.)
fn events_preflight(state: &AppState, req: &Request) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let known = |o: &str| state.campaigns.ids().filter_map(|id| state.campaigns.get(id)).any(|c| c.allows_origin(o));
    match origin {
        Some(origin) if origin.to_str().is_ok_and(known) => {
            with_cors(StatusCode::NO_CONTENT.into_response(), origin, true)
        }
        _ => ApiError::new(ErrorCode::OriginNotAllowed, "This site may not use any campaign.").into_response(),
    }
}

pub(super) fn with_cors(mut response: Response, origin: HeaderValue, preflight: bool) -> Response {
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    if preflight {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_campaign_is_read_from_campaign_paths_only() {
        assert_eq!(campaign_of("/v1/campaigns/demo/entries"), Some("demo"));
        assert_eq!(campaign_of("/v1/campaigns/demo"), Some("demo"));
        assert_eq!(campaign_of("/v1/campaigns/"), None);
        assert_eq!(campaign_of("/v1/loader.js"), None);
    }
}
