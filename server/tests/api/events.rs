//! `POST /v1/events`: a page's funnel events, taken whole onto their own queue lane or refused
//! whole with a structured error. Every case runs on both backends (SQLite, and SQS on moto), and
//! looks at the events queue itself: one message per accepted batch, nothing on a refusal.

use std::time::Duration;

use reqwest::Response;
use serde_json::{json, Value};
use vouch_core::analytics::{EventKind, ValidBatch, MAX_BATCH_BYTES, MAX_BATCH_EVENTS};

use crate::helpers::{TestApp, SHOP};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn batch(id: &str, events: Value) -> Value {
    json!({"campaign": "demo", "batch": id, "session": "session-0123456789", "events": events})
}

fn funnel(at: i64) -> Value {
    json!([
        {"type": "impression", "at": at},
        {"type": "form_start", "at": at},
        {"type": "share", "channel": "whatsapp", "at": at},
        {"type": "share", "channel": "qr", "at": at},
    ])
}

/// As `navigator.sendBeacon` posts a `text/plain` Blob from the shop's page.
async fn beacon(app: &TestApp, origin: Option<&str>, body: &str) -> Response {
    let mut req = app
        .client
        .post(app.url("/v1/events"))
        .header("content-type", "text/plain;charset=UTF-8")
        .body(body.to_string());
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req.send().await.unwrap()
}

async fn queued(app: &TestApp) -> u64 {
    let stats = app.queue("events").stats().await.unwrap();
    stats.ready + stats.in_flight
}

/// The status and `error.code` of a refusal, after checking nothing reached the queue.
async fn refused(app: &TestApp, res: Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert_eq!(queued(app).await, 0, "a refused batch was queued: {body}");
    (status, body["error"]["code"].as_str().unwrap().to_string())
}

async fn a_batch_is_queued_once_whole(app: TestApp) {
    let at = now_ms();
    let res = beacon(&app, Some(SHOP), &batch("batch-accepted-1", funnel(at)).to_string()).await;
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
    // JSON clients are served the same.
    let res =
        app.post_json("/v1/events", &batch("batch-accepted-2", json!([{"type": "submit", "at": at}])), None).await;
    assert_eq!(res.status(), 204);
    assert_eq!(queued(&app).await, 2);

    let mut got = app.queue("events").receive(10, Duration::from_secs(30)).await.unwrap();
    got.sort_by(|a, b| a.body.cmp(&b.body));
    let batches: Vec<ValidBatch> = got.iter().map(|d| serde_json::from_str(&d.body).unwrap()).collect();
    assert_eq!(batches.len(), 2);
    let first = batches.iter().find(|b| b.batch_id == "batch-accepted-1").expect("the beacon's batch");
    assert_eq!((first.campaign.as_str(), first.session.as_deref()), ("demo", Some("session-0123456789")));
    let kinds: Vec<_> = first.events.iter().map(|e| (e.kind, e.detail.as_str(), e.at_ms)).collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Impression, "", at),
            (EventKind::FormStart, "", at),
            (EventKind::Share, "whatsapp", at),
            (EventKind::Share, "qr", at),
        ]
    );
}

