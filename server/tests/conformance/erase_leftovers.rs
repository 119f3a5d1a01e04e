//! What an erase reaches beyond the shopper's own rows: the leftovers of an entry the tombstone
//! refused, audit records whose free text quotes the shopper, the client of their conversions, and
//! a referral sign-up that crossed the erase.

use std::time::Duration;

use vouch_core::duplicates::band_keys;
use vouch_core::i18n::Locale;
use vouch_core::wire::EntryStatus;
use vouch_server::backends::privacy::{Erasure, Shopper};
use vouch_server::backends::receipts::Perceptual;
use vouch_server::backends::referrals::{ConversionIntake, Joined, NewReferrer};
use vouch_server::backends::review::{AuditRecord, ReviewCase};
use vouch_server::backends::{EntryMessage, StoredEntry};

use crate::fixture::Fixture;
use crate::ledger::{conversion, referrer};
use crate::store::submission;

fn erasure(f: &Fixture, id: &str, email: &str, campaign: &str, at_ms: i64) -> Erasure {
    let tag = Shopper::new(email, None, &f.backends.erasure_key).tag;
    Erasure { id: id.into(), tag, campaign: campaign.into(), actor: "cli".into(), at_ms }
}

fn join_of(id: &str, email: &str, code: &str, campaign: &str, at: i64) -> NewReferrer {
    let mut new = referrer(id, email, code, at);
    new.referrer.campaign = campaign.into();
    new.webhook = Some(format!("event of {id}"));
    new
}

pub async fn a_join_that_crossed_its_mailboxs_erasure_is_refused_and_writes_nothing(f: Fixture) {
    let r = &f.backends.referrals;
    f.backends.privacy.record_erasure(&erasure(&f, "era_1", "anna@example.com", "demo", 5_000)).await.unwrap();
    // Begun before the erase, written after it: refused, nothing stays (no referrer, no event).
    assert_eq!(r.join(join_of("ref_1", "anna@example.com", "AAAAAAA2", "demo", 4_000)).await.unwrap(), Joined::Erased);
    assert_eq!(r.referrer_by_code(Some("demo"), "AAAAAAA2").await.unwrap(), None);
    assert_eq!(r.referrer_by_token("token-ref_1").await.unwrap(), None);
    assert_eq!(r.count_referrers("demo").await.unwrap(), 0);
    // The same person after the erase, another person, another campaign: new sign-ups.
    assert!(matches!(
        r.join(join_of("ref_2", "anna@example.com", "BBBBBBB2", "demo", 6_000)).await.unwrap(),
        Joined::Created(_)
    ));
    assert!(matches!(
        r.join(join_of("ref_3", "ben@example.com", "CCCCCCC2", "demo", 4_000)).await.unwrap(),
        Joined::Created(_)
    ));
    assert!(matches!(
        r.join(join_of("ref_4", "anna@example.com", "DDDDDDD2", "other", 4_000)).await.unwrap(),
        Joined::Created(_)
    ));
    // An erasure in every campaign stops every campaign's.
    f.backends.privacy.record_erasure(&erasure(&f, "era_2", "anna@example.com", "*", 7_000)).await.unwrap();
    assert_eq!(r.join(join_of("ref_5", "anna@example.com", "EEEEEEE2", "third", 6_500)).await.unwrap(), Joined::Erased);
    let events = f.backends.webhooks.receive(10, Duration::from_secs(30)).await.unwrap();
    let mut bodies: Vec<&str> = events.iter().map(|d| d.body.as_str()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["event of ref_2", "event of ref_3", "event of ref_4"]);
}

fn message(entry_id: &str, key: &str, upload: &str) -> EntryMessage {
    let mut sub = submission("demo", key, 1, entry_id);
    sub.message.receipt_key = Some(format!("uploads/demo/{upload}"));
    sub.message
}

fn decided(msg: &EntryMessage, accepted_at_ms: i64) -> StoredEntry {
    StoredEntry {
        entry_id: msg.entry_id.clone(),
        campaign: msg.campaign.clone(),
        idempotency_key: msg.idempotency_key.clone(),
        entrant: msg.entry.entrant.clone(),
        receipt_key: Some(format!("receipts/demo/{}.jpg", msg.entry_id)),
        status: EntryStatus::PendingReview,
        reason: None,
        accepted_at_ms,
        processed_at_ms: accepted_at_ms + 5,
        locale: Some(Locale::De),
    }
}

/// What the worker writes for an entry before its verdict is recorded: fingerprints and a case.
async fn fingerprints_and_case(f: &Fixture, entry_id: &str, sha: &str, hash: u64) {
    let b = &f.backends;
    assert_eq!(b.receipts.claim_exact("demo", sha, entry_id).await.unwrap(), entry_id);
    let me = Perceptual { entry_id: entry_id.into(), hash, accepted_at_ms: 1_000 };
    b.receipts.index_perceptual("demo", &me, &band_keys(hash, 10)).await.unwrap();
    let case = ReviewCase {
        campaign: "demo".into(),
        entry_id: entry_id.into(),
        locale: Locale::De,
        signals: vec!["near_duplicate".into()],
        duplicate_of: None,
        opened_at_ms: 1_000,
    };
    b.moderation.open_case(&case).await.unwrap();
}

