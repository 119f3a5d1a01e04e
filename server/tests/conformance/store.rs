use std::time::Duration;

use vouch_core::form::{Entrant, ValidEntry};
use vouch_core::wire::{EntryStatus, RejectReason};
use vouch_server::backends::{Accepted, EntryMessage, Quota, StoredEntry, Submission};

use crate::fixture::Fixture;
use crate::support::entrant;

pub fn submission(campaign: &str, key: &str, hash: u8, entry_id: &str) -> Submission {
    let entry = ValidEntry { entrant: entrant(), receipt_upload_id: None, locale: vouch_core::i18n::Locale::De };
    Submission {
        campaign: campaign.into(),
        idempotency_key: key.into(),
        body_hash: vec![hash; 32],
        message: EntryMessage {
            entry_id: entry_id.into(),
            campaign: campaign.into(),
            idempotency_key: key.into(),
            entry,
            receipt_key: None,
            accepted_at_ms: 1_000,
            signals: Vec::new(),
            consents: Vec::new(),
            origin: None,
        },
        quota: None,
    }
}

fn verdict(entry_id: &str, status: EntryStatus, reason: Option<RejectReason>, accepted: i64) -> StoredEntry {
    StoredEntry {
        entry_id: entry_id.into(),
        campaign: "demo".into(),
        idempotency_key: format!("key-{entry_id}"),
        entrant: Entrant { marketing_consent: true, referral_code: Some("AB3DK9MZ".into()), ..entrant() },
        receipt_key: Some(format!("receipts/demo/{entry_id}.jpg")),
        status,
        reason,
        accepted_at_ms: accepted,
        processed_at_ms: accepted + 5,
        locale: Some(vouch_core::i18n::Locale::Es),
    }
}

pub async fn an_entry_is_accepted_once_per_key_and_queued_once(f: Fixture) {
    let intake = &f.backends.intake;
    assert_eq!(
        intake.accept(submission("demo", "k1", 1, "ent_a")).await.unwrap(),
        Accepted::New { entry_id: "ent_a".into() }
    );
    // A retry carries a fresh candidate id; the first one is the answer.
    assert_eq!(
        intake.accept(submission("demo", "k1", 1, "ent_b")).await.unwrap(),
        Accepted::Replay { entry_id: "ent_a".into() }
    );
    assert_eq!(intake.earlier("demo", "k1").await.unwrap(), Some((vec![1; 32], "ent_a".into())));
    assert_eq!(intake.earlier("demo", "k2").await.unwrap(), None);
    // The same key in another campaign is another submission.
    assert!(matches!(intake.accept(submission("other", "k1", 1, "ent_c")).await.unwrap(), Accepted::New { .. }));
    let held = f.backends.entries.receive(10, Duration::from_secs(30)).await.unwrap();
    let mut ids: Vec<String> =
        held.iter().map(|d| serde_json::from_str::<EntryMessage>(&d.body).unwrap().entry_id).collect();
    ids.sort();
    assert_eq!(ids, ["ent_a", "ent_c"]);
}

pub async fn a_different_body_under_the_same_key_is_refused(f: Fixture) {
    let intake = &f.backends.intake;
    intake.accept(submission("demo", "k", 1, "ent_a")).await.unwrap();
    assert_eq!(intake.accept(submission("demo", "k", 2, "ent_b")).await.unwrap(), Accepted::KeyReused);
    assert_eq!(f.backends.entries.stats().await.unwrap().ready, 1);
}

pub async fn an_accepted_entry_reads_as_accepted_until_the_worker_decides(f: Fixture) {
    let store = &f.backends.store;
    assert_eq!(store.entry_state("demo", "ent_a").await.unwrap(), None);
    f.backends.intake.accept(submission("demo", "k", 1, "ent_a")).await.unwrap();
    assert_eq!(store.entry_state("demo", "ent_a").await.unwrap().map(|s| s.status), Some(EntryStatus::Accepted));
    assert_eq!(store.entry_state("other", "ent_a").await.unwrap(), None, "ids are scoped to their campaign");
    assert_eq!(store.get_entry("demo", "ent_a").await.unwrap(), None, "no verdict yet");
}

pub async fn the_first_verdict_on_an_entry_stands(f: Fixture) {
    let store = &f.backends.store;
    f.backends.intake.accept(submission("demo", "key-ent_a", 1, "ent_a")).await.unwrap();
    let first = verdict("ent_a", EntryStatus::Rejected, Some(RejectReason::ReceiptNotAnImage), 1_000);
    assert!(store.record_entry(&first).await.unwrap());
    assert!(!store.record_entry(&verdict("ent_a", EntryStatus::Confirmed, None, 1_000)).await.unwrap());
    assert_eq!(store.get_entry("demo", "ent_a").await.unwrap(), Some(first));
    let state = store.entry_state("demo", "ent_a").await.unwrap().unwrap();
    assert_eq!((state.status, state.reason), (EntryStatus::Rejected, Some(RejectReason::ReceiptNotAnImage)));
}

pub async fn entries_are_listed_per_campaign_in_acceptance_order(f: Fixture) {
    let store = &f.backends.store;
    for (id, at) in [("ent_2", 2_000), ("ent_1", 1_000), ("ent_3", 3_000)] {
        assert!(store.record_entry(&verdict(id, EntryStatus::Confirmed, None, at)).await.unwrap());
    }
    let other = StoredEntry { campaign: "other".into(), ..verdict("ent_x", EntryStatus::Confirmed, None, 500) };
    store.record_entry(&other).await.unwrap();
    let listed: Vec<String> = store.list_entries("demo").await.unwrap().into_iter().map(|e| e.entry_id).collect();
    assert_eq!(listed, ["ent_1", "ent_2", "ent_3"]);
    store.ping().await.unwrap();
}

