//! AWS unreachable in the middle of a run: the SDK talks to moto through a TCP proxy the test
//! cuts and restores.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{TestApp, SHOP};
use crate::proxy::Proxy;
use crate::support::moto;

fn body(n: usize) -> Value {
    json!({
        "fields": {"first_name": "Out", "last_name": "Age", "email": format!("o{n}@example.com"), "postal_code": "10115"},
        "consents": {"terms": true},
    })
}

/// Sends entries `range` (each under its own key); returns number → (status, entry id).
async fn send(app: &TestApp, range: std::ops::Range<usize>) -> Vec<(usize, u16, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    for n in range {
        let res = app
            .client
            .post(app.url("/v1/campaigns/open/entries"))
            .header("Origin", SHOP)
            .header("Idempotency-Key", format!("k{n}"))
            .json(&body(n))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let retry_after = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
        let json: Value = res.json().await.unwrap();
        out.push((n, status, json["entry_id"].as_str().map(str::to_string), retry_after));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_202_before_during_and_after_an_aws_outage_is_stored_exactly_once() {
    let moto = moto();
    let proxy = Proxy::start(&moto).await;
    let app = TestApp::try_spawn_aws(moto, Some(&proxy.addr), |_| {}).await.unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(app.worker().run(stopped));

    let mut accepted: HashMap<usize, String> = HashMap::new();
    let mut record = |answers: Vec<(usize, u16, Option<String>, Option<String>)>| {
        let mut refused = 0;
        for (n, status, id, retry_after) in answers {
            match status {
                202 => {
                    accepted.insert(n, id.unwrap());
                }
                503 => {
                    assert!(retry_after.is_some(), "503 without Retry-After");
                    refused += 1;
                }
                other => panic!("entry {n}: unexpected {other}"),
            }
        }
        refused
    };
    assert_eq!(record(send(&app, 0..5).await), 0);

    proxy.cut();
    let refused = record(send(&app, 5..10).await);
    assert_eq!(refused, 5, "nothing is acknowledged while AWS is unreachable");
    let ready: Value = app.client.get(app.internal_url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "unavailable");
    assert_eq!(ready["checks"]["store"], "down");
    assert_eq!(ready["checks"]["queue"], "down");
    tokio::time::sleep(Duration::from_secs(2)).await; // the worker meets the outage too

    proxy.restore();
    // The shoppers refused during the outage retry with the same keys, and new ones arrive.
    assert_eq!(record(send(&app, 5..15).await), 0);
    assert_eq!(accepted.len(), 15);

    let deadline = Instant::now() + Duration::from_secs(90);
    for (n, id) in &accepted {
        loop {
            let status = app.status("open", id).await;
            if status["status"] == "confirmed" {
                break;
            }
            assert!(Instant::now() < deadline, "entry {n} ({id}) was never processed: {status}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let stored = app.running.backends.store.list_entries("open").await.unwrap();
    let ids: Vec<&str> = stored.iter().map(|e| e.entry_id.as_str()).collect();
    assert_eq!(ids.len(), 15, "exactly once each: {ids:?}");
    for id in accepted.values() {
        assert!(ids.contains(&id.as_str()));
    }
    let _ = stop.send(true);
    let _ = worker.await;
}
