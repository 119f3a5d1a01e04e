use vouch_core::analytics::{day_of, server_event, Counter, Event, EventKind, ValidBatch};

use crate::fixture::Fixture;

/// 2026-11-30T12:00:00Z.
const NOON: i64 = 1_796_040_000_000;
const DAY: i64 = 86_400_000;

fn batch(campaign: &str, id: &str, session: Option<&str>, events: &[(EventKind, &str, i64)]) -> ValidBatch {
    ValidBatch {
        campaign: campaign.into(),
        batch_id: id.into(),
        session: session.map(String::from),
        events: events.iter().map(|&(kind, detail, at_ms)| Event::one(kind, detail, at_ms)).collect(),
    }
}

/// `(day, event, detail, events, sessions)`, sorted.
async fn counters(f: &Fixture, campaign: &str, from: &str, to: &str) -> Vec<(String, &'static str, String, u64, u64)> {
    let mut all: Vec<_> = f
        .backends
        .analytics
        .counters(campaign, from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|Counter { day, event, detail, events, sessions }| (day, event.as_str(), detail, events, sessions))
        .collect();
    all.sort();
    all
}

fn row(
    day: &str,
    event: &'static str,
    detail: &str,
    events: u64,
    sessions: u64,
) -> (String, &'static str, String, u64, u64) {
    (day.into(), event, detail.into(), events, sessions)
}

pub async fn a_batch_is_counted_once_however_often_it_arrives(f: Fixture) {
    let a = &f.backends.analytics;
    let page = batch(
        "demo",
        "batch-0001",
        Some("sess-0001"),
        &[(EventKind::Impression, "", NOON), (EventKind::Share, "copy", NOON), (EventKind::Share, "copy", NOON + 1)],
    );
    assert!(a.record_batch(&page).await.unwrap());
    assert!(!a.record_batch(&page).await.unwrap(), "a redelivered batch counts nothing");
    let fact = server_event("demo", EventKind::EntryRejected, "receipt_missing", "ent_1", NOON);
    assert!(a.record_batch(&fact).await.unwrap());
    assert!(!a.record_batch(&fact).await.unwrap());
    assert_eq!(
        counters(&f, "demo", "2026-11-30", "2026-11-30").await,
        vec![
            row("2026-11-30", "entry_rejected", "receipt_missing", 1, 0),
            row("2026-11-30", "impression", "", 1, 1),
            row("2026-11-30", "share", "copy", 2, 1),
        ]
    );
    // The same id in another campaign is another batch.
    let elsewhere = ValidBatch { campaign: "other".into(), ..page };
    assert!(a.record_batch(&elsewhere).await.unwrap());
    assert_eq!(counters(&f, "other", "2026-11-30", "2026-11-30").await.len(), 2);
}

pub async fn a_session_counts_once_per_counter(f: Fixture) {
    let a = &f.backends.analytics;
    let imp = |at| (EventKind::Impression, "", at);
    let share = |channel, at| (EventKind::Share, channel, at);
    for (id, session, events) in [
        ("batch-0001", "sess-aaaa", vec![imp(NOON), imp(NOON + 1), share("qr", NOON)]),
        ("batch-0002", "sess-aaaa", vec![imp(NOON + 2), share("qr", NOON), share("sms", NOON)]),
        // Yesterday is another counter, so the session counts there too.
        ("batch-0003", "sess-aaaa", vec![imp(NOON - DAY)]),
        ("batch-0004", "sess-bbbb", vec![imp(NOON), share("sms", NOON)]),
    ] {
        assert!(a.record_batch(&batch("demo", id, Some(session), &events)).await.unwrap());
    }
    assert_eq!(
        counters(&f, "demo", "2026-11-29", "2026-11-30").await,
        vec![
            row("2026-11-29", "impression", "", 1, 1),
            row("2026-11-30", "impression", "", 4, 2),
            row("2026-11-30", "share", "qr", 2, 1),
            row("2026-11-30", "share", "sms", 2, 2),
        ]
    );
}

pub async fn counters_are_read_per_campaign_for_the_days_asked(f: Fixture) {
    let a = &f.backends.analytics;
    for (n, at) in [NOON - 2 * DAY, NOON - DAY, NOON, NOON + DAY].into_iter().enumerate() {
        let events = [(EventKind::Submit, "", at)];
        assert!(a.record_batch(&batch("demo", &format!("batch-d{n:03}"), Some("sess-0001"), &events)).await.unwrap());
        assert!(a.record_batch(&batch("demo-2", &format!("batch-d{n:03}"), Some("sess-0001"), &events)).await.unwrap());
    }
    let days: Vec<String> = counters(&f, "demo", "2026-11-29", "2026-11-30").await.into_iter().map(|c| c.0).collect();
    assert_eq!(days, ["2026-11-29", "2026-11-30"]);
    assert_eq!(counters(&f, "demo", "2026-11-28", "2026-12-01").await.len(), 4);
    assert_eq!(counters(&f, "demo", "2026-12-02", "2026-12-31").await, vec![]);
    assert_eq!(counters(&f, "nobody", "2026-11-01", "2026-12-31").await, vec![]);
}

pub async fn a_batch_larger_than_one_transaction_is_counted_once(f: Fixture) {
    let a = &f.backends.analytics;
    // 50 events on 50 days: 50 counters, each with its session marker.
    let events: Vec<_> = (0..50).map(|d| (EventKind::PanelOpen, "", NOON - d * DAY)).collect();
    let big = batch("demo", "batch-big1", Some("sess-0001"), &events);
    assert!(a.record_batch(&big).await.unwrap());
    assert!(!a.record_batch(&big).await.unwrap());
    let all = counters(&f, "demo", "2026-01-01", "2026-12-31").await;
    assert_eq!(all.len(), 50);
    assert!(all.iter().all(|c| c.1 == "panel_open" && c.3 == 1 && c.4 == 1), "{all:?}");
    assert_eq!(all[0].0, day_of(NOON - 49 * DAY));
}

pub async fn concurrent_deliveries_of_one_batch_count_it_once(f: Fixture) {
    let a = f.backends.analytics.clone();
    let same = batch("demo", "batch-race", Some("sess-0001"), &[(EventKind::UploadDone, "", NOON)]);
    // Another batch of the same session on the same counter, racing for its session marker.
    let sibling = batch("demo", "batch-sibl", Some("sess-0001"), &[(EventKind::UploadDone, "", NOON)]);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..8 {
        let (a, b) = (a.clone(), if n % 4 == 3 { sibling.clone() } else { same.clone() });
        tasks.spawn(async move { (b.batch_id.clone(), a.record_batch(&b).await.unwrap()) });
    }
    let mut counted = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (id, now) = done.unwrap();
        if now {
            counted.push(id);
        }
    }
    counted.sort();
    assert_eq!(counted, ["batch-race", "batch-sibl"]);
    assert_eq!(
        counters(&f, "demo", "2026-11-30", "2026-11-30").await,
        vec![row("2026-11-30", "upload_done", "", 2, 1)]
    );
}
