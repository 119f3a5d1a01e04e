//! SIGKILL of `vouch serve` while moderators decide entries through the admin API: every decision
//! answered 200 is still there after the restart, with its one audit record, and deciding the rest
//! again afterwards (as a console would retry) neither conflicts nor audits anything twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{cli_json, cli_text, serve, setup_with, wait_until_idle, ORIGIN};

const ENTRIES: usize = 240;

fn decision(i: usize) -> (Value, &'static str) {
    if i.is_multiple_of(2) {
        (json!({"decision": "approve"}), "approved")
    } else {
        (json!({"decision": "reject", "reason": "unreadable"}), "rejected")
    }
}

async fn enter(client: &reqwest::Client, bff: &str, i: usize) -> String {
    let body = json!({
        "fields": {"first_name": "Review", "last_name": "Crash", "email": format!("review{i}@example.com"), "postal_code": "10115"},
        "consents": {"terms": true},
    });
    let res = client
        .post(format!("{bff}/v1/campaigns/crash/entries"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", format!("review-{i}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string()
}

/// The decision's HTTP status, or `None` when the server was gone.
async fn decide(client: &reqwest::Client, bff: &str, token: &str, entry: &str, body: &Value) -> Option<u16> {
    let url = format!("{bff}/admin/v1/campaigns/crash/entries/{entry}/decision");
    let res = client.post(url).bearer_auth(token).json(body).send().await.ok()?;
    let status = res.status().as_u16();
    res.bytes().await.ok()?;
    Some(status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_decisions_survive_a_kill_and_are_audited_once() {
    let dir = setup_with("moderation = \"all\"");
    let file = dir.path().join("campaigns/crash.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("[form.upload]\n", "[form.upload]\nrequired = false\n");
    std::fs::write(&file, text).unwrap();
    let token = cli_text(
        dir.path(),
        &["operators", "token", "create", "--name", "crash", "--role", "moderator", "--campaigns", "crash"],
    )
    .await;

    let vouch = serve(dir.path(), &[]).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut entries = Vec::new();
    for i in 0..ENTRIES {
        entries.push(enter(&client, &vouch.bff, i).await);
    }
    wait_until_idle(&vouch.metrics).await;
    let mut vouch = vouch;

    // Four moderators work through the queue at once; the server dies under them.
    let answered: Arc<Mutex<HashMap<usize, u16>>> = Arc::default();
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..4 {
        let (bff, token, entries, answered, client) =
            (vouch.bff.clone(), token.clone(), entries.clone(), answered.clone(), client.clone());
        tasks.spawn(async move {
            for i in (lane..ENTRIES).step_by(4) {
                let Some(status) = decide(&client, &bff, &token, &entries[i], &decision(i).0).await else { break };
                answered.lock().unwrap().insert(i, status);
            }
        });
    }
    while answered.lock().unwrap().len() < ENTRIES / 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    vouch.child.start_kill().unwrap(); // SIGKILL: no shutdown code runs
    vouch.child.wait().await.unwrap();
    while tasks.join_next().await.is_some() {}
    let before = answered.lock().unwrap().clone();
    eprintln!("{} of {ENTRIES} decisions answered before the SIGKILL", before.len());
    assert!(before.len() < ENTRIES, "the kill should land while moderators are still deciding");
    assert!(before.values().all(|s| *s == 200), "every decision before the kill was taken: {before:?}");

    let vouch = serve(dir.path(), &[]).await;
    let status_of = |exported: &Value| -> HashMap<String, String> {
        exported
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["entry_id"].as_str().unwrap().to_string(), e["status"].as_str().unwrap().to_string()))
            .collect()
    };
    let exported = cli_json(dir.path(), &["entries", "export", "--campaign", "crash", "--format", "json"]).await;
    let stored = status_of(&exported);
    for i in before.keys() {
        assert_eq!(stored[&entries[*i]], decision(*i).1, "decision {i} answered 200 was lost");
    }

    // The console retries everything: nothing conflicts, every entry ends decided as asked.
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(decide(&client, &vouch.bff, &token, entry, &decision(i).0).await, Some(200), "retry of {i}");
    }
    wait_until_idle(&vouch.metrics).await;
    let stored =
        status_of(&cli_json(dir.path(), &["entries", "export", "--campaign", "crash", "--format", "json"]).await);
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(stored[entry], decision(i).1, "entry {i}");
    }
    let audit: Vec<Value> = client
        .get(format!("{}/admin/v1/campaigns/crash/audit", vouch.bff))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut per_entry: HashMap<&str, usize> = HashMap::new();
    for record in &audit {
        if record["action"].as_str().unwrap().starts_with("review.") {
            assert_eq!(record["actor"], "token:crash");
            *per_entry.entry(record["subject"].as_str().unwrap()).or_default() += 1;
        }
    }
    for entry in &entries {
        assert_eq!(per_entry.get(entry.as_str()), Some(&1), "{entry}: one audit record per decision");
    }
}
