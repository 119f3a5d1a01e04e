//! Entries keep their priority over a backlog of funnel events: the time from an entry's 202 to
//! its verdict, with the worker running, without events, with a backlog on the events lane as
//! the worker paces it, and with the same backlog on a lane that does not give way.

use std::time::{Duration, Instant};

use serde_json::Value;
use vouch_core::analytics::{Event, EventKind, ValidBatch, MAX_BATCH_EVENTS};
use vouch_server::clock::now_ms;
use vouch_server::worker::Pace;

use crate::helpers::{entry_body, jpeg, TestApp};

const ENTRIES: usize = 12;

async fn backlog(app: &TestApp, batches: usize) {
    let events = app.queue("events");
    let now = now_ms();
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..batches {
        let batch = ValidBatch {
            campaign: "demo".into(),
            batch_id: format!("batch-{n:05}"),
            session: Some(format!("session-{n}")),
            events: vec![Event::one(EventKind::Impression, "", now); MAX_BATCH_EVENTS],
        };
        let (events, body) = (events.clone(), serde_json::to_string(&batch).unwrap());
        sends.spawn(async move { events.send(body).await.unwrap() });
        // A few at once: moto takes no more.
        if sends.len() >= 8 {
            sends.join_next().await;
        }
    }
    while sends.join_next().await.is_some() {}
}

/// The median and the slowest time from an entry's 202 to its verdict, entries sent one by one.
async fn entry_latency(app: &TestApp) -> (Duration, Duration) {
    let mut took = Vec::new();
    for n in 0..ENTRIES {
        let upload = app.uploaded("demo", &jpeg(60, 60), "image/jpeg").await;
        let key = format!("priority-{n}");
        let res = app.entry("demo", &entry_body(&format!("{key}@example.com"), Some(&upload)), &key).await;
        let started = Instant::now();
        let entry_id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
        while app.status("demo", &entry_id).await["status"] == "accepted" {
            assert!(started.elapsed() < Duration::from_secs(60), "entry {n} never decided");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        took.push(started.elapsed());
    }
    took.sort();
    (took[took.len() / 2], took[took.len() - 1])
}

/// Runs the worker (its events lane paced by `pace`, or as built) while entries are measured,
/// with `batches` of events queued before: the entries' median and slowest time, and the batches
/// left uncounted at the end.
async fn measure(aws: bool, batches: usize, pace: Option<Pace>) -> (Duration, Duration, u64) {
    let fast = |c: &mut vouch_server::config::Config| c.worker.poll_interval_ms = 20;
    let app = if aws { TestApp::spawn_aws_with(fast).await } else { TestApp::spawn_with(fast).await };
    backlog(&app, batches).await;
    let mut worker = app.worker();
    if let Some(pace) = pace {
        worker.lanes.iter_mut().filter(|l| l.name == "events").for_each(|l| l.pace = pace.clone());
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    // The lane is busy with the backlog before the first entry arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (median, slowest) = entry_latency(&app).await;
    let left = app.queue("events").stats().await.unwrap().ready;
    stop.send(true).unwrap();
    running.await.unwrap();
    (median, slowest, left)
}

async fn compare(aws: bool, batches: usize) {
    let (base, base_max, _) = measure(aws, 0, None).await;
    let (paced, paced_max, paced_left) = measure(aws, batches, None).await;
    let (naive, naive_max, naive_left) = measure(aws, batches, Some(Pace::default())).await;
    println!(
        "{}: entry 202 -> verdict (median / slowest of {ENTRIES}): no events {base:?} / {base_max:?}; \
         {batches} batches of {MAX_BATCH_EVENTS} events queued: paced lane {paced:?} / {paced_max:?} \
         ({paced_left} left), lane without priority {naive:?} / {naive_max:?} ({naive_left} left)",
        if aws { "SQS + DynamoDB (moto)" } else { "SQLite" },
    );
    assert!(paced_left > 0, "the backlog was gone before the entries came: nothing measured");
    if aws {
        // moto serves one request at a time, so every call of the events lane delays the entries'
        // calls there (DynamoDB and SQS do not): what holds is that no entry waits behind the
        // backlog, which takes minutes to count here.
        assert!(paced_max < Duration::from_secs(5), "an entry waited {paced_max:?} behind the events");
    } else {
        // Within the noise of a shared machine: at most twice the idle median, plus 50 ms.
        assert!(paced <= base * 2 + Duration::from_millis(50), "paced {paced:?} against {base:?} without events");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backlog_of_events_does_not_delay_entries_embedded() {
    compare(false, 1500).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backlog_of_events_does_not_delay_entries_aws() {
    compare(true, 300).await;
}
