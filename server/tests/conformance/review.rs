use vouch_core::i18n::Locale;
use vouch_core::wire::{EntryStatus, RejectReason};
use vouch_server::backends::review::{AuditRecord, Decided, ReviewCase};
use vouch_server::backends::StoredEntry;

use crate::fixture::Fixture;
use crate::support::entrant;

fn pending(entry_id: &str) -> StoredEntry {
    StoredEntry {
        entry_id: entry_id.into(),
        campaign: "demo".into(),
        idempotency_key: format!("key-{entry_id}"),
        entrant: entrant(),
        receipt_key: Some(format!("receipts/demo/{entry_id}.jpg")),
        status: EntryStatus::PendingReview,
        reason: None,
        accepted_at_ms: 1_000,
        processed_at_ms: 1_005,
        locale: None,
    }
}

fn record(action: &str, subject: &str, detail: &str, at_ms: i64) -> AuditRecord {
    AuditRecord::new("demo", "mia", action, subject, detail, at_ms)
}

pub async fn a_review_case_is_kept_once(f: Fixture) {
    let m = &f.backends.moderation;
    let case = ReviewCase {
        campaign: "demo".into(),
        entry_id: "ent_a".into(),
        locale: Locale::De,
        signals: vec!["disposable_email".into(), "near_duplicate".into()],
        duplicate_of: Some("ent_0".into()),
        opened_at_ms: 1_000,
    };
    m.open_case(&case).await.unwrap();
    m.open_case(&ReviewCase { signals: vec![], opened_at_ms: 2_000, ..case.clone() }).await.unwrap();
    assert_eq!(m.case("demo", "ent_a").await.unwrap(), Some(case));
    assert_eq!(m.case("other", "ent_a").await.unwrap(), None);
}

pub async fn a_decision_moves_a_pending_entry_once_with_its_audit_record(f: Fixture) {
    let (m, store) = (&f.backends.moderation, &f.backends.store);
    store.record_entry(&pending("ent_a")).await.unwrap();
    let reject = record("review.reject", "ent_a", "wrong_store", 2_000);
    let done = m.decide("demo", "ent_a", EntryStatus::Rejected, Some(RejectReason::ReceiptWrongStore), &reject);
    assert_eq!(done.await.unwrap(), Decided::Done);
    let state = store.entry_state("demo", "ent_a").await.unwrap().unwrap();
    assert_eq!((state.status, state.reason), (EntryStatus::Rejected, Some(RejectReason::ReceiptWrongStore)));

    // An approval after the rejection changes nothing, and leaves no trace.
    let approve = record("review.approve", "ent_a", "", 3_000);
    let late = m.decide("demo", "ent_a", EntryStatus::Approved, None, &approve).await.unwrap();
    assert_eq!(late, Decided::NotPending(EntryStatus::Rejected));
    assert_eq!(store.entry_state("demo", "ent_a").await.unwrap().unwrap().status, EntryStatus::Rejected);
    assert_eq!(m.list_audit("demo").await.unwrap(), vec![reject]);

    let stray = record("review.approve", "x", "", 1);
    let unknown = m.decide("demo", "ent_none", EntryStatus::Approved, None, &stray).await.unwrap();
    assert_eq!(unknown, Decided::Unknown);
    let elsewhere = m.decide("other", "ent_a", EntryStatus::Approved, None, &stray).await.unwrap();
    assert_eq!(elsewhere, Decided::Unknown, "ids are scoped to their campaign");
}

pub async fn concurrent_decisions_on_one_entry_have_one_winner(f: Fixture) {
    f.backends.store.record_entry(&pending("ent_b")).await.unwrap();
    let tries = (0..4).map(|i| {
        let m = f.backends.moderation.clone();
        tokio::spawn(async move {
            let (status, reason) = match i % 2 {
                0 => (EntryStatus::Approved, None),
                _ => (EntryStatus::Rejected, Some(RejectReason::ReceiptUnreadable)),
            };
            m.decide("demo", "ent_b", status, reason, &record("review", "ent_b", &i.to_string(), 5_000 + i)).await
        })
    });
    let mut done = 0;
    for t in tries {
        if t.await.unwrap().unwrap() == Decided::Done {
            done += 1;
        }
    }
    assert_eq!(done, 1);
    assert_eq!(f.backends.moderation.list_audit("demo").await.unwrap().len(), 1);
}

pub async fn the_audit_log_lists_a_campaigns_records_oldest_first(f: Fixture) {
    let m = &f.backends.moderation;
    let (late, early) = (record("draw.run", "draw_1", "beacon 42", 9_000), record("console.login", "mia", "", 4_000));
    m.append_audit(&late).await.unwrap();
    m.append_audit(&early).await.unwrap();
    m.append_audit(&AuditRecord::new("other", "sam", "draw.run", "draw_2", "", 5_000)).await.unwrap();
    assert_eq!(m.list_audit("demo").await.unwrap(), vec![early, late]);
}
