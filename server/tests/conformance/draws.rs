use std::time::Duration;

use vouch_core::form::Entrant;
use vouch_core::wire::EntryStatus;
use vouch_server::backends::draws::{DrawRecord, Forfeited, PoolEntry};
use vouch_server::backends::referrals::OutboxEvent;
use vouch_server::backends::StoredEntry;

use crate::fixture::Fixture;
use crate::support::entrant;

fn entry(campaign: &str, entry_id: &str, email: &str, status: EntryStatus, accepted: i64) -> StoredEntry {
    StoredEntry {
        entry_id: entry_id.into(),
        campaign: campaign.into(),
        idempotency_key: format!("key-{entry_id}"),
        entrant: Entrant { email: email.into(), ..entrant() },
        receipt_key: None,
        status,
        reason: None,
        accepted_at_ms: accepted,
        processed_at_ms: accepted + 5,
        locale: None,
    }
}

pub fn record(draw_id: &str, sequence: u32) -> DrawRecord {
    DrawRecord {
        draw_id: draw_id.into(),
        campaign: "demo".into(),
        sequence,
        algorithm: "vouch-draw-v1".into(),
        inputs_digest: "ab".repeat(32),
        eligible: 5,
        beacon: "drand 42".into(),
        beacon_source: Some("drand mainnet".into()),
        seed: "cd".repeat(32),
        winners: vec!["ent_1".into(), "ent_2".into()],
        alternates: vec!["ent_3".into(), "ent_4".into()],
        excluded: vec![],
        weights: vec![("ent_2".into(), 3)],
        created_at_ms: 1_000 * i64::from(sequence),
        actor: "cli:ops".into(),
        claim_deadline_ms: 99_000,
        history: vec![],
    }
}

pub async fn the_pool_lists_a_campaigns_decided_entries_by_id(f: Fixture) {
    let store = &f.backends.store;
    // Accepted later but with a smaller id: the pool is in id order, not time order.
    store.record_entry(&entry("demo", "ent_b", "b@example.com", EntryStatus::Confirmed, 1)).await.unwrap();
    store.record_entry(&entry("demo", "ent_a", "A@Example.com", EntryStatus::Rejected, 2)).await.unwrap();
    store.record_entry(&entry("other", "ent_c", "c@example.com", EntryStatus::Confirmed, 3)).await.unwrap();
    let pool = f.backends.draws.pool_entries("demo").await.unwrap();
    assert_eq!(
        pool,
        vec![
            PoolEntry { entry_id: "ent_a".into(), email: "A@Example.com".into(), status: EntryStatus::Rejected },
            PoolEntry { entry_id: "ent_b".into(), email: "b@example.com".into(), status: EntryStatus::Confirmed },
        ]
    );
    assert!(f.backends.draws.pool_entries("nobody").await.unwrap().is_empty());
}

pub async fn a_draw_is_stored_once_with_its_event(f: Fixture) {
    let draws = &f.backends.draws;
    let event = OutboxEvent { id: "evt_drw_1_completed".into(), body: r#"{"id":"evt_drw_1_completed"}"#.into() };
    assert!(draws.save_draw(&record("drw_1", 1), std::slice::from_ref(&event)).await.unwrap());
    // The same id again, or another draw under a taken sequence number: refused, nothing queued.
    assert!(!draws.save_draw(&record("drw_1", 2), std::slice::from_ref(&event)).await.unwrap());
    assert!(!draws.save_draw(&record("drw_x", 1), std::slice::from_ref(&event)).await.unwrap());
    assert!(draws.save_draw(&record("drw_2", 2), &[]).await.unwrap());
    assert_eq!(draws.get_draw("drw_1").await.unwrap(), Some(record("drw_1", 1)));
    assert_eq!(draws.get_draw("drw_x").await.unwrap(), None);
    let listed = draws.list_draws("demo").await.unwrap();
    assert_eq!(listed.iter().map(|d| d.draw_id.as_str()).collect::<Vec<_>>(), ["drw_1", "drw_2"]);
    assert!(draws.list_draws("other").await.unwrap().is_empty());
    let sent = f.backends.webhooks.receive(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(sent.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(), [event.body.as_str()]);
}

pub async fn a_forfeit_promotes_the_next_alternate_in_order(f: Fixture) {
    let draws = &f.backends.draws;
    draws.save_draw(&record("drw_1", 1), &[]).await.unwrap();
    let Forfeited::Done(after) = draws.forfeit("drw_1", "ent_2", "cli:ops", 5_000).await.unwrap() else {
        panic!("a winner's forfeit is recorded")
    };
    assert_eq!(after.current_winners(), ["ent_1", "ent_3"]);
    // The promoted alternate can forfeit too; the next one in order follows.
    draws.forfeit("drw_1", "ent_3", "cli:ops", 6_000).await.unwrap();
    let stored = draws.get_draw("drw_1").await.unwrap().unwrap();
    assert_eq!(stored.current_winners(), ["ent_1", "ent_4"]);
    assert_eq!(stored.history.len(), 2);
    assert_eq!(stored.history[0].replaced_by.as_deref(), Some("ent_3"));
    assert_eq!((stored.history[1].at_ms, stored.history[1].actor.as_str()), (6_000, "cli:ops"));
    // Not a winner (any more), an unknown draw: nothing changes.
    assert_eq!(draws.forfeit("drw_1", "ent_2", "cli:ops", 7_000).await.unwrap(), Forfeited::NotAWinner);
    assert_eq!(draws.forfeit("drw_1", "ent_9", "cli:ops", 7_000).await.unwrap(), Forfeited::NotAWinner);
    assert_eq!(draws.forfeit("drw_9", "ent_1", "cli:ops", 7_000).await.unwrap(), Forfeited::UnknownDraw);
    assert_eq!(draws.get_draw("drw_1").await.unwrap().unwrap(), stored);
    // With the alternates used up, a forfeit leaves the place empty.
    draws.forfeit("drw_1", "ent_4", "cli:ops", 8_000).await.unwrap();
    assert_eq!(draws.get_draw("drw_1").await.unwrap().unwrap().current_winners(), ["ent_1"]);
}

pub async fn concurrent_forfeits_each_promote_a_different_alternate(f: Fixture) {
    let draws = f.backends.draws.clone();
    draws.save_draw(&record("drw_1", 1), &[]).await.unwrap();
    let (a, b) = tokio::join!(draws.forfeit("drw_1", "ent_1", "a", 1), draws.forfeit("drw_1", "ent_2", "b", 1));
    assert!(matches!(a.unwrap(), Forfeited::Done(_)));
    assert!(matches!(b.unwrap(), Forfeited::Done(_)));
    let mut winners = draws.get_draw("drw_1").await.unwrap().unwrap().current_winners();
    winners.sort();
    assert_eq!(winners, ["ent_3", "ent_4"]);
}
