//! The funnel's counters as a campaign's facts and pages' batches make them: the server's facts
//! counted where they become true, once each however often their messages arrive, and pages'
//! sessions once per counter.

use std::time::Duration;

use serde_json::{json, Value};
use vouch_core::analytics::{day_of, validate, EventBatchRequest, PageEvent};
use vouch_core::rewards::CreditState;
use vouch_server::backends::referrals::Credit;
use vouch_server::clock::now_ms;
use vouch_server::codes::verdicts::{decide, Verdict};
use vouch_server::crypto::sha256_hex;

use crate::helpers::{entry_body, jpeg, TestApp};
use crate::photos::receipt;
use crate::referrals::SECRET;

type Row = (String, String, u64, u64);

/// Today's counters of the demo campaign: `(event, detail, events, sessions)`, sorted.
async fn today(app: &TestApp) -> Vec<Row> {
    let day = day_of(now_ms());
    let counters = app.running.backends.analytics.counters("demo", &day, &day).await.unwrap();
    let mut rows: Vec<Row> =
        counters.into_iter().map(|c| (c.event.as_str().to_string(), c.detail, c.events, c.sessions)).collect();
    rows.sort();
    rows
}

fn row(event: &str, detail: &str, events: u64, sessions: u64) -> Row {
    (event.into(), detail.into(), events, sessions)
}

async fn entry(app: &TestApp, bytes: &[u8], key: &str) -> String {
    let upload = app.uploaded("demo", bytes, "image/jpeg").await;
    let res = app.entry("demo", &entry_body(&format!("{key}@example.com"), Some(&upload)), key).await;
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string()
}

fn order(order_id: &str, friend: &str, code: &str) -> Value {
    json!({"campaign": "demo", "order_id": order_id, "email": friend, "referral_code": code, "amount": 49.9, "currency": "EUR"})
}

/// How many of `entries` the worker has decided (no longer `accepted`).
async fn decided(app: &TestApp, entries: &[&String]) -> usize {
    let mut decided = 0;
    for id in entries {
        if app.status("demo", id).await["status"] != "accepted" {
            decided += 1;
        }
    }
    decided
}

async fn the_server_counts_each_fact_once(app: TestApp) {
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let confirmed = entry(&app, &jpeg(60, 60), "zoe").await;
    let rejected = entry(&app, b"<html>not a receipt</html>", "yann").await;
    // The rejected entry's message will come again after it was handled: a redelivery.
    let entries = app.queue("entries");
    let held = entries.receive(1, Duration::from_millis(1)).await.unwrap().remove(0);

    let body = json!({"first_name": "Anna", "email": "anna@example.com", "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &body, None).await.json().await.unwrap();
    let code = joined["referral_code"].as_str().unwrap();
    // Joining again is no new join.
    assert_eq!(app.post_json("/v1/campaigns/demo/referrers", &body, None).await.status(), 200);
    // The merchant's report is approved at once; a browser's waits for an operator.
    let res =
        app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&order("o-1", "ben@example.com", code));
    assert_eq!(res.send().await.unwrap().status(), 202);
    let res = app.post_json("/v1/campaigns/demo/conversions", &order("o-2", "cleo@example.com", code), None).await;
    assert_eq!(res.status(), 202);
    app.drain().await;

    let credits: Vec<Credit> = app.running.backends.referrals.list_credits("demo").await.unwrap();
    let pending = credits.iter().find(|c| c.state == CreditState::Pending && c.side.as_str() == "referrer").unwrap();
    let campaigns = vouch_server::campaigns::Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let backends = &app.running.backends;
    let verdict = decide(backends, &campaigns, None, &pending.credit_id, CreditState::Approved, None, "op").await;
    assert!(matches!(verdict, Ok(Verdict::Decided(_))), "{verdict:?}");
    app.drain().await;
    // The held message shows again after its visibility, which SQS rounds up to a whole second:
    // drain until both entries are decided.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while [&confirmed, &rejected].len() != decided(&app, &[&confirmed, &rejected]).await {
        assert!(std::time::Instant::now() < deadline, "the entries were never decided");
        tokio::time::sleep(Duration::from_millis(200)).await;
        app.drain().await;
    }

    let expected = vec![
        row("conversion", "", 2, 0),
        row("credit_approved", "friend", 1, 0),
        row("credit_approved", "referrer", 2, 0),
        row("entry_accepted", "", 2, 0),
        row("entry_confirmed", "", 1, 0),
        row("entry_rejected", "receipt_not_an_image", 1, 0),
        row("join", "", 1, 0),
    ];
    assert_eq!(today(&app).await, expected);
    let statuses = [app.status("demo", &confirmed).await, app.status("demo", &rejected).await];
    assert_eq!(statuses.map(|s| s["status"].clone()), [json!("confirmed"), json!("rejected")]);

    // The held message and the events lane's own messages again: nothing more is counted.
    entries.send(held.body).await.unwrap();
    app.drain().await;
    assert_eq!(today(&app).await, expected);
}