pub async fn an_upload_backs_one_entry_and_its_replay_stays_a_replay(f: Fixture) {
    let intake = &f.backends.intake;
    let citing = |upload: &str, key: &str, hash: u8, entry_id: &str| {
        let mut sub = submission("demo", key, hash, entry_id);
        sub.message.receipt_key = Some(format!("uploads/demo/{upload}"));
        sub
    };
    assert_eq!(
        intake.accept(citing("r1", "k1", 1, "ent_a")).await.unwrap(),
        Accepted::New { entry_id: "ent_a".into() }
    );
    // Another submission citing the same upload is refused, and leaves nothing behind.
    assert_eq!(intake.accept(citing("r1", "k2", 2, "ent_b")).await.unwrap(), Accepted::UploadClaimed);
    assert_eq!(intake.accept(citing("r1", "k2", 2, "ent_b")).await.unwrap(), Accepted::UploadClaimed);
    assert_eq!(intake.earlier("demo", "k2").await.unwrap(), None);
    assert_eq!(f.backends.store.entry_state("demo", "ent_b").await.unwrap(), None);
    // The first submission's retry is still its replay.
    assert_eq!(
        intake.accept(citing("r1", "k1", 1, "ent_c")).await.unwrap(),
        Accepted::Replay { entry_id: "ent_a".into() }
    );
    assert_eq!(
        intake.accept(citing("r2", "k2", 2, "ent_d")).await.unwrap(),
        Accepted::New { entry_id: "ent_d".into() }
    );
    let held = f.backends.entries.receive(10, Duration::from_secs(30)).await.unwrap();
    let mut ids: Vec<String> =
        held.iter().map(|d| serde_json::from_str::<EntryMessage>(&d.body).unwrap().entry_id).collect();
    ids.sort();
    assert_eq!(ids, ["ent_a", "ent_d"]);
}

pub async fn an_unclaimed_upload_is_swept_and_an_entry_citing_it_later_is_refused(f: Fixture) {
    let intake = &f.backends.intake;
    let citing = |upload: &str, key: &str, hash: u8, entry_id: &str| {
        let mut sub = submission("demo", key, hash, entry_id);
        sub.message.receipt_key = Some(format!("uploads/demo/{upload}"));
        sub
    };
    assert!(matches!(intake.accept(citing("kept", "k1", 1, "ent_a")).await.unwrap(), Accepted::New { .. }));
    let old = vec!["uploads/demo/kept".to_string(), "uploads/demo/gone".to_string()];
    assert_eq!(intake.sweep_unclaimed(old.clone()).await.unwrap(), ["uploads/demo/gone"]);
    // An entry that saw the file before it went is refused, and leaves nothing behind.
    assert_eq!(intake.accept(citing("gone", "k2", 2, "ent_b")).await.unwrap(), Accepted::UploadSwept);
    assert_eq!(intake.earlier("demo", "k2").await.unwrap(), None);
    assert_eq!(f.backends.store.entry_state("demo", "ent_b").await.unwrap(), None);
    // A file a failed delete left behind goes on the next sweep; the claimed one stays.
    assert_eq!(intake.sweep_unclaimed(old).await.unwrap(), ["uploads/demo/gone"]);
    assert_eq!(
        intake.accept(citing("kept", "k1", 1, "ent_c")).await.unwrap(),
        Accepted::Replay { entry_id: "ent_a".into() }
    );
    assert!(matches!(intake.accept(citing("gone", "k2", 2, "ent_d")).await.unwrap(), Accepted::UploadSwept));
    assert!(matches!(intake.accept(citing("fresh", "k2", 2, "ent_e")).await.unwrap(), Accepted::New { .. }));
}

fn limited(key: &str, email: &str, period: &str) -> Submission {
    let mut sub = submission("demo", key, 1, &format!("ent_{key}"));
    sub.message.entry.entrant.email = email.into();
    sub.quota = Some(Quota { identity: email.into(), period: period.into(), limit: 2 });
    sub
}

pub async fn entries_beyond_a_persons_limit_are_refused_and_replays_still_answer(f: Fixture) {
    let intake = &f.backends.intake;
    let zoe = "zoe@example.com";
    assert_eq!(intake.accept(limited("k1", zoe, "d1")).await.unwrap(), Accepted::New { entry_id: "ent_k1".into() });
    assert!(matches!(intake.accept(limited("k2", zoe, "d1")).await.unwrap(), Accepted::New { .. }));
    assert_eq!(intake.accept(limited("k3", zoe, "d1")).await.unwrap(), Accepted::LimitReached);
    // A retry of an accepted entry is its replay, not a third entry.
    assert_eq!(intake.accept(limited("k1", zoe, "d1")).await.unwrap(), Accepted::Replay { entry_id: "ent_k1".into() });
    assert!(matches!(intake.accept(limited("k4", "ben@example.com", "d1")).await.unwrap(), Accepted::New { .. }));
    assert!(matches!(intake.accept(limited("k5", zoe, "d2")).await.unwrap(), Accepted::New { .. }));
    // The refused entry left nothing behind: no record under its key, nothing queued.
    assert_eq!(intake.earlier("demo", "k3").await.unwrap(), None);
    assert_eq!(f.backends.entries.stats().await.unwrap().ready, 4);
}