pub async fn an_entry_refused_by_an_erasure_leaves_no_fingerprint_case_or_idempotency_record(f: Fixture) {
    let b = &f.backends;
    let (refused, kept) = (message("ent_x", "kx", "x.jpg"), message("ent_y", "ky", "y.jpg"));
    for m in [&refused, &kept] {
        let mut sub = submission("demo", &m.idempotency_key, 1, &m.entry_id);
        sub.message = m.clone();
        b.intake.accept(sub).await.unwrap();
    }
    let (hx, hy) = (0x0123_4567_89ab_cdef_u64, !0x0123_4567_89ab_cdef_u64);
    fingerprints_and_case(&f, "ent_x", "sha-x", hx).await;
    fingerprints_and_case(&f, "ent_y", "sha-y", hy).await;
    let at = vouch_server::clock::now_ms();
    assert!(b.store.record_entry(&decided(&kept, at - 10)).await.unwrap());
    b.privacy.record_erasure(&erasure(&f, "era_1", &refused.entry.entrant.email, "demo", at)).await.unwrap();
    assert!(!b.store.record_entry(&decided(&refused, at - 5)).await.unwrap(), "refused by the tombstone");

    for _ in 0..2 {
        b.privacy.forget_unrecorded(&refused).await.unwrap();
    }
    // A recorded entry keeps everything.
    b.privacy.forget_unrecorded(&kept).await.unwrap();

    // The refused entry's receipt is free again; its bands, case and idempotency record are gone.
    assert_eq!(b.receipts.claim_exact("demo", "sha-x", "ent_z").await.unwrap(), "ent_z");
    assert!(b.receipts.perceptual_candidates("demo", &band_keys(hx, 10)).await.unwrap().is_empty());
    assert_eq!(b.moderation.case("demo", "ent_x").await.unwrap(), None);
    assert_eq!(b.intake.earlier("demo", "kx").await.unwrap(), None);
    assert_eq!(b.store.entry_state("demo", "ent_x").await.unwrap(), None);
    // The recorded one's are all there.
    assert_eq!(b.receipts.claim_exact("demo", "sha-y", "ent_z").await.unwrap(), "ent_y");
    assert_eq!(b.receipts.perceptual_candidates("demo", &band_keys(hy, 10)).await.unwrap().len(), 1);
    assert!(b.moderation.case("demo", "ent_y").await.unwrap().is_some());
    assert!(b.intake.earlier("demo", "ky").await.unwrap().is_some());
    assert_eq!(b.store.entry_state("demo", "ent_y").await.unwrap().unwrap().status, EntryStatus::PendingReview);
    if b.aws.is_some() {
        let raw = f.raw_store().await;
        assert!(!raw.contains("ent_x"), "no item of the refused entry is left");
    }
}

pub async fn an_audit_records_detail_is_rewritten_and_the_record_stays(f: Fixture) {
    let m = &f.backends.moderation;
    let quoting = AuditRecord::new("demo", "mia", "review.reject", "ent_a", "receipt_unreadable Quillonne", 1_000);
    let other = AuditRecord::new("demo", "mia", "review.approve", "ent_b", "", 2_000);
    m.append_audit(&quoting).await.unwrap();
    m.append_audit(&other).await.unwrap();
    let redacted = AuditRecord { detail: "receipt_unreadable [erased]".into(), ..quoting.clone() };
    let gone = AuditRecord::new("demo", "mia", "review.reject", "ent_c", "x", 3_000);
    assert_eq!(f.backends.privacy.rewrite_audit(&[redacted.clone(), gone]).await.unwrap(), 1, "an unknown id: none");
    assert_eq!(m.list_audit("demo").await.unwrap(), [redacted, other]);
    if f.backends.aws.is_some() {
        // (SQLite's file is searched after a WAL checkpoint by the API's proof test.)
        assert!(!f.raw_store().await.contains("Quillonne"));
    }
}

