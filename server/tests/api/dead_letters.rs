//! Dead letters end to end, on both backends: an entry whose processing keeps failing is
//! dead-lettered with its (redacted) error and campaign, an operator redrives it, and the worker
//! then stores it once and mails it once. Every operator action leaves an audit record.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vouch_server::queues::{self, QueueError};

use crate::helpers::{entry_body, jpeg, TestApp};

const EMAIL: &str = "zoe.unal@example.com";
const OPERATOR: &str = "ops@shop.example";

/// What keeps the entries from being processed, until repaired: on the embedded backends each
/// pending upload's file is a folder (the object store cannot read it); on AWS the sender's SES
/// identity is gone (SES rejects the confirmation mail).
pub enum Outage {
    Files(Vec<(PathBuf, Vec<u8>)>),
    Mail,
}

fn files_under(dir: PathBuf) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

pub async fn break_processing(app: &TestApp) -> Outage {
    match &app.running.backends.aws {
        Some(aws) => {
            aws.ses().delete_email_identity().email_identity(&app.config.mail.from).send().await.unwrap();
            Outage::Mail
        }
        None => {
            let uploads = app.config.objects_dir().join(&app.config.objects.bucket).join("uploads");
            let mut saved = Vec::new();
            for file in files_under(uploads) {
                let bytes = std::fs::read(&file).unwrap();
                std::fs::remove_file(&file).unwrap();
                std::fs::create_dir(&file).unwrap();
                saved.push((file, bytes));
            }
            assert!(!saved.is_empty(), "uploads to break");
            Outage::Files(saved)
        }
    }
}

pub async fn repair(app: &TestApp, outage: Outage) {
    match outage {
        Outage::Mail => {
            let aws = app.running.backends.aws.as_ref().unwrap();
            aws.ses().create_email_identity().email_identity(&app.config.mail.from).send().await.unwrap();
        }
        Outage::Files(saved) => {
            for (file, bytes) in saved {
                std::fs::remove_dir(&file).unwrap();
                std::fs::write(&file, bytes).unwrap();
            }
        }
    }
}

/// Accepts an entry with a receipt from `email`; its id.
pub async fn enter(app: &TestApp, email: &str, key: &str) -> String {
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    let res = app.entry("demo", &entry_body(email, Some(&upload)), key).await;
    assert_eq!(res.status(), 202);
    res.json::<serde_json::Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string()
}

/// Drains (the failures retry after a short backoff) until `dead` entries are dead-lettered.
pub async fn drain_until_dead(app: &TestApp, dead: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.queue("entries").stats().await.unwrap().dead < dead {
        assert!(Instant::now() < deadline, "never dead-lettered: {:?}", app.queue("entries").stats().await);
        app.drain().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn stored(app: &TestApp) -> Vec<String> {
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    entries.into_iter().filter(|e| e.status.as_str() == "confirmed").map(|e| e.entry_id).collect()
}

pub async fn mails_to(app: &TestApp, to: &str) -> usize {
    app.mails().await.iter().filter(|(addr, _)| addr == to).count()
}

async fn a_dead_lettered_entry_is_listed_redriven_and_stored_once(app: TestApp) {
    let backends = &app.running.backends;
    let first = enter(&app, EMAIL, "k-1").await;
    let outage = break_processing(&app).await;
    drain_until_dead(&app, 1).await;

    let dead = queues::dead_letters(backends, "entries", 50).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].campaign.as_deref(), Some("demo"));
    assert_eq!(dead[0].attempts, app.config.worker.max_attempts);
    let error = dead[0].last_error.clone().expect("the last error is kept");
    assert!(error.contains("object store") || error.contains("mail (SES)"), "{error}");
    let shown = serde_json::to_string(&dead).unwrap();
    for private in [EMAIL, &app.config.mail.from, "Zoë", "Ünal", &first] {
        assert!(!shown.contains(private), "{private} in {shown}");
    }
    assert!(stored(&app).await.len() <= 1);
    let overview = queues::overview(backends).await.unwrap();
    let entries = overview.iter().find(|q| q.name == "entries").unwrap();
    assert_eq!((entries.ready, entries.in_flight, entries.dead, entries.paused), (0, 0, 1, false));

    repair(&app, outage).await;
    queues::redrive(backends, "entries", &dead[0].id, OPERATOR).await.unwrap();
    let again = queues::redrive(backends, "entries", &dead[0].id, OPERATOR).await;
    assert!(matches!(again, Err(QueueError::NotDead { .. })), "{again:?}");
    app.drain().await;
    assert_eq!(stored(&app).await, vec![first.clone()]);
    assert_eq!(mails_to(&app, EMAIL).await, 1, "one confirmation mail");
    assert_eq!(app.queue("entries").stats().await.unwrap().dead, 0);

    // Two more fail; one command brings both back.
    let outage = break_processing_after(&app, &["k-2", "k-3"]).await;
    drain_until_dead(&app, 2).await;
    repair(&app, outage).await;
    assert_eq!(queues::redrive_all(backends, "entries", OPERATOR).await.unwrap(), 2);
    app.drain().await;
    let mut all = stored(&app).await;
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3, "each entry stored once: {all:?}");
    assert_eq!(app.queue("entries").stats().await.unwrap(), Default::default());
    for n in 2..=3 {
        assert_eq!(mails_to(&app, &format!("zoe{n}@example.com")).await, 1);
    }

    let unknown = queues::redrive_all(backends, "nope", OPERATOR).await.unwrap_err();
    assert_eq!(unknown.code(), vouch_core::ErrorCode::NotFound);
    let log = backends.moderation.list_audit(queues::AUDIT_CAMPAIGN).await.unwrap();
    let seen: Vec<_> = log.iter().map(|r| (r.actor.as_str(), r.action.as_str(), r.subject.clone())).collect();
    assert_eq!(
        seen,
        vec![
            (OPERATOR, "queue.redrive", format!("entries/{}", dead[0].id)),
            (OPERATOR, "queue.redrive_all", "entries".to_string()),
        ]
    );
    assert_eq!(log[1].detail, "2 redriven");
}

