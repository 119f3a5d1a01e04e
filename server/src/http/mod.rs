//! The backend-for-frontend's HTTP surface. Handlers parse and answer; the decisions they call are
//! plain functions and backend traits that tests can drive without a socket.
//!
//! The handlers of campaign writes take their body as `Result<ApiJson<T>, ApiError>`, not as
//! `ApiJson<T>`, and look at it only after [`State::campaign_for`]. A failing extractor answers
//! before the handler runs: with a plain `ApiJson<T>` an unknown campaign would answer 400 or 415
//! instead of 404, and requests with bad bodies would skip the rate limiter, so a client could
//! send them without end and never be told to slow down. Taking the `Result` lets the campaign
//! and the allowance be checked first, for every request, whatever its body.

mod assets;
mod campaign;
pub(crate) mod client_ip;
mod consents;
mod console;
mod conversions;
mod cors;
mod deadline;
mod entries;
pub mod error;
mod events;
mod health;
pub(crate) mod json;
pub mod listener;
pub mod metrics;
pub mod openapi;
mod pages;
mod referrals;
mod uploads;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use assets::WidgetAssets;
pub use console::ConsoleAssets;

use crate::backends::referrals::Referrals;
use crate::backends::{Intake, Objects, Queue, Store};
use crate::campaigns::Campaigns;
use std::net::IpAddr;

use crate::campaigns::Campaign;
use crate::config::FacebookConfig;
use crate::limiter::{retry_after_secs, Limiter, Route};
use crate::uploads::ids::UploadIds;
use crate::uploads::GrantConfig;

pub struct State {
    pub campaigns: Campaigns,
    pub intake: Arc<dyn Intake>,
    pub store: Arc<dyn Store>,
    /// Every queue, by name, for readiness and metrics.
    pub queues: Vec<(&'static str, Arc<dyn Queue>)>,
    /// The funnel events' own lane (`POST /v1/events` enqueues, the worker counts).
    pub events: Arc<dyn Queue>,
    pub referrals: Arc<dyn Referrals>,
    /// Code pools, for their gauges on `/metrics`.
    pub codes: Arc<dyn crate::backends::codes::Codes>,
    pub objects: Arc<dyn Objects>,
    pub grants: GrantConfig,
    pub upload_ids: UploadIds,
    pub limiter: Limiter,
    pub widget: WidgetAssets,
    /// The operator console's page and bundle (`/admin`).
    pub console: ConsoleAssets,
    pub metrics: metrics::Metrics,
    pub max_body_bytes: usize,
    /// Proxies in front of the BFF whose `X-Forwarded-For` entries are believed.
    pub trusted_proxy_hops: usize,
    pub request_timeout: Duration,
    pub body_timeout: Duration,
    /// The origin shoppers reach this BFF at: the configured `public_url`, else its own address
    /// (absolute page URLs are never taken from a request's `Host`).
    pub public_url: String,
    pub facebook: FacebookConfig,
    /// Consent records, for the marketing opt-in link.
    pub consents: Arc<dyn crate::backends::consents::ConsentStore>,
    pub optin: crate::consents::optin::OptInLinks,
}

pub type AppState = Arc<State>;

impl State {
    /// The campaign named in the path, and the client's allowance on `route`: 404 or 429.
    fn campaign_for(&self, id: &str, route: Route, ip: IpAddr) -> Result<Arc<Campaign>, error::ApiError> {
        let campaign = self.campaigns.get(id).ok_or_else(error::ApiError::campaign_not_found)?;
        self.limiter.check(campaign.id(), route, ip).map_err(|wait| {
            self.metrics.rate_limited.inc();
            error::ApiError::rate_limited(retry_after_secs(wait))
        })?;
        Ok(campaign)
    }
}

/// Nothing may be framed, unless a handler set its own framing policy (the Facebook tab).
async fn no_framing(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Every public route, each with its entry in the OpenAPI document (`routes!` adds both).
fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::router())
        .merge(assets::router())
        .merge(campaign::router())
        .merge(uploads::router())
        .merge(entries::router())
        .merge(referrals::router())
        .merge(conversions::router())
        .merge(events::router())
        .merge(pages::router())
        .merge(consents::router())
        .merge(openapi::router())
}

/// The public API's OpenAPI 3.1 document, as `GET /v1/openapi.json` serves it.
pub fn spec() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// The public routes and `admin` (the admin API, with its own state).
pub fn app(state: AppState, admin: Router) -> Router {
    let (router, _) = routes().split_for_parts();
    router
        // The console's page and assets: static files, not API routes (not in the OpenAPI document).
        .merge(console::router())
        .with_state(state.clone())
        .merge(admin)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors::campaign_cors))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(axum::middleware::map_response(no_framing))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state, deadline::request_deadline))
}

/// The operators' listener (`metrics_addr`): readiness and metrics reveal volumes and cost a
/// backend round trip each, so they are not on the public port.
pub fn internal(state: AppState) -> Router {
    health::internal().fallback(not_found).with_state(state)
}

async fn not_found() -> error::ApiError {
    error::ApiError::new(vouch_core::ErrorCode::NotFound, "No such route.")
}
