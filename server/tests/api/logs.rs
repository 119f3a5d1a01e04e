//! The whole API flow with every log line captured: no shopper's mailbox, name or phone number
//! may appear in them, on either backend, including the failure paths (refused fields, a receipt
//! that is no image, webhooks that fail, messages that are retried).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Value};
use vouch_server::crypto::sha256_hex;

use crate::helpers::{jpeg, TestApp};

#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every event of every crate at debug level and above, from this process (nextest runs each
/// test in a process of its own).
pub fn capture() -> Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug,hyper=info,hyper_util=info,h2=info,rustls=info")
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .init();
        logs
    })
    .clone()
}

const FIRST: &str = "Quintessa";
const LAST: &str = "Vandermolen";
const PHONE: &str = "+49 151 7654 3210";
const PHONE_DIGITS: &str = "4915176543210";
const SECRET: &str = "vm_logs_secret";

fn mailbox(tag: &str) -> String {
    format!("quintessa.{tag}.{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..8])
}

fn entry(email: &str, upload: Option<&str>) -> Value {
    json!({
        "fields": {"first_name": FIRST, "last_name": LAST, "email": email, "phone": PHONE, "postal_code": "10115"},
        "consents": {"terms": true, "marketing": true},
        "receipt_upload_id": upload,
        "referral_code": null
    })
}

/// Runs the flows and returns the mailboxes it used.
async fn the_whole_flow(app: &TestApp) -> Vec<String> {
    let mut used = Vec::new();
    // A confirmed entry, its replay, a reused key, and refused fields.
    let good = mailbox("entry");
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    assert_eq!(app.entry("demo", &entry(&good, Some(&upload)), "logs-1").await.status(), 202);
    app.entry("demo", &entry(&good, Some(&upload)), "logs-1").await;
    app.entry("demo", &entry(&mailbox("reused"), Some(&upload)), "logs-1").await;
    let bad =
        json!({"fields": {"first_name": FIRST, "last_name": "", "email": format!("{FIRST}@@nowhere"), "phone": PHONE}});
    assert_eq!(app.entry("demo", &bad, "logs-2").await.status(), 422);
    // A receipt that is no image: rejected by the worker.
    let not_image = mailbox("rejected");
    let fake = app.uploaded("demo", b"\xff\xd8\xff\xe0 definitely not a jpeg", "image/jpeg").await;
    app.entry("demo", &entry(&not_image, Some(&fake)), "logs-3").await;
    // A referrer, a friend converting through the browser and the merchant, a webhook that fails.
    let referrer = mailbox("referrer");
    let join = json!({"first_name": FIRST, "email": referrer, "consents": {"terms": true, "marketing": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let friend = mailbox("friend");
    let order =
        json!({"campaign": "demo", "order_id": "o-logs", "email": friend, "referral_code": joined["referral_code"]});
    app.post_json("/v1/campaigns/demo/conversions", &order, None).await;
    app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&order).send().await.unwrap();
    // An unreadable message whose parse error quotes a mailbox, retried and dead-lettered.
    app.queue("entries").send(format!("{{\"accepted_at_ms\": \"{good}\"}}")).await.unwrap();
    for _ in 0..5 {
        app.drain().await;
    }
    used.extend([good, not_image, referrer, friend]);
    used
}

async fn hooks_that_fail() -> String {
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(|| async { axum::http::StatusCode::INTERNAL_SERVER_ERROR }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn assert_clean(logs: &Captured, mailboxes: &[String]) {
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(text.lines().count() > 10, "the flow was logged at all:\n{text}");
    let mut needles: Vec<&str> = vec![FIRST, LAST, PHONE, PHONE_DIGITS];
    needles.extend(mailboxes.iter().map(String::as_str));
    for needle in needles {
        let hits: Vec<&str> = text.lines().filter(|l| l.to_lowercase().contains(&needle.to_lowercase())).collect();
        assert!(hits.is_empty(), "{needle:?} appears in {} log lines, e.g. {}", hits.len(), hits[0]);
    }
}

/// What an operator sees of the dead letters (the unreadable message of the flow among them)
/// names no shopper either.
async fn assert_dead_letters_clean(app: &TestApp, mailboxes: &[String]) {
    crate::dead_letters::drain_until_dead(app, 1).await;
    let backends = &app.running.backends;
    let mut shown = String::new();
    for (name, _) in backends.queues() {
        let dead = vouch_server::queues::dead_letters(backends, name, 50).await.unwrap();
        shown.push_str(&serde_json::to_string(&dead).unwrap());
    }
    assert!(shown.contains("last_error"), "the flow dead-letters its unreadable message: {shown}");
    let mut needles: Vec<&str> = vec![FIRST, LAST, PHONE, PHONE_DIGITS];
    needles.extend(mailboxes.iter().map(String::as_str));
    for needle in needles {
        assert!(!shown.to_lowercase().contains(&needle.to_lowercase()), "{needle:?} in the dead letters: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_reaches_the_logs_on_the_embedded_backends() {
    let logs = capture();
    let app = TestApp::spawn_with_webhook(&hooks_that_fail().await).await;
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    app.running.backends.referrals.set_webhook_secret("demo", "whsec_logs").await.unwrap();
    let used = the_whole_flow(&app).await;
    assert_clean(&logs, &used);
    assert_dead_letters_clean(&app, &used).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_reaches_the_logs_on_aws() {
    let logs = capture();
    let app = TestApp::spawn_aws().await;
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let used = the_whole_flow(&app).await;
    assert_clean(&logs, &used);
    assert_dead_letters_clean(&app, &used).await;
}
