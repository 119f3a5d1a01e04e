//! Dead letters as the operator handles them: listed without their bodies, redriven once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use vouch_server::backends::{Queue, QueueStats};

use crate::fixture::Fixture;

const LONG: Duration = Duration::from_secs(30);

/// Sends `bodies` and fails every delivery of them with `error` until all are dead-lettered.
async fn dead_letter(q: &Arc<dyn Queue>, bodies: &[String], error: &str) {
    for body in bodies {
        q.send(body.clone()).await.unwrap();
    }
    for _ in 0..100 {
        if q.stats().await.unwrap().dead == bodies.len() as u64 {
            return;
        }
        for d in q.receive(10, LONG).await.unwrap() {
            q.retry(&d, Duration::ZERO, error).await.unwrap();
        }
    }
    panic!("not dead-lettered: {:?}", q.stats().await.unwrap());
}

/// Receives until nothing is visible; the bodies and attempts delivered.
async fn receive_all(q: &Arc<dyn Queue>) -> Vec<(String, u32)> {
    let mut got = Vec::new();
    loop {
        let batch = q.receive(10, LONG).await.unwrap();
        if batch.is_empty() {
            return got;
        }
        got.extend(batch.into_iter().map(|d| (d.body, d.attempts)));
    }
}

pub async fn a_dead_letter_is_listed_with_its_error_and_campaign_but_not_its_body(f: Fixture) {
    let q = &f.backends.entries;
    let entry = r#"{"entry_id":"ent_1","campaign":"demo","entry":{"first_name":"Zoë","email":"zoe@example.com"}}"#;
    dead_letter(q, &[entry.to_string(), "poison".to_string()], "store unavailable: timed out").await;
    q.send("fine".into()).await.unwrap();

    let dead = q.dead_letters(100).await.unwrap();
    assert_eq!(dead.len(), 2, "{dead:?}");
    let campaigns: BTreeSet<_> = dead.iter().map(|d| d.campaign.clone()).collect();
    assert_eq!(campaigns, BTreeSet::from([None, Some("demo".to_string())]));
    for d in &dead {
        assert_eq!(d.last_error.as_deref(), Some("store unavailable: timed out"));
        assert_eq!(d.attempts, f.config.worker.max_attempts);
        assert!(d.failed_at_ms.is_some_and(|ms| ms > 0));
    }
    let shown = serde_json::to_string(&dead).unwrap();
    for private in ["Zoë", "zoe@example.com", "poison", "ent_1"] {
        assert!(!shown.contains(private), "{private} shown: {shown}");
    }
    // Listing takes nothing away: the list is the same again, and the live message is untouched.
    assert_eq!(q.dead_letters(100).await.unwrap().len(), 2);
    assert_eq!(q.stats().await.unwrap(), QueueStats { ready: 1, in_flight: 0, dead: 2 });
}

pub async fn a_redriven_message_is_delivered_again_with_its_attempts_reset(f: Fixture) {
    let q = &f.backends.entries;
    dead_letter(q, &["again".to_string()], "it failed").await;
    let id = q.dead_letters(10).await.unwrap().remove(0).id;

    assert!(q.redrive(&id).await.unwrap());
    assert_eq!(q.stats().await.unwrap(), QueueStats { ready: 1, in_flight: 0, dead: 0 });
    assert!(q.dead_letters(10).await.unwrap().is_empty());
    assert_eq!(receive_all(q).await, vec![("again".to_string(), 1)]);
    assert!(!q.redrive(&id).await.unwrap(), "a redriven message is no dead letter any more");
    assert!(!q.redrive("no-such-id").await.unwrap());
    assert!(!q.redrive("12345").await.unwrap());
}

/// Listing and redriving long-poll the dead letters for a second; a call timeout shorter than that
/// must not turn an empty or short list into "queue unavailable".
pub async fn dead_letters_are_listed_and_redriven_under_a_call_timeout_shorter_than_their_poll(f: Fixture) {
    let short = f.reopened(|c| c.aws.timeout_ms = 700).await;
    let q = &short.entries;
    assert!(q.dead_letters(10).await.unwrap().is_empty(), "nothing dead yet");
    assert!(!q.redrive("no-such-id").await.unwrap());
    dead_letter(q, &["late".to_string()], "it failed").await;
    let id = q.dead_letters(10).await.unwrap().remove(0).id;
    assert!(q.redrive(&id).await.unwrap());
    assert_eq!(receive_all(q).await, vec![("late".to_string(), 1)]);
}

pub async fn racing_redrives_of_one_message_move_it_once(f: Fixture) {
    let q = &f.backends.entries;
    dead_letter(q, &["contested".to_string(), "bystander".to_string()], "it failed").await;
    let id = q.dead_letters(10).await.unwrap().remove(0).id;
    let (a, b, c) = tokio::join!(q.redrive(&id), q.redrive(&id), q.redrive(&id));
    let moved = [a.unwrap(), b.unwrap(), c.unwrap()].iter().filter(|m| **m).count();
    assert_eq!(moved, 1, "one redrive moves it");
    let delivered = receive_all(q).await;
    assert_eq!(delivered.len(), 1, "delivered once: {delivered:?}");
    assert_eq!(q.stats().await.unwrap().dead, 1, "the other dead letter stays");
    assert_eq!(q.dead_letters(10).await.unwrap().len(), 1);
}

pub async fn redrive_all_moves_every_dead_letter_back(f: Fixture) {
    let q = &f.backends.webhooks;
    let bodies: Vec<String> = (0..12).map(|n| format!(r#"{{"campaign":"c{n}"}}"#)).collect();
    dead_letter(q, &bodies, "receiver answered 500").await;
    assert_eq!(q.dead_letters(5).await.unwrap().len(), 5, "the limit holds");
    assert_eq!(q.dead_letters(100).await.unwrap().len(), 12, "a short listing hides nothing afterwards");

    assert_eq!(q.redrive_all().await.unwrap(), 12);
    assert_eq!(q.stats().await.unwrap(), QueueStats { ready: 12, in_flight: 0, dead: 0 });
    let delivered = receive_all(q).await;
    let got: BTreeSet<_> = delivered.iter().map(|(b, _)| b.clone()).collect();
    assert_eq!(got, bodies.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(delivered.len(), 12, "each once");
    assert!(delivered.iter().all(|(_, attempts)| *attempts == 1), "attempts start again: {delivered:?}");
    assert_eq!(q.redrive_all().await.unwrap(), 0);
}
