//! SIGKILL of `vouch serve` while its worker counts a backlog of funnel batches: after a restart
//! every queued batch is counted exactly once — none lost, none counted twice.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use vouch_core::analytics::{tallies, CounterKey, Event, EventKind, ValidBatch};
use vouch_server::backends::analytics::Analytics;
use vouch_server::backends::embedded::SqliteBackend;
use vouch_server::backends::{Queue, EVENTS_TOPIC};
use vouch_server::clock::now_ms;

use crate::process::{serve, setup, wait_until_idle};

const BATCHES: usize = 3000;

/// The events queue's gauge `name` (`queue_ready`, `queue_in_flight`).
async fn gauge(metrics_url: &str, name: &str) -> u64 {
    let text = reqwest::get(format!("{metrics_url}/metrics")).await.unwrap().text().await.unwrap();
    let prefix = format!("vouch_{name}{{queue=\"events\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).and_then(|v| v.trim().parse().ok()).unwrap_or(u64::MAX)
}

fn batch(n: usize, at_ms: i64) -> ValidBatch {
    let kinds = [EventKind::Impression, EventKind::FormStart, EventKind::UploadDone, EventKind::Share];
    let events = (0..10)
        .map(|i| {
            let kind = kinds[(n + i) % kinds.len()];
            let detail = if kind == EventKind::Share { ["copy", "qr", "sms"][(n * i) % 3] } else { "" };
            Event::one(kind, detail, at_ms)
        })
        .collect();
    ValidBatch {
        campaign: "crash".into(),
        batch_id: format!("batch-{n:05}"),
        session: Some(format!("session-{:03}", n % 97)),
        events,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_queued_batch_is_counted_once_after_a_sigkill() {
    let dir = setup();
    let db = dir.path().join("data").join("vouch.db");
    // Queued before the server starts, exactly as the BFF queues them: a backlog to count.
    let mut expected: BTreeMap<CounterKey, (u64, BTreeSet<String>)> = BTreeMap::new();
    {
        let backend = SqliteBackend::open(&db).unwrap();
        let queue = backend.queue(EVENTS_TOPIC, 5);
        let now = now_ms();
        let mut sends = tokio::task::JoinSet::new();
        for n in 0..BATCHES {
            let b = batch(n, now);
            for (key, count) in tallies(&b) {
                let (events, sessions) = expected.entry(key).or_default();
                *events += count;
                sessions.insert(b.session.clone().unwrap());
            }
            let (queue, body) = (queue.clone(), serde_json::to_string(&b).unwrap());
            sends.spawn(async move { queue.send(body).await.unwrap() });
        }
        while sends.join_next().await.is_some() {}
    }

    let mut vouch = serve(dir.path(), &[]).await;
    // Killed once it is well into the backlog, with batches in hand.
    let deadline = Instant::now() + Duration::from_secs(60);
    while gauge(&vouch.metrics, "queue_ready").await > (BATCHES as u64) * 2 / 3 {
        assert!(Instant::now() < deadline, "the events lane never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    vouch.child.start_kill().unwrap();
    vouch.child.wait().await.unwrap();
    let left = {
        let backend = SqliteBackend::open(&db).unwrap();
        let stats = backend.queue(EVENTS_TOPIC, 5).stats().await.unwrap();
        stats.ready + stats.in_flight
    };
    assert!(left > 0, "the kill came after the backlog was counted: the test proves nothing");

    let mut vouch = serve(dir.path(), &[]).await;
    wait_until_idle(&vouch.metrics).await;
    vouch.child.start_kill().unwrap();
    vouch.child.wait().await.unwrap();

    let backend = SqliteBackend::open(&db).unwrap();
    assert_eq!(backend.queue(EVENTS_TOPIC, 5).stats().await.unwrap().dead, 0);
    let mut counted: BTreeMap<CounterKey, (u64, u64)> = BTreeMap::new();
    for c in backend.counters("crash", "2000-01-01", "2999-12-31").await.unwrap() {
        counted.insert(CounterKey { day: c.day, event: c.event, detail: c.detail }, (c.events, c.sessions));
    }
    let expected: BTreeMap<CounterKey, (u64, u64)> =
        expected.into_iter().map(|(k, (events, sessions))| (k, (events, sessions.len() as u64))).collect();
    assert_eq!(counted, expected);
}
