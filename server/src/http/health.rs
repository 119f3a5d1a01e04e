//! Liveness (public), readiness (which dependency is down) and metrics (internal listener).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use super::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz))
}

/// The operators' listener is not the public API: its routes are not in the document.
pub(super) fn internal() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(ready)).route("/metrics", get(metrics))
}

/// Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "hosting",
    responses(
        (status = 200, description = "Alive.", content_type = "text/plain", body = String, example = "ok"),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn healthz() -> &'static str {
    "ok"
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let (store, queue, objects) = tokio::join!(state.store.ping(), queue_stats(&state), state.objects.ping());
    let check = |ok: bool| if ok { "up" } else { "down" };
    let all_ok = store.is_ok() && queue.is_ok() && objects.is_ok();
    let body = json!({
        "status": if all_ok { "ready" } else { "unavailable" },
        "checks": { "store": check(store.is_ok()), "queue": check(queue.is_ok()), "objects": check(objects.is_ok()) }
    });
    (if all_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let queues = queue_stats(&state).await?;
    let mut text = state.metrics.render(&queues);
    text.push_str(&state.metrics.code_pools.render(&code_pools(&state).await?));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text))
}

/// Every campaign's pools, each also checked against its low-water mark (a warning when worse).
async fn code_pools(
    state: &AppState,
) -> Result<Vec<(String, crate::codes::pools::PoolStatus)>, crate::backends::BackendError> {
    let mut all = Vec::new();
    for id in state.campaigns.ids() {
        let Some(campaign) = state.campaigns.get(id).filter(|c| !c.code_pools.is_empty()) else { continue };
        let pools = crate::codes::pools::status(&campaign, state.codes.as_ref()).await?;
        state.metrics.code_pools.observe(&pools, id);
        all.extend(pools.into_iter().map(|p| (id.to_string(), p)));
    }
    Ok(all)
}

async fn queue_stats(
    state: &AppState,
) -> Result<Vec<(&'static str, crate::backends::QueueStats)>, crate::backends::BackendError> {
    let mut all = Vec::with_capacity(state.queues.len());
    for (name, queue) in &state.queues {
        all.push((*name, queue.stats().await?));
    }
    Ok(all)
}