pub async fn a_conversions_client_is_found_and_anonymised(f: Fixture) {
    let (r, p) = (&f.backends.referrals, &f.backends.privacy);
    let first = conversion("cnv_1", "ord-1", 1, "AAAAAAA2", "198.51.100.7");
    assert!(matches!(r.accept_conversion(first.clone()).await.unwrap(), ConversionIntake::New { .. }));
    r.accept_conversion(conversion("cnv_2", "ord-2", 2, "AAAAAAA2", "198.51.100.7")).await.unwrap();
    let held = p.conversions_of(&["cnv_1".into()]).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].campaign.as_str(), held[0].order_id.as_str()), ("demo", "ord-1"));
    assert_eq!((held[0].client.as_deref(), held[0].from_merchant), (Some("198.51.100.7"), true));
    assert_eq!(p.anonymise_conversions(&["cnv_1".into()], "anon_1").await.unwrap(), 1);
    assert_eq!(p.conversions_of(&["cnv_1".into()]).await.unwrap()[0].client.as_deref(), Some("anon_1"));
    // The other conversion from that client still counts; the anonymised one no longer does.
    let since = vouch_server::clock::now_ms() - 60_000;
    assert_eq!(r.recent_conversions("demo", "AAAAAAA2", "198.51.100.7", since, "none").await.unwrap(), (2, 1));
    // A replay of the report is still recognised by its order.
    assert!(matches!(r.accept_conversion(first).await.unwrap(), ConversionIntake::Replay { .. }));
    assert!(p.conversions_of(&["cnv_9".into()]).await.unwrap().is_empty());
}

pub async fn an_erasure_is_seen_by_a_message_accepted_before_it_only(f: Fixture) {
    let p = &f.backends.privacy;
    assert!(!p.erased_since("anna@example.com", "demo", 0).await.unwrap(), "nobody was erased");
    p.record_erasure(&erasure(&f, "era_1", "Anna+shop@Example.com", "demo", 5_000)).await.unwrap();
    assert!(p.erased_since("anna@example.com", "demo", 4_000).await.unwrap());
    assert!(p.erased_since("anna@example.com", "demo", 5_000).await.unwrap(), "the same millisecond");
    assert!(!p.erased_since("anna@example.com", "demo", 6_000).await.unwrap(), "accepted after the erase");
    assert!(!p.erased_since("anna@example.com", "other", 4_000).await.unwrap());
    assert!(!p.erased_since("ben@example.com", "demo", 4_000).await.unwrap());
    p.record_erasure(&erasure(&f, "era_2", "anna@example.com", "*", 7_000)).await.unwrap();
    assert!(p.erased_since("anna@example.com", "other", 6_500).await.unwrap(), "erased in every campaign");
}

pub async fn operators_notes_on_a_credit_are_redacted_and_its_state_stays(f: Fixture) {
    use vouch_core::rewards::{CreditState, Side};
    let (r, pay) = (&f.backends.referrals, &f.backends.payouts);
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", 1_000)).await.unwrap();
    let mut pending = crate::ledger::credit("cnv_1", Side::Referrer, "ref_1", CreditState::Pending);
    pending.reason = Some("velocity; Quillonne asked".into());
    r.record_credits(&[pending.clone()], &[]).await.unwrap();
    let id = pending.credit_id.clone();
    r.decide_credit(&id, CreditState::Approved, "mia", Some("phoned Quillonne"), &|_| None).await.unwrap().unwrap();
    pay.mark_paid("demo", std::slice::from_ref(&id), "SEPA to Quillonne", "mia", 5_000).await.unwrap();
    let redact: vouch_server::backends::leftovers::Redact =
        std::sync::Arc::new(|t: &str| t.contains("Quillonne").then(|| t.replace("Quillonne", "[erased]")));
    let changed = f.backends.privacy.redact_credit_notes(std::slice::from_ref(&id), redact.clone()).await.unwrap();
    assert_eq!(changed, 4, "the credit's reason, both changes' reasons (written, approved), the payout's reference");
    assert_eq!(
        f.backends.privacy.redact_credit_notes(std::slice::from_ref(&id), redact).await.unwrap(),
        0,
        "again: none"
    );
    let credit = r.list_credits("demo").await.unwrap().into_iter().find(|c| c.credit_id == id).unwrap();
    assert_eq!((credit.state, credit.reason.as_deref()), (CreditState::Approved, Some("phoned [erased]")));
    let payout = pay.payouts("demo").await.unwrap().into_iter().find(|p| p.credit_id == id).unwrap();
    assert_eq!((payout.reference.as_str(), payout.paid_at_ms), ("SEPA to [erased]", 5_000));
    // The payout's audit record is the audit log's (rewritten by `rewrite_audit`); nothing else
    // holds the name.
    let audit = f.backends.moderation.list_audit("demo").await.unwrap();
    let redacted: Vec<_> = audit
        .into_iter()
        .map(|a| vouch_server::backends::review::AuditRecord { detail: a.detail.replace("Quillonne", "[erased]"), ..a })
        .collect();
    f.backends.privacy.rewrite_audit(&redacted).await.unwrap();
    match f.backends.aws.is_some() {
        true => assert!(!f.raw_store().await.contains("Quillonne")),
        false => {
            let conn = rusqlite::Connection::open(f.config.db_path()).unwrap();
            let changes: String = conn
                .query_row("SELECT group_concat(coalesce(reason, ''), '|') FROM credit_changes", [], |r| r.get(0))
                .unwrap();
            assert!(!changes.contains("Quillonne"), "{changes}");
        }
    }
}
