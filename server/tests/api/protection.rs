use serde_json::json;

use crate::helpers::{entry_body, error_code, TestApp, SHOP};

#[tokio::test]
async fn a_page_on_an_origin_not_allowed_gets_403_and_no_cors_headers() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/v1/campaigns/demo/uploads"))
        .header("Origin", "https://evil.example")
        .json(&json!({"content_type": "image/jpeg", "size": 10}))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["code"].as_str()), (403, Some("origin_not_allowed")));
}

#[tokio::test]
async fn a_write_without_an_origin_is_refused_but_reads_are_public() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/v1/campaigns/demo/entries"))
        .json(&entry_body("a@example.com", None))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await.1["code"], "origin_required");
    assert_eq!(app.client.get(app.url("/v1/campaigns/demo")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_allowed_origin_gets_a_preflight_answer_naming_it() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/v1/campaigns/demo/entries"))
        .header("Origin", SHOP)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, idempotency-key")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
    assert!(res.headers()["access-control-allow-headers"].to_str().unwrap().contains("idempotency-key"));
    assert!(res.headers().get("access-control-allow-credentials").is_none());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415_or_400() {
    let app = TestApp::spawn().await;
    let post = |ct: &'static str, body: &'static str| {
        app.client
            .post(app.url("/v1/campaigns/demo/entries"))
            .header("Origin", SHOP)
            .header("Idempotency-Key", "k")
            .header("Content-Type", ct)
            .body(body)
            .send()
    };
    let (status, error) = error_code(post("text/plain", "hello").await.unwrap()).await;
    assert_eq!((status, error["code"].as_str()), (415, Some("unsupported_media_type")));
    let (status, error) = error_code(post("application/json", "{\"fields\": ").await.unwrap()).await;
    assert_eq!((status, error["code"].as_str()), (400, Some("malformed_json")));
    let (status, _) = error_code(post("application/json", "[1,2,3]").await.unwrap()).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let mut body = entry_body("a@example.com", None);
    body["fields"]["first_name"] = json!("a".repeat(64 * 1024));
    let (status, error) = error_code(app.entry("demo", &body, "k").await).await;
    assert_eq!((status, error["code"].as_str()), (413, Some("body_too_large")));
}

#[tokio::test]
async fn a_flooding_client_gets_429_with_retry_after_while_others_are_served() {
    let app = TestApp::spawn().await;
    let flood = |client: reqwest::Client, key: String| {
        let url = app.url("/v1/campaigns/tight/entries");
        async move {
            client
                .post(url)
                .header("Origin", SHOP)
                .header("Idempotency-Key", key)
                .json(&entry_body("f@example.com", None))
                .send()
                .await
                .unwrap()
        }
    };
    let flooder = TestApp::client_from("127.0.0.1");
    for i in 0..3 {
        assert_eq!(flood(flooder.clone(), format!("f{i}")).await.status(), 202);
    }
    let res = flood(flooder.clone(), "f-over".into()).await;
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["code"].as_str()), (429, Some("rate_limited")));
    // Another client is unaffected.
    let other = TestApp::client_from("127.0.0.2");
    assert_eq!(flood(other, "o1".into()).await.status(), 202);
    // The refused request left nothing behind.
    assert_eq!(app.queue("entries").stats().await.unwrap().ready, 4);
}

#[tokio::test]
async fn every_response_forbids_framing_and_sniffing() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/v1/campaigns/demo")).send().await.unwrap();
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
