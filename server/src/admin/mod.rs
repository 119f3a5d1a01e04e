//! The admin API at `/admin/v1`: what the operator console and integrations call. Every route is
//! registered through [`OpenApiRouter`] with `routes!`, so none exists without its entry in
//! `/admin/v1/openapi.json`. See `docs/admin-api.md` for the contract.
//!
//! Adding a route: write the handler with `#[utoipa::path(...)]` (error responses need only a
//! status and a description: [`doc::error_bodies`] gives them core's `ErrorBody`), take a
//! [`auth::caller::Caller`] before any body (so a signed-out or CSRF-less request is refused
//! before its body is read) and call `caller.read(campaign)?` /
//! `caller.write(campaign)?` / `caller.owner()?` first; register it in [`routes`]; append an
//! audit record for every write ([`audit`]); add it to `ADMIN_ROUTES` in
//! `server/tests/api/admin_helpers.rs`, which checks its authorization and its spec entry.

pub mod audit;
pub mod auth;
pub mod campaign_routes;
pub mod campaign_summary;
pub mod cli;
pub mod codes;
pub mod doc;
pub mod draw_routes;
pub mod entry_query;
pub mod entry_routes;
pub mod json;
pub mod operator_routes;
pub mod operators;
pub mod payouts;
pub mod query;
pub mod queues;
pub mod receipt_links;
pub mod review_routes;
pub mod rewards;
pub mod shoppers;
pub mod stats_routes;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::wiring::Backends;
use crate::campaigns::Campaigns;
use crate::config::AdminConfig;

pub use auth::caller::Caller;
use doc::Security;

/// What admin routes need.
pub struct AdminState {
    pub backends: Backends,
    pub campaigns: Campaigns,
    /// The console's origin (`public_url`'s): writes from any other `Origin` are refused.
    pub origin: String,
    /// Proxies whose `X-Forwarded-For` entries are believed (for the per-client throttle).
    pub trusted_proxy_hops: usize,
    pub settings: AdminConfig,
}

pub type SharedAdmin = Arc<AdminState>;

/// The origin of a URL: scheme, host and port, without path or trailing slash.
pub fn origin_of(url: &str) -> String {
    let url = url.trim_end_matches('/');
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => url.to_string(),
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vouch admin API", description = "Operators, campaigns and their moderation, draws and rewards. See docs/admin-api.md."),
    components(schemas(vouch_core::admin::Role)),
    modifiers(&Security),
    tags(
        (name = "session", description = "Sign in and out"),
        (name = "operators", description = "Operator accounts (owners)"),
        (name = "audit", description = "Who changed what"),
        (name = "campaigns", description = "Campaigns, their counts and embedding"),
        (name = "entries", description = "Entries: search, details with receipts, CSV export"),
        (name = "moderation", description = "The review queue and decisions"),
        (name = "draws", description = "Prize draws, their verification and winners"),
        (name = "rewards", description = "The credits ledger and payouts"),
        (name = "codes", description = "Discount code pools"),
        (name = "queues", description = "Queues shared by every campaign (owners)"),
        (name = "shoppers", description = "A shopper's data exported or erased on request (owners)"),
    ),
)]
struct AdminDoc;

/// Every admin route, with its OpenAPI entry.
fn routes() -> OpenApiRouter<SharedAdmin> {
    OpenApiRouter::with_openapi(AdminDoc::openapi())
        .routes(routes!(auth::session::login, auth::session::me, auth::session::logout))
        .routes(routes!(operator_routes::list, operator_routes::add))
        .routes(routes!(operator_routes::remove))
        .routes(routes!(audit::campaign_audit))
        .routes(routes!(audit::operator_audit))
        .routes(routes!(campaign_routes::list))
        .routes(routes!(campaign_routes::show))
        .routes(routes!(campaign_routes::embed_route))
        .routes(routes!(stats_routes::stats))
        .routes(routes!(entry_routes::list))
        .routes(routes!(entry_routes::detail))
        .routes(routes!(entry_routes::csv))
        .routes(routes!(review_routes::queue))
        .routes(routes!(review_routes::reasons))
        .routes(routes!(review_routes::decide))
        .routes(routes!(draw_routes::list, draw_routes::run))
        .routes(routes!(draw_routes::get))
        .routes(routes!(draw_routes::verify))
        .routes(routes!(draw_routes::forfeit))
        .routes(routes!(draw_routes::notify))
        .routes(routes!(rewards::credits))
        .routes(routes!(rewards::decide))
        .routes(routes!(codes::status))
        .routes(routes!(codes::import))
        .routes(routes!(payouts::csv))
        .routes(routes!(payouts::paid))
        .routes(routes!(queues::overview))
        .routes(routes!(queues::dead))
        .routes(routes!(queues::redrive))
        .routes(routes!(queues::redrive_all))
        .routes(routes!(queues::pause))
        .routes(routes!(queues::resume))
        .routes(routes!(shoppers::export))
        .routes(routes!(shoppers::erase))
}

/// The admin API's OpenAPI 3.1 document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = routes().into_openapi();
    doc::error_bodies(&mut doc);
    doc
}

/// The admin router, ready to merge into the BFF's.
pub fn router(state: AdminState) -> Router {
    let (router, mut spec) = routes().split_for_parts();
    doc::error_bodies(&mut spec);
    let spec = Arc::new(spec);
    router
        .route("/admin/v1/openapi.json", get(move || std::future::ready(Json(spec.as_ref().clone()))))
        .layer(axum::middleware::from_fn(query::structured_rejections))
        // The back button after sign-out must show nothing private.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(Arc::new(state))
}

/// Appends an operator write to the audit log (`"*"` for writes not tied to one campaign).
pub async fn audit(
    backends: &Backends,
    campaign: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> crate::backends::Result<()> {
    backends.moderation.audit(campaign, actor, action, subject, detail, crate::clock::now_ms()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_scheme_host_and_port() {
        assert_eq!(origin_of("https://vouch.example/"), "https://vouch.example");
        assert_eq!(origin_of("http://127.0.0.1:8080/x/y"), "http://127.0.0.1:8080");
    }

    #[test]
    fn the_document_is_openapi_3_1_and_lists_the_session_routes() {
        let doc = serde_json::to_value(openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let session = &doc["paths"]["/admin/v1/session"];
        for method in ["get", "post", "delete"] {
            assert!(session[method].is_object(), "{method} missing");
        }
        // Every route needs a session or a token, except signing in.
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(
            (schemes["session"]["in"].as_str(), schemes["session"]["name"].as_str()),
            (Some("cookie"), Some("vouch_admin"))
        );
        assert_eq!(schemes["token"]["scheme"], "bearer");
        assert_eq!(doc["security"], serde_json::json!([{"session": []}, {"token": []}]));
        assert_eq!(session["post"]["security"], serde_json::json!([{}]));
    }

    #[test]
    fn every_error_answer_has_core_s_error_body() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let mut errors = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, response) in op["responses"].as_object().unwrap() {
                    if status.starts_with('4') || status.starts_with('5') {
                        errors += 1;
                        let schema = &response["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
                    }
                }
            }
        }
        assert!(errors > 50, "{errors} error answers");
        assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
        assert!(doc["components"]["schemas"].get("AdminError").is_none(), "one error schema, core's");
    }
}
