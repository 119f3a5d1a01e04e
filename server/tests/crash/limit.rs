//! SIGKILL of `vouch serve` while people enter in bursts at their entry limit: every entry that
//! got a 202 is stored, and after the restart each person still has exactly the limit — the
//! crash neither let an extra entry through nor used up a slot nobody got.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{cli_json, serve, setup_with, wait_until_idle, ORIGIN};

const LIMIT: usize = 3;
/// Concurrent attempts per person and burst: more than the limit, so some must be refused.
const BURST: usize = 5;

enum Answer {
    Accepted(String),
    LimitReached,
    /// No answer (the server is gone) or one this test does not expect.
    Other,
}

async fn enter(client: &reqwest::Client, bff: &str, key: &str, email: &str) -> Answer {
    let body = json!({
        "fields": {"first_name": "Limit", "last_name": "Test", "email": email, "postal_code": "10115"},
        "consents": {"terms": true},
    });
    let url = format!("{bff}/v1/campaigns/crash/entries");
    let sent = client.post(url).header("Origin", ORIGIN).header("Idempotency-Key", key).json(&body).send().await;
    let Ok(res) = sent else { return Answer::Other };
    let status = res.status().as_u16();
    let Ok(answer) = res.json::<Value>().await else { return Answer::Other };
    match (status, answer["entry_id"].as_str(), answer["error"]["code"].as_str()) {
        (202, Some(id), _) => Answer::Accepted(id.to_string()),
        (422, _, Some("entry_limit_reached")) => Answer::LimitReached,
        _ => {
            eprintln!("unexpected answer {status}: {answer}");
            Answer::Other
        }
    }
}

/// Person's mailbox → entry ids that got a 202.
type Accepted = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// `BURST` concurrent attempts for `email`, each under its own key; false once the server is gone.
async fn burst(client: &reqwest::Client, bff: &str, email: &str, round: &str, accepted: &Accepted) -> bool {
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..BURST {
        let (client, bff, email, key) =
            (client.clone(), bff.to_string(), email.to_string(), format!("{email}-{round}-{i}"));
        attempts.spawn(async move { enter(&client, &bff, &key, &email).await });
    }
    let mut answered = true;
    while let Some(answer) = attempts.join_next().await {
        match answer.unwrap() {
            Answer::Accepted(id) => accepted.lock().unwrap().entry(email.to_string()).or_default().push(id),
            Answer::LimitReached => {}
            Answer::Other => answered = false,
        }
    }
    answered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_entry_limit_holds_and_no_entry_is_lost_across_a_sigkill() {
    let dir = setup_with(&format!("entries_per_person = {LIMIT}"));
    // Without receipts: the bursts are about the limit, not uploads.
    let file = dir.path().join("campaigns/crash.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("[form.upload]\n", "[form.upload]\nrequired = false\n");
    std::fs::write(&file, text).unwrap();
    let mut vouch = serve(dir.path(), &[]).await;
    let accepted: Accepted = Arc::default();
    let people = Arc::new(Mutex::new(HashSet::<String>::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..6 {
        let (bff, accepted, people) = (vouch.bff.clone(), accepted.clone(), people.clone());
        tasks.spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            for p in 0.. {
                let email = format!("person{c}x{p}@example.com");
                people.lock().unwrap().insert(email.clone());
                // Two bursts per person: the second finds the limit already reached.
                if !burst(&client, &bff, &email, "a", &accepted).await
                    || !burst(&client, &bff, &email, "b", &accepted).await
                {
                    break;
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    vouch.child.start_kill().unwrap(); // SIGKILL: no shutdown code runs
    vouch.child.wait().await.unwrap();
    while tasks.join_next().await.is_some() {}
    let before = accepted.lock().unwrap().clone();
    let people = people.lock().unwrap().clone();
    eprintln!("{} people, {} entries accepted before the SIGKILL", people.len(), before.values().flatten().count());
    assert!(people.len() > 10, "the bursts should have run a while: {}", people.len());
    for (email, ids) in &before {
        assert!(ids.len() <= LIMIT, "{email} got {} entries accepted before the crash", ids.len());
    }

    // After the restart, everyone tries again: whoever the crash interrupted reaches the limit,
    // nobody passes it.
    let vouch = serve(dir.path(), &[]).await;
    let client = reqwest::Client::new();
    for email in &people {
        assert!(burst(&client, &vouch.bff, email, "after", &accepted).await, "the restarted server answers");
    }
    wait_until_idle(&vouch.metrics).await;
    let exported = cli_json(dir.path(), &["entries", "export", "--campaign", "crash", "--format", "json"]).await;
    let mut stored: HashMap<String, HashSet<String>> = HashMap::new();
    for entry in exported.as_array().unwrap() {
        let (email, id) = (entry["email"].as_str().unwrap(), entry["entry_id"].as_str().unwrap());
        assert!(stored.entry(email.to_lowercase()).or_default().insert(id.to_string()), "{id} stored twice");
    }
    let accepted = accepted.lock().unwrap().clone();
    for email in &people {
        let kept = stored.get(email).cloned().unwrap_or_default();
        assert_eq!(kept.len(), LIMIT, "{email}: stored entries after the crash and the retries");
        for id in accepted.get(email).into_iter().flatten() {
            assert!(kept.contains(id), "{email}: accepted entry {id} was lost");
        }
    }
}
