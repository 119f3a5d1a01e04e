//! Liveness, readiness (which dependency is down) and metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::error::ApiError;
use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let (store, queue, objects) = tokio::join!(
        state.store.ping(),
        state.queue.stats(),
        state.objects.ping()
    );
    let check = |ok: bool| if ok { "up" } else { "down" };
    let all_ok = store.is_ok() && queue.is_ok() && objects.is_ok();
    let body = json!({
        "status": if all_ok { "ready" } else { "unavailable" },
        "checks": { "store": check(store.is_ok()), "queue": check(queue.is_ok()), "objects": check(objects.is_ok()) }
    });
    (
        if all_ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(body),
    )
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let queue = state.queue.stats().await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(queue),
    ))
}