fn page_batch(batch: &str, session: &str, kinds: &[(&str, Option<&str>)]) -> String {
    let now = now_ms();
    let events =
        kinds.iter().map(|(k, c)| PageEvent { kind: (*k).into(), channel: c.map(String::from), at: now }).collect();
    let req = EventBatchRequest { campaign: "demo".into(), batch: batch.into(), session: session.into(), events };
    serde_json::to_string(&validate(&req, now).unwrap()).unwrap()
}

async fn pages_batches_count_once_and_sessions_once_per_counter(app: TestApp) {
    let events = app.queue("events");
    let first =
        page_batch("batch-0001", "sess-anna", &[("impression", None), ("form_start", None), ("share", Some("qr"))]);
    for body in [
        first.clone(),
        page_batch("batch-0002", "sess-anna", &[("impression", None), ("share", Some("qr"))]),
        page_batch("batch-0003", "sess-ben1", &[("impression", None), ("share", Some("copy"))]),
        // Delivered twice: counted once.
        first,
    ] {
        events.send(body).await.unwrap();
    }
    app.drain().await;
    assert_eq!(
        today(&app).await,
        vec![
            row("form_start", "", 1, 1),
            row("impression", "", 3, 2),
            row("share", "copy", 1, 1),
            row("share", "qr", 2, 1),
        ]
    );
}

async fn an_unreadable_events_message_is_dead_lettered_without_its_content(app: TestApp) {
    let events = app.queue("events");
    events.send(r#"{"campaign":"demo","batch_id":"b","events":"zoe@example.com"}"#.into()).await.unwrap();
    // It fails every attempt, then rests as a dead letter; the entries lane is not held up.
    let key_entry = entry(&app, &jpeg(40, 40), "after").await;
    for _ in 0..app.config.worker.max_attempts {
        app.drain().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.status("demo", &key_entry).await["status"], "confirmed");
    let dead = events.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    let error = dead[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("unreadable events message"), "{error}");
    assert!(!error.contains("zoe"), "{error}");
    assert_eq!(today(&app).await, vec![row("entry_accepted", "", 1, 0), row("entry_confirmed", "", 1, 0)]);
}

/// Under `moderation = "all"`, entries wait; a reviewer's decisions are their verdicts.
async fn a_reviewers_decisions_count_as_verdicts(app: TestApp) {
    let moderator = app.operator(vouch_core::admin::Role::Moderator, &["demo"]).await;
    let (ana, ben) = (entry(&app, &receipt(21), "ana").await, entry(&app, &receipt(22), "ben").await);
    app.drain().await;
    assert_eq!(today(&app).await, vec![row("entry_accepted", "", 2, 0)], "waiting entries have no verdict yet");
    let decide = |id: &str| format!("/admin/v1/campaigns/demo/entries/{id}/decision");
    for _ in 0..2 {
        // The second time: a retry after a lost answer.
        assert_eq!(moderator.post(&decide(&ana), json!({"decision": "approve"})).await.status(), 200);
        let reject = json!({"decision": "reject", "reason": "wrong_store"});
        assert_eq!(moderator.post(&decide(&ben), reject).await.status(), 200);
    }
    app.drain().await;
    assert_eq!(
        today(&app).await,
        vec![
            row("entry_accepted", "", 2, 0),
            row("entry_confirmed", "", 1, 0),
            row("entry_rejected", "receipt_wrong_store", 1, 0),
        ]
    );
}

#[tokio::test]
async fn a_reviewers_decisions_count_as_verdicts_embedded() {
    let app = TestApp::spawn_with(|config| {
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap();
        std::fs::write(demo, format!("moderation = \"all\"\n{text}")).unwrap();
    })
    .await;
    a_reviewers_decisions_count_as_verdicts(app).await;
}

#[tokio::test]
async fn the_server_counts_each_fact_once_embedded() {
    the_server_counts_each_fact_once(TestApp::spawn().await).await;
}

#[tokio::test]
async fn the_server_counts_each_fact_once_aws() {
    the_server_counts_each_fact_once(TestApp::spawn_aws().await).await;
}

#[tokio::test]
async fn pages_batches_count_once_and_sessions_once_per_counter_embedded() {
    pages_batches_count_once_and_sessions_once_per_counter(TestApp::spawn().await).await;
}

#[tokio::test]
async fn pages_batches_count_once_and_sessions_once_per_counter_aws() {
    pages_batches_count_once_and_sessions_once_per_counter(TestApp::spawn_aws().await).await;
}

#[tokio::test]
async fn an_unreadable_events_message_is_dead_lettered_without_its_content_embedded() {
    let app = TestApp::spawn_with(|c| {
        c.worker.max_attempts = 3;
        c.worker.retry_backoff_ms = 10;
    })
    .await;
    an_unreadable_events_message_is_dead_lettered_without_its_content(app).await;
}
