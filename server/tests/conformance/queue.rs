use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use vouch_server::backends::{BackendError, QueueStats};
use vouch_server::config::WorkerConfig;
use vouch_server::worker::{Handler, Lane, Worker};

use crate::fixture::Fixture;

const LONG: Duration = Duration::from_secs(30);

pub async fn a_sent_message_is_delivered_and_hidden_while_held(f: Fixture) {
    let q = &f.backends.entries;
    q.send("hello".into()).await.unwrap();
    let got = q.receive(10, LONG).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].body.as_str(), got[0].attempts), ("hello", 1));
    assert!(q.receive(10, LONG).await.unwrap().is_empty(), "held messages are hidden");
    assert_eq!(q.stats().await.unwrap(), QueueStats { ready: 0, in_flight: 1, dead: 0 });
}

pub async fn an_unacknowledged_message_comes_back_after_its_visibility_timeout(f: Fixture) {
    let q = &f.backends.entries;
    q.send("again".into()).await.unwrap();
    assert_eq!(q.receive(1, Duration::from_secs(1)).await.unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let again = q.receive(1, LONG).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].body.as_str(), again[0].attempts), ("again", 2));
}

pub async fn an_extended_message_stays_hidden(f: Fixture) {
    let q = &f.backends.entries;
    q.send("busy".into()).await.unwrap();
    let held = q.receive(1, Duration::from_secs(1)).await.unwrap().remove(0);
    q.extend(&held, Duration::from_secs(10)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(q.receive(1, LONG).await.unwrap().is_empty());
}

pub async fn an_acknowledged_message_is_gone(f: Fixture) {
    let q = &f.backends.entries;
    q.send("done".into()).await.unwrap();
    let held = q.receive(1, Duration::from_secs(1)).await.unwrap().remove(0);
    q.ack(&held).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert!(q.receive(1, LONG).await.unwrap().is_empty());
    assert_eq!(q.stats().await.unwrap(), QueueStats::default());
}

pub async fn a_message_that_keeps_failing_is_dead_lettered(f: Fixture) {
    let q = &f.backends.entries;
    q.send("poison".into()).await.unwrap();
    q.send("fine".into()).await.unwrap();
    let mut fine_seen = false;
    // Every delivery of "poison" fails; after `max_attempts` it must stop coming back.
    for _ in 0..(f.config.worker.max_attempts + 3) {
        for d in q.receive(10, Duration::from_secs(30)).await.unwrap() {
            if d.body == "poison" {
                q.retry(&d, Duration::ZERO, "it failed").await.unwrap();
            } else {
                fine_seen = true;
                q.ack(&d).await.unwrap();
            }
        }
    }
    assert!(fine_seen, "a failing message does not block others");
    assert!(q.receive(10, LONG).await.unwrap().is_empty());
    assert_eq!(q.stats().await.unwrap(), QueueStats { ready: 0, in_flight: 0, dead: 1 });
}

pub async fn a_paused_queue_stays_paused_until_resumed(f: Fixture) {
    let c = &f.backends.control;
    assert!(!c.paused("entries").await.unwrap());
    c.set_paused("entries", true).await.unwrap();
    assert!(c.paused("entries").await.unwrap());
    assert!(!c.paused("webhooks").await.unwrap());
    c.set_paused("entries", false).await.unwrap();
    assert!(!c.paused("entries").await.unwrap());
}

/// A handler that panics on every message, counting its attempts.
struct Panicking(AtomicU32);

#[async_trait::async_trait]
impl Handler for Panicking {
    async fn handle(&self, _body: &str) -> Result<(), BackendError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("a bug in a handler");
    }
}

pub async fn a_message_whose_handler_panics_is_retried_then_dead_lettered(f: Fixture) {
    let q = f.backends.entries.clone();
    q.send("boom".into()).await.unwrap();
    let handler = Arc::new(Panicking(AtomicU32::new(0)));
    let config = WorkerConfig {
        visibility_timeout_secs: 2,
        retry_backoff_ms: 10,
        poll_interval_ms: 20,
        ..f.config.worker.clone()
    };
    let lane = Lane { name: "entries", queue: q.clone(), handler: handler.clone(), pace: Default::default() };
    let worker = Worker { lanes: vec![lane], control: f.backends.control.clone(), config };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker.run(stopped));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while q.stats().await.unwrap().dead == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.send(true).unwrap();
    running.await.unwrap();
    assert_eq!(q.stats().await.unwrap(), QueueStats { ready: 0, in_flight: 0, dead: 1 }, "not stuck invisible");
    assert_eq!(handler.0.load(Ordering::SeqCst), f.config.worker.max_attempts, "tried each attempt, then given up");
}