#[tokio::test]
async fn a_batch_is_queued_once_whole_on_sqlite() {
    a_batch_is_queued_once_whole(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_queued_once_whole_on_sqs() {
    a_batch_is_queued_once_whole(TestApp::spawn_aws().await).await;
}

async fn bad_batches_are_refused_whole(app: TestApp) {
    let at = now_ms();
    let good = |extra: Value| {
        let mut events = funnel(at).as_array().unwrap().clone();
        events.push(extra);
        batch("batch-refused", Value::Array(events)).to_string()
    };
    let cases = [
        ("an unknown type", good(json!({"type": "purchase", "at": at})), Some(SHOP), 422, "event_unknown"),
        (
            "an unknown channel",
            good(json!({"type": "share", "channel": "myspace", "at": at})),
            Some(SHOP),
            422,
            "event_unknown",
        ),
        ("a server's event", good(json!({"type": "conversion", "at": at})), Some(SHOP), 422, "event_unknown"),
        ("a share without channel", good(json!({"type": "share", "at": at})), Some(SHOP), 422, "event_unknown"),
        (
            "the far future",
            good(json!({"type": "submit", "at": at + 3_600_000})),
            Some(SHOP),
            422,
            "event_time_invalid",
        ),
        (
            "two days ago",
            good(json!({"type": "submit", "at": at - 2 * 86_400_000})),
            Some(SHOP),
            422,
            "event_time_invalid",
        ),
        ("no events", batch("batch-refused", json!([])).to_string(), Some(SHOP), 422, "batch_invalid"),
        (
            "a foreign origin",
            good(json!({"type": "submit", "at": at})),
            Some("https://evil.example"),
            403,
            "origin_not_allowed",
        ),
        (
            "another campaign's origin",
            good(json!({"type": "submit", "at": at})),
            Some("https://other.example"),
            403,
            "origin_not_allowed",
        ),
        ("no origin", good(json!({"type": "submit", "at": at})), None, 403, "origin_required"),
        ("not JSON", "{\"campaign\": \"demo\", \"events\": [".to_string(), Some(SHOP), 400, "malformed_json"),
    ];
    for (what, body, origin, status, code) in cases {
        let res = beacon(&app, origin, &body).await;
        assert_eq!(refused(&app, res).await, (status, code.to_string()), "{what}");
    }

    let many: Vec<Value> = (0..=MAX_BATCH_EVENTS).map(|_| json!({"type": "impression", "at": at})).collect();
    let res = beacon(&app, Some(SHOP), &batch("batch-too-many", Value::Array(many)).to_string()).await;
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP, "a page may read why");
    assert_eq!(refused(&app, res).await, (413, "batch_too_large".into()));
    let padded = json!({"campaign": "demo", "batch": "batch-too-big", "session": "session-0123456789",
        "events": [{"type": "impression", "at": at}], "padding": "x".repeat(MAX_BATCH_BYTES)});
    let res = beacon(&app, Some(SHOP), &padded.to_string()).await;
    assert_eq!(refused(&app, res).await, (413, "body_too_large".into()));

    let unknown =
        json!({"campaign": "nope", "batch": "batch-nope-1", "session": "session-0123456789", "events": funnel(at)});
    let res = beacon(&app, Some(SHOP), &unknown.to_string()).await;
    assert_eq!(refused(&app, res).await, (404, "campaign_not_found".into()));
    let res = app
        .client
        .post(app.url("/v1/events"))
        .header("origin", SHOP)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(batch("batch-form", funnel(at)).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(refused(&app, res).await, (415, "unsupported_media_type".into()));
}

#[tokio::test]
async fn bad_batches_are_refused_whole_on_sqlite() {
    bad_batches_are_refused_whole(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_batches_are_refused_whole_on_sqs() {
    bad_batches_are_refused_whole(TestApp::spawn_aws().await).await;
}

/// The demo campaign with an events allowance of three batches, refilled once a minute.
fn tight_events(c: &mut vouch_server::config::Config) {
    let path = c.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, text.replace("[limits]\n", "[limits]\nevents_per_minute = 1\nevents_burst = 3\n")).unwrap();
}

async fn a_flood_from_one_client_is_told_to_wait(app: TestApp) {
    let at = now_ms();
    for n in 0..3 {
        let res = beacon(&app, Some(SHOP), &batch(&format!("batch-flood-{n}"), funnel(at)).to_string()).await;
        assert_eq!(res.status(), 204);
    }
    let res = beacon(&app, Some(SHOP), &batch("batch-flood-3", funnel(at)).to_string()).await;
    assert_eq!(res.status(), 429);
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "rate_limited");
    assert_eq!(queued(&app).await, 3, "the refused fourth batch was queued");
    // The shopper's other writes keep their own allowance.
    let (status, _) = crate::referrals::join(&app, "demo", "Flo", &format!("flo.{at}@example.com")).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_flood_from_one_client_is_told_to_wait_on_sqlite() {
    a_flood_from_one_client_is_told_to_wait(TestApp::spawn_with(tight_events).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_client_is_told_to_wait_on_sqs() {
    a_flood_from_one_client_is_told_to_wait(TestApp::spawn_aws_with(tight_events).await).await;
}

#[tokio::test]
async fn a_json_client_may_ask_first_from_an_origin_a_campaign_allows() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/events"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let res = preflight(SHOP).await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
    assert!(res.headers()["access-control-allow-headers"].to_str().unwrap().contains("content-type"));
    let res = preflight("https://evil.example").await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
