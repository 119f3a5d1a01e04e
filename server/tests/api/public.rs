use serde_json::Value;

use crate::helpers::{error_code, TestApp, SHOP};

#[tokio::test]
async fn the_campaign_config_is_public_and_carries_the_form_rules() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/v1/campaigns/demo")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["id"], "demo");
    assert_eq!(body["form"]["phone"], "optional");
    assert_eq!(body["form"]["upload"]["max_bytes"], 200000);
    assert_eq!(body["form"]["upload"]["max_edge_px"], 2560, "the widget downscales photos to it");
    assert!(body.get("allowed_origins").is_none(), "server-only settings stay on the server");
}

#[tokio::test]
async fn an_unknown_campaign_is_a_structured_404() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/v1/campaigns/nope")).send().await.unwrap();
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["code"].as_str()), (404, Some("campaign_not_found")));
    let res = app.post_json("/v1/campaigns/nope/entries", &serde_json::json!({}), Some("k")).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn health_is_public_while_readiness_and_metrics_are_on_the_internal_listener_only() {
    let app = TestApp::spawn().await;
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    let ready: Value = app.client.get(app.internal_url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["checks"]["store"], "up");
    let metrics = app.client.get(app.internal_url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("vouch_entries_accepted_total 0"), "{metrics}");
    // Business volumes and a backend scan per call are not for the internet.
    for path in ["/metrics", "/readyz"] {
        let (status, error) = error_code(app.client.get(app.url(path)).send().await.unwrap()).await;
        assert_eq!((status, error["code"].as_str()), (404, Some("not_found")), "{path} on the public port");
    }
    assert!(app.running.metrics.ip().is_loopback());
}

#[tokio::test]
async fn the_loader_is_public_short_cached_and_cross_origin() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/v1/loader.js")).header("Origin", SHOP).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    let js = res.text().await.unwrap();
    assert!(js.contains("/v1/widget/vouch_entry.js?v="));
    assert!(js.contains("/v1/widget/vouch_referral_bg.wasm?v="));
    assert!(!js.contains("_JS__") && !js.contains("_WASM__"), "a placeholder was left in the loader");
    assert!(
        !js.contains("__MAX_EVENTS__") && js.contains(&format!("i += {})", vouch_core::analytics::MAX_BATCH_EVENTS)),
        "the beacon's batch size is core's"
    );
    assert!(js.contains("data-vouch-campaign"));
}

#[tokio::test]
async fn the_built_widget_is_served_with_its_minified_loader_pointing_at_hashed_bundles() {
    let built = tempfile::tempdir().unwrap();
    std::fs::write(built.path().join("loader.js"), r#"import("__ENTRY_JS__");fetch("__ENTRY_WASM__")"#).unwrap();
    std::fs::write(built.path().join("vouch_entry.js"), "export default 1").unwrap();
    std::fs::write(built.path().join("vouch_entry_bg.wasm"), b"\0asm").unwrap();
    let dir = built.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.widget_dir = dir).await;
    let loader = app.client.get(app.url("/v1/loader.js")).send().await.unwrap().text().await.unwrap();
    let js_url = loader.split('"').nth(1).unwrap().to_string();
    assert!(js_url.starts_with("/v1/widget/vouch_entry.js?v="), "{loader}");
    assert!(loader.contains("/v1/widget/vouch_entry_bg.wasm?v="), "{loader}");
    let js = app.client.get(app.url(&js_url)).send().await.unwrap();
    assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(js.text().await.unwrap(), "export default 1");
    // A bundle that was not built is a 404, not a crash.
    let missing = app.client.get(app.url("/v1/widget/vouch_referral.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_split_bundles_lazy_pieces_are_served_and_nothing_else_of_the_folder() {
    let built = tempfile::tempdir().unwrap();
    std::fs::write(built.path().join("loader.js"), r#"import("__ENTRY_JS__")"#).unwrap();
    std::fs::write(built.path().join("vouch_entry.js"), "export default 1").unwrap();
    std::fs::write(built.path().join("vouch_entry_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(built.path().join("vouch_entry_ab12_split_receipt.wasm"), b"\0asm piece").unwrap();
    std::fs::write(built.path().join("vouch_entry_ab12_notes.js"), "not served").unwrap();
    std::fs::write(built.path().join("notes.txt"), "not served").unwrap();
    let dir = built.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.widget_dir = dir).await;
    let piece = app.client.get(app.url("/v1/widget/vouch_entry_ab12_split_receipt.wasm")).send().await.unwrap();
    assert_eq!(piece.headers()["content-type"], "application/wasm");
    assert_eq!(piece.bytes().await.unwrap().as_ref(), b"\0asm piece");
    for other in ["vouch_entry_ab12_notes.js", "notes.txt"] {
        let other = app.client.get(app.url(&format!("/v1/widget/{other}"))).send().await.unwrap();
        assert_eq!(other.status(), 404);
    }
}

#[tokio::test]
async fn no_secret_reaches_a_served_file_or_response() {
    let app = TestApp::spawn().await;
    let secrets: Value =
        serde_json::from_slice(&std::fs::read(app.config.data_dir.join("secrets.json")).unwrap()).unwrap();
    let grant = app.grant("demo", "image/jpeg", 1000).await.text().await.unwrap();
    let mut served = vec![grant];
    for path in ["/v1/loader.js", "/v1/campaigns/demo"] {
        served.push(app.client.get(app.url(path)).send().await.unwrap().text().await.unwrap());
    }
    for path in ["/metrics", "/readyz"] {
        served.push(app.client.get(app.internal_url(path)).send().await.unwrap().text().await.unwrap());
    }
    for secret in ["signing_key", "s3_secret_key"] {
        let value = secrets[secret].as_str().unwrap();
        assert!(served.iter().all(|body| !body.contains(value)), "{secret} leaked");
    }
}
