//! The Queues page's routes as an owner uses them: a dead-lettered entry listed with its redacted
//! error (no personal data), redriven through the API and stored exactly once; pause and resume;
//! each write audited under the owner's e-mail. On both backends.

use serde_json::{json, Value};
use vouch_core::admin::Role;

use crate::dead_letters::{break_processing, drain_until_dead, enter, mails_to, repair, stored};
use crate::helpers::TestApp;

const EMAIL: &str = "lena.vogt@example.com";

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn lane<'a>(queues: &'a Value, name: &str) -> &'a Value {
    queues.as_array().unwrap().iter().find(|q| q["name"] == name).unwrap_or_else(|| panic!("{queues}"))
}

async fn a_dead_letter_is_listed_and_redriven_through_the_admin_api(app: TestApp) {
    let owner = app.operator(Role::Owner, &[]).await;
    let entry = enter(&app, EMAIL, "k-1").await;
    let outage = break_processing(&app).await;
    drain_until_dead(&app, 1).await;

    let (status, queues) = json_of(owner.get("/admin/v1/queues").await).await;
    assert_eq!(status, 200, "{queues}");
    assert_eq!(
        lane(&queues, "entries"),
        &json!({"name": "entries", "ready": 0, "in_flight": 0, "dead": 1, "paused": false})
    );
    let (status, dead) = json_of(owner.get("/admin/v1/queues/entries/dead?limit=10").await).await;
    assert_eq!(status, 200, "{dead}");
    assert_eq!(dead.as_array().unwrap().len(), 1, "{dead}");
    assert_eq!(
        (dead[0]["campaign"].as_str(), dead[0]["attempts"].as_u64()),
        (Some("demo"), Some(app.config.worker.max_attempts.into()))
    );
    let error = dead[0]["last_error"].as_str().expect("its last error");
    assert!(error.contains("object store") || error.contains("mail (SES)"), "{error}");
    let failed_at = dead[0]["failed_at"].as_str().expect("when it failed");
    assert!(failed_at.len() >= 20 && failed_at.ends_with('Z') && failed_at.contains('T'), "RFC 3339: {failed_at}");
    for private in [EMAIL, "Zoë", "Ünal", &entry] {
        assert!(!dead.to_string().contains(private), "{private} shown: {dead}");
    }
    let (status, bad) = json_of(owner.get("/admin/v1/queues/entries/dead?limit=0").await).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (422, Some("validation_failed")));
    assert!(bad["error"]["message"].as_str().unwrap().starts_with("limit "), "{bad}");
    let (status, bad) = json_of(owner.get("/admin/v1/queues/entries/dead?limit=1&limit=2").await).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("invalid_query")), "not axum's plain text");
    let (status, bad) = json_of(owner.get("/admin/v1/queues/mail/dead").await).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (404, Some("not_found")));

    repair(&app, outage).await;
    let id = dead[0]["id"].as_str().unwrap();
    let redrive = format!("/admin/v1/queues/entries/dead/{id}/redrive");
    assert_eq!(json_of(owner.post(&redrive, json!({})).await).await, (200, json!({"redriven": 1})));
    let (status, again) = json_of(owner.post(&redrive, json!({})).await).await;
    assert_eq!((status, again["error"]["code"].as_str()), (404, Some("not_found")), "redriven already");
    app.drain().await;
    assert_eq!(stored(&app).await, vec![entry], "stored exactly once");
    assert_eq!(mails_to(&app, EMAIL).await, 1, "one confirmation mail");
    let (_, queues) = json_of(owner.get("/admin/v1/queues").await).await;
    assert_eq!(lane(&queues, "entries")["dead"], 0);
    assert_eq!(
        json_of(owner.post("/admin/v1/queues/entries/redrive", json!({})).await).await,
        (200, json!({"redriven": 0}))
    );

    let (status, paused) = json_of(owner.post("/admin/v1/queues/webhooks/pause", json!({})).await).await;
    assert_eq!((status, paused["paused"].as_bool()), (200, Some(true)), "{paused}");
    assert!(app.running.backends.control.paused("webhooks").await.unwrap());
    let (_, queues) = json_of(owner.get("/admin/v1/queues").await).await;
    assert_eq!(lane(&queues, "webhooks")["paused"], true);
    let (_, resumed) = json_of(owner.post("/admin/v1/queues/webhooks/resume", json!({})).await).await;
    assert_eq!(resumed["paused"], false);

    let (_, log) = json_of(owner.get("/admin/v1/audit").await).await;
    let seen: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"].as_str().unwrap().starts_with("queue."))
        .map(|r| (r["actor"].as_str().unwrap(), r["action"].as_str().unwrap(), r["subject"].as_str().unwrap()))
        .collect();
    let who = owner.email.as_str();
    let one = format!("entries/{id}");
    assert_eq!(
        seen,
        vec![
            (who, "queue.resume", "webhooks"),
            (who, "queue.pause", "webhooks"),
            (who, "queue.redrive_all", "entries"),
            (who, "queue.redrive", one.as_str()),
        ],
        "newest first"
    );
}

#[tokio::test]
async fn embedded_a_dead_letter_is_listed_and_redriven_through_the_admin_api() {
    a_dead_letter_is_listed_and_redriven_through_the_admin_api(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_dead_letter_is_listed_and_redriven_through_the_admin_api() {
    a_dead_letter_is_listed_and_redriven_through_the_admin_api(TestApp::spawn_aws().await).await;
}