/// Accepts entries under `keys` (from zoe2@, zoe3@, …), then breaks their processing.
async fn break_processing_after(app: &TestApp, keys: &[&str]) -> Outage {
    for (n, key) in keys.iter().enumerate() {
        enter(app, &format!("zoe{}@example.com", n + 2), key).await;
    }
    break_processing(app).await
}

async fn pausing_and_resuming_are_audited(app: TestApp) {
    let backends = &app.running.backends;
    let paused = queues::pause(backends, "webhooks", OPERATOR).await.unwrap();
    assert!(paused.paused);
    assert!(backends.control.paused("webhooks").await.unwrap());
    assert!(!queues::resume(backends, "webhooks", "cli").await.unwrap().paused);
    let log = backends.moderation.list_audit(queues::AUDIT_CAMPAIGN).await.unwrap();
    let seen: Vec<_> = log.iter().map(|r| (r.actor.as_str(), r.action.as_str(), r.detail.as_str())).collect();
    assert_eq!(
        seen,
        vec![(OPERATOR, "queue.pause", "paused: false -> true"), ("cli", "queue.resume", "paused: true -> false")]
    );
    assert!(matches!(queues::pause(backends, "mail", OPERATOR).await, Err(QueueError::UnknownQueue(_))));
}

/// A message the worker cannot read fails with the parser's words, which quote the value it
/// refused: here a name and a mailbox. Neither reaches the stored error.
async fn a_dead_letters_error_quotes_no_name_or_mailbox(app: TestApp) {
    let body = r#"{"entry_id":"ent_x","campaign":"demo","idempotency_key":"k",
                   "accepted_at_ms":"Zoë Ünal <zoe.unal@example.com>"}"#;
    app.queue("entries").send(body.replace('\n', "")).await.unwrap();
    drain_until_dead(&app, 1).await;
    let dead = queues::dead_letters(&app.running.backends, "entries", 10).await.unwrap();
    let error = dead[0].last_error.clone().unwrap();
    assert!(error.starts_with("stored data is corrupt: unreadable entry message: invalid type: string"), "{error}");
    for private in ["Zoë", "Ünal", "zoe.unal", "example.com"] {
        assert!(!error.contains(private), "{private} in {error}");
    }
    assert_eq!(dead[0].campaign.as_deref(), Some("demo"));
}

#[tokio::test]
async fn embedded_a_dead_lettered_entry_is_listed_redriven_and_stored_once() {
    a_dead_lettered_entry_is_listed_redriven_and_stored_once(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_dead_lettered_entry_is_listed_redriven_and_stored_once() {
    a_dead_lettered_entry_is_listed_redriven_and_stored_once(TestApp::spawn_aws().await).await;
}

#[tokio::test]
async fn embedded_pausing_and_resuming_are_audited() {
    pausing_and_resuming_are_audited(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_pausing_and_resuming_are_audited() {
    pausing_and_resuming_are_audited(TestApp::spawn_aws().await).await;
}

#[tokio::test]
async fn embedded_a_dead_letters_error_quotes_no_name_or_mailbox() {
    a_dead_letters_error_quotes_no_name_or_mailbox(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_dead_letters_error_quotes_no_name_or_mailbox() {
    a_dead_letters_error_quotes_no_name_or_mailbox(TestApp::spawn_aws().await).await;
}
