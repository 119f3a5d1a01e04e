//! A per-person entry limit: concurrent entries from one mailbox (however it is spelled) get
//! exactly the limit accepted and `entry_limit_reached` for the rest, with nothing stored for
//! them; a retry of an accepted entry still gets its first answer. On both backends.

use serde_json::Value;
use vouch_server::config::Config;

use crate::helpers::{entry_body, jpeg, TestApp, SHOP};

const ENTRIES: usize = 6;

fn two_entries_per_person(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(demo, format!("entries_per_person = 2\nentries_period = \"week\"\n{text}")).unwrap();
}

/// Each entry has its own upload and key; the mailbox differs only in case and `+tag`.
async fn bodies(app: &TestApp) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for i in 0..ENTRIES {
        let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
        out.push((format!("k-limit-{i}"), entry_body(&format!("Zoe+{i}@Example.com"), Some(&upload))));
    }
    out
}

/// Sends all entries at once (or one after another): each answer's status and body, in order.
async fn send(app: &TestApp, bodies: &[(String, Value)], concurrent: bool) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut answers = vec![(0, Value::Null); bodies.len()];
    for (i, (key, body)) in bodies.iter().enumerate() {
        let (client, url) = (app.client.clone(), app.url("/v1/campaigns/demo/entries"));
        let (key, body) = (key.clone(), body.clone());
        let post = async move {
            let res = client.post(url).header("Origin", SHOP).header("Idempotency-Key", key).json(&body).send();
            let res = res.await.unwrap();
            (i, res.status().as_u16(), res.json::<Value>().await.unwrap())
        };
        if concurrent {
            tasks.spawn(post);
        } else {
            let (i, status, body) = post.await;
            answers[i] = (status, body);
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (i, status, body) = done.unwrap();
        answers[i] = (status, body);
    }
    answers
}

async fn only_the_limit_is_accepted(app: TestApp, concurrent: bool) {
    let bodies = bodies(&app).await;
    let answers = send(&app, &bodies, concurrent).await;
    let mut accepted = Vec::new();
    let mut refused = 0;
    for ((status, answer), (key, body)) in answers.iter().zip(&bodies) {
        if *status == 202 {
            accepted.push((key, body));
        } else {
            let code = answer["error"]["code"].as_str();
            assert_eq!((*status, code), (422, Some("entry_limit_reached")), "{answer}");
            refused += 1;
        }
    }
    assert_eq!((accepted.len(), refused), (2, ENTRIES - 2));
    // A retry of an accepted entry is its replay, not a refusal.
    let (key, body) = accepted[0];
    assert_eq!(app.entry("demo", body, key).await.status(), 202);
    // Another person is not held to Zoë's limit.
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    assert_eq!(app.entry("demo", &entry_body("ben@example.com", Some(&upload)), "k-ben").await.status(), 202);
    app.drain().await;
    let stored = app.running.backends.store.list_entries("demo").await.unwrap();
    let zoe = stored.iter().filter(|e| e.entrant.email.to_lowercase().starts_with("zoe+")).count();
    assert_eq!((zoe, stored.len()), (2, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_concurrent_entries_from_one_person_get_exactly_the_limit() {
    only_the_limit_is_accepted(TestApp::spawn_with(two_entries_per_person).await, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_concurrent_entries_from_one_person_get_exactly_the_limit() {
    only_the_limit_is_accepted(TestApp::spawn_aws_with(two_entries_per_person).await, true).await;
}
