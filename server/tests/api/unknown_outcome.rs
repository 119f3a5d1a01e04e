//! AWS calls whose outcome the BFF cannot know: an answer lost after SQS stored the message, a
//! write held by a frozen store and delivered after the BFF gave up. The shopper's (or the
//! merchant's) retry must neither create a second entry or conversion nor wait long.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vouch_server::crypto::sha256_hex;

use crate::helpers::{TestApp, SHOP};
use crate::proxy::Proxy;
use crate::support::moto;

/// The AWS call timeout these tests run with; the takeover window follows from it.
const TIMEOUT_MS: u64 = 1500;

/// Four calls' worth of timeout plus two seconds (see `takeover_ms` in the DynamoDB store).
fn takeover_window() -> Duration {
    Duration::from_millis(4 * TIMEOUT_MS + 2000)
}

async fn spawn_behind_proxy() -> (TestApp, Proxy) {
    let moto = moto();
    let proxy = Proxy::start(&moto).await;
    let app = TestApp::try_spawn_aws(moto, Some(&proxy.addr), |c| c.aws.timeout_ms = TIMEOUT_MS).await.unwrap();
    (app, proxy)
}

fn entry(email: &str) -> Value {
    json!({
        "fields": {"first_name": "Lost", "last_name": "Answer", "email": email, "postal_code": "10115"},
        "consents": {"terms": true},
    })
}

/// Sends until the answer is neither 409 nor 503, waiting as each one's `Retry-After` says (which
/// both must carry). Returns the final status and body, and every status seen before it.
async fn until_settled(send: impl Fn() -> reqwest::RequestBuilder, give_up: Duration) -> (u16, Value, Vec<u16>) {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        let res = send().send().await.unwrap();
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
        let body: Value = res.json().await.unwrap();
        if status != 409 && status != 503 {
            return (status, body, seen);
        }
        let wait = retry_after.unwrap_or_else(|| panic!("{status} without Retry-After: {body}"));
        seen.push(status);
        assert!(started.elapsed() < give_up, "still {status} after {:?}: {body}", started.elapsed());
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_entry_whose_queue_answer_was_lost_is_stored_and_mailed_once() {
    let (app, proxy) = spawn_behind_proxy().await;
    let email = format!("lost.{}@example.com", uuid::Uuid::new_v4().simple());
    let send = || {
        let req = app.client.post(app.url("/v1/campaigns/open/entries")).header("Origin", SHOP);
        req.header("Idempotency-Key", "lost-answer-1").json(&entry(&email))
    };

    proxy.lose_answers_to("SendMessage");
    let first = send().send().await.unwrap();
    assert_eq!(first.status(), 503, "the BFF cannot know whether SQS took the entry");
    assert!(proxy.lost() >= 1, "SQS received the message; only its answer was lost");
    proxy.answer_all();

    let (status, answer, seen) = until_settled(send, Duration::from_secs(30)).await;
    assert_eq!(status, 202, "{answer}");
    assert!(seen.iter().all(|s| *s == 409), "told to come back, not refused: {seen:?}");
    let entry_id = answer["entry_id"].as_str().unwrap();

    app.drain().await;
    assert_eq!(app.status("open", entry_id).await["status"], "confirmed");
    let stored = app.running.backends.store.list_entries("open").await.unwrap();
    assert_eq!(stored.iter().map(|e| e.entry_id.as_str()).collect::<Vec<_>>(), [entry_id], "one entry");
    let mails: Vec<_> = app.mails().await.into_iter().filter(|(to, _)| *to == email).collect();
    assert_eq!(mails.len(), 1, "one confirmation mail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conversion_whose_queue_answer_was_lost_is_credited_once_per_side() {
    let (app, proxy) = spawn_behind_proxy().await;
    let secret = "vm_lost_answer";
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(secret)).await.unwrap();
    let join = json!({"first_name": "Anna", "email": "anna.lost@example.com", "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let code = joined["referral_code"].as_str().unwrap().to_string();
    let order =
        json!({"campaign": "demo", "order_id": "o-lost", "email": "ben.lost@example.com", "referral_code": code});
    let send = || app.client.post(app.url("/v1/conversions")).bearer_auth(secret).json(&order);

    proxy.lose_answers_to("SendMessage");
    let first = send().send().await.unwrap();
    assert_eq!(first.status(), 503);
    assert!(proxy.lost() >= 1, "SQS received the conversion; only its answer was lost");
    proxy.answer_all();

    let (status, answer, seen) = until_settled(send, Duration::from_secs(30)).await;
    assert_eq!(status, 202, "{answer}");

    app.drain().await;
    let credits = app.running.backends.referrals.list_credits("demo").await.unwrap();
    let sides: Vec<&str> = credits.iter().map(|c| c.side.as_str()).collect();
    assert_eq!(credits.len(), 2, "one credit per side: {sides:?}");
    assert!(credits.iter().all(|c| c.conversion_id == answer["conversion_id"]));
    assert!(seen.contains(&409), "the retry waited for the first attempt: {seen:?}");
    let progress = app.progress(&code, joined["progress_token"].as_str().unwrap()).await;
    assert_eq!(progress["conversions"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_frozen_store_the_same_key_is_accepted_within_the_takeover_window() {
    let (app, proxy) = spawn_behind_proxy().await;
    let email = format!("frozen.{}@example.com", uuid::Uuid::new_v4().simple());
    let send = || {
        let req = app.client.post(app.url("/v1/campaigns/open/entries")).header("Origin", SHOP);
        req.header("Idempotency-Key", "frozen-1").json(&entry(&email))
    };

    proxy.freeze();
    let started = Instant::now();
    let first = send().send().await.unwrap();
    assert_eq!(first.status(), 503);
    assert_eq!(first.headers()["retry-after"], "5");
    // The store comes back and receives the write the BFF gave up on: a pending record.
    proxy.thaw();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = send().send().await.unwrap();
    assert_eq!(held.status(), 409, "the late write holds the key for now");
    assert!(held.headers().contains_key("retry-after"), "a 409 says when to come back");

    let (status, answer, _) = until_settled(send, takeover_window() + Duration::from_secs(4)).await;
    assert_eq!(status, 202, "{answer}");
    let waited = started.elapsed();
    assert!(waited < takeover_window() + Duration::from_secs(3), "accepted only after {waited:?}");

    app.drain().await;
    let entry_id = answer["entry_id"].as_str().unwrap();
    assert_eq!(app.status("open", entry_id).await["status"], "confirmed");
    assert_eq!(app.running.backends.store.list_entries("open").await.unwrap().len(), 1);
    assert_eq!(app.mails().await.into_iter().filter(|(to, _)| *to == email).count(), 1);
}
