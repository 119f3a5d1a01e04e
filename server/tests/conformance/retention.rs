//! The retention sweep's store operations (a campaign's rows page by page, the sweep's record,
//! objects by folder) and the sweep itself: one campaign's people gone, the other campaign's
//! untouched, the books and counts as they were, a finished sweep not run again, an interrupted
//! one resumed from its record.

use std::collections::BTreeSet;

use vouch_core::consent::ConsentKind;
use vouch_core::form::Entrant;
use vouch_core::rewards::{CreditState, Side};
use vouch_core::wire::EntryStatus;
use vouch_server::backends::receipts::Perceptual;
use vouch_server::backends::referrals::{Credit, Referrer};
use vouch_server::backends::retention::{SweepRecord, SweepStep};
use vouch_server::backends::{Mail, Quota, StoredEntry};
use vouch_server::privacy::retention::sweep_campaign_in_pages;

use crate::consents::record as consent;
use crate::fixture::Fixture;
use crate::ledger::{credit, referrer};

const SURNAME: &str = "Vexmoorian";

fn person(i: usize) -> String {
    format!("q{i}.vexmoor@example.org")
}

fn entry(i: usize, campaign: &str) -> StoredEntry {
    let entry_id = format!("ent_{campaign}_{i}");
    StoredEntry {
        entry_id: entry_id.clone(),
        campaign: campaign.into(),
        idempotency_key: format!("key-{entry_id}"),
        entrant: Entrant {
            first_name: format!("Quillonne{i}"),
            last_name: SURNAME.into(),
            email: person(i),
            phone: Some(format!("+49 151 2345 98{i:02}")),
            postal_code: Some("80331".into()),
            marketing_consent: true,
            referral_code: None,
        },
        receipt_key: Some(format!("receipts/{campaign}/{entry_id}.jpg")),
        status: if i.is_multiple_of(2) { EntryStatus::Confirmed } else { EntryStatus::Rejected },
        reason: None,
        accepted_at_ms: 1_000 + i as i64,
        processed_at_ms: 2_000,
        locale: None,
    }
}

fn referrer_in(campaign: &str, i: usize) -> vouch_server::backends::referrals::NewReferrer {
    let code = format!("{}CODE{i}", campaign.to_uppercase());
    let mut r = referrer(&format!("ref_{campaign}_{i}"), &person(i), &code, 1_000);
    r.referrer.campaign = campaign.into();
    r.referrer.first_name = format!("Quillonne{i}");
    r.token_hash = format!("token-{campaign}-{i}");
    r
}

fn quota(campaign: &str, i: usize) -> vouch_server::backends::Submission {
    let mut sub = crate::store::submission(campaign, &format!("kq{i}"), i as u8, &format!("ent_q_{campaign}_{i}"));
    let identity = vouch_core::referral::identity_email(&person(i));
    sub.quota = Some(Quota { identity, period: "2026-11".into(), limit: 5 });
    sub
}

/// `demo`: five entries with receipts (and a thumbnail and an orphan upload), three referrers,
/// credits, entry limits, consent records and a mail; `other`: one of each, same people.
async fn seed(f: &Fixture) {
    let b = &f.backends;
    for i in 0..5 {
        let e = entry(i, "demo");
        b.store.record_entry(&e).await.unwrap();
        b.objects.put(e.receipt_key.as_deref().unwrap(), b"jpeg".to_vec(), "image/jpeg").await.unwrap();
        b.consents
            .record_consents(&[consent(&e.entry_id, "demo", &person(i), ConsentKind::Terms, 1_000)])
            .await
            .unwrap();
        b.intake.accept(quota("demo", i)).await.unwrap();
    }
    b.objects.put("thumbnails/demo/ent_demo_0.jpg", b"thumb".to_vec(), "image/jpeg").await.unwrap();
    b.objects.put("uploads/demo/never-claimed", b"orphan".to_vec(), "image/jpeg").await.unwrap();
    let kept = entry(0, "other");
    b.store.record_entry(&kept).await.unwrap();
    b.objects.put(kept.receipt_key.as_deref().unwrap(), b"jpeg".to_vec(), "image/jpeg").await.unwrap();
    b.objects.put("uploads/other/pending", b"upload".to_vec(), "image/jpeg").await.unwrap();
    b.consents
        .record_consents(&[consent(&kept.entry_id, "other", &person(0), ConsentKind::Terms, 1_000)])
        .await
        .unwrap();
    b.intake.accept(quota("other", 0)).await.unwrap();
    for i in 0..3 {
        b.referrals.join(referrer_in("demo", i)).await.unwrap();
    }
    b.referrals.join(referrer_in("other", 0)).await.unwrap();
    let mut friend = credit("cnv_1", Side::Friend, "ref_demo_0", CreditState::Pending);
    friend.recipient = person(4);
    let mut referrer_side = credit("cnv_1", Side::Referrer, "ref_demo_0", CreditState::Approved);
    referrer_side.recipient = person(0);
    b.referrals.record_credits(&[referrer_side, friend], &[]).await.unwrap();
    // Receipt fingerprints (duplicate checks) of two demo entries and of open's one.
    for (campaign, entry_id) in [("demo", "ent_demo_0"), ("demo", "ent_demo_1"), ("other", "ent_other_0")] {
        b.receipts.claim_exact(campaign, &format!("sha-{entry_id}"), entry_id).await.unwrap();
        let hash = Perceptual { entry_id: entry_id.into(), hash: 7, accepted_at_ms: 1_000 };
        b.receipts.index_perceptual(campaign, &hash, &["b0".into(), "b1".into()]).await.unwrap();
    }
    let mail = Mail { to: person(1), subject: "You're in, Quillonne1".into(), text: "Quillonne1 Vexmoorian".into() };
    b.mailer.send_once("confirmation:ent_demo_1", &mail).await.unwrap();
}

fn totals(credits: &[Credit]) -> Vec<(String, String, String, String)> {
    let mut t: Vec<_> = credits
        .iter()
        .map(|c| (c.credit_id.clone(), c.state.as_str().to_string(), c.reward.clone(), c.referrer_id.clone()))
        .collect();
    t.sort();
    t
}

pub async fn a_sweep_record_is_kept_and_replaced(f: Fixture) {
    let r = &f.backends.retention;
    assert_eq!(r.sweep_record("demo").await.unwrap(), None);
    let mut record = SweepRecord {
        campaign: "demo".into(),
        anon_id: "anon_1".into(),
        started_at_ms: 5,
        step: SweepStep::Entries,
        cursor: Some("abc".into()),
        counts: Default::default(),
        done_at_ms: None,
        generation: 2,
    };
    r.save_sweep_record(&record).await.unwrap();
    assert_eq!(r.sweep_record("demo").await.unwrap(), Some(record.clone()));
    record.step = SweepStep::Done;
    record.counts.entries = 7;
    record.done_at_ms = Some(9);
    r.save_sweep_record(&record).await.unwrap();
    assert_eq!(r.sweep_record("demo").await.unwrap(), Some(record));
    assert_eq!(r.sweep_record("other").await.unwrap(), None);
}

pub async fn a_campaigns_referrers_consents_and_credits_come_page_by_page(f: Fixture) {
    seed(&f).await;
    let r = &f.backends.retention;
    let (mut referrers, mut cursor, mut pages) = (Vec::<Referrer>::new(), None::<String>, 0);
    loop {
        let page = r.referrers_page("demo", cursor.as_deref(), 2).await.unwrap();
        assert!(page.items.len() <= 2);
        referrers.extend(page.items);
        pages += 1;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let ids: BTreeSet<_> = referrers.iter().map(|r| r.referrer_id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["ref_demo_0", "ref_demo_1", "ref_demo_2"]), "each once, only demo's");
    assert_eq!(referrers.len(), 3);
    assert!(pages >= 2, "three referrers in pages of two");
    assert_eq!(referrers.iter().find(|r| r.referrer_id == "ref_demo_1").unwrap().email, person(1));
    let (mut consents, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = r.consents_page("demo", cursor.as_deref(), 2).await.unwrap();
        consents.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let sources: BTreeSet<_> = consents.iter().map(|c| c.source.clone()).collect();
    assert_eq!(sources, (0..5).map(|i| format!("ent_demo_{i}")).collect::<BTreeSet<_>>());
    assert_eq!(consents.len(), 5);
    assert!(r.consents_page("nope", None, 50).await.unwrap().items.is_empty());
    let (mut credits, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = r.credits_page("demo", cursor.as_deref(), 1).await.unwrap();
        assert!(page.items.len() <= 1);
        credits.extend(page.items.into_iter().map(|c| c.credit_id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    credits.sort();
    assert_eq!(credits, ["cr_1_friend", "cr_1_referrer"], "each credit once, in pages of one");
    assert!(r.credits_page("other", None, 50).await.unwrap().items.is_empty());
}

pub async fn a_campaigns_entry_limits_are_erased_page_by_page(f: Fixture) {
    seed(&f).await;
    let (r, p) = (&f.backends.retention, &f.backends.privacy);
    let (mut erased, mut cursor) = (0, None::<String>);
    loop {
        let page = r.erase_entry_limits("demo", cursor.as_deref(), 2).await.unwrap();
        erased += page.items.len();
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(erased, 5);
    let key = vouch_server::backends::privacy::ErasureKey::new(b"conformance");
    let person0 = vouch_server::backends::privacy::Shopper::new(&person(0), None, &key);
    let left = p.quota_of(&person0).await.unwrap();
    assert_eq!(left.iter().map(|q| q.campaign.as_str()).collect::<Vec<_>>(), ["other"], "the other campaign's stays");
    assert_eq!(r.erase_entry_limits("demo", None, 10).await.unwrap().items.len(), 0, "twice is harmless");
}

pub async fn objects_are_listed_by_folder(f: Fixture) {
    let o = &f.backends.objects;
    for key in ["receipts/demo/a.jpg", "receipts/demo/b.jpg", "receipts/demo2/c.jpg", "uploads/demo/x"] {
        o.put(key, b"x".to_vec(), "image/jpeg").await.unwrap();
    }
    let mut all = o.list("receipts/demo", 10).await.unwrap();
    all.sort();
    assert_eq!(all, ["receipts/demo/a.jpg", "receipts/demo/b.jpg"], "not demo2's, not another folder's");
    assert_eq!(o.list("receipts/demo", 1).await.unwrap().len(), 1);
    assert!(o.list("receipts/none", 10).await.unwrap().is_empty());
}

pub async fn a_sweep_removes_one_campaigns_people_keeps_the_books_and_runs_once(f: Fixture) {
    seed(&f).await;
    let b = &f.backends;
    let ledger_before = totals(&b.referrals.list_credits("demo").await.unwrap());
    let counts_before = b.search.entry_counts("demo").await.unwrap();
    let other_before = b.store.list_entries("other").await.unwrap();

    let record = sweep_campaign_in_pages(b, "demo", 10_000, 2).await.unwrap().expect("swept now");
    assert_eq!((record.step, record.done_at_ms), (SweepStep::Done, Some(10_000)));
    let c = &record.counts;
    assert_eq!((c.objects, c.entries, c.referrers, c.credits, c.consents, c.entry_limits), (7, 5, 3, 2, 5, 5));
    assert_eq!(c.fingerprints, 6, "two exact hashes and two bands each of two entries: {c:?}");
    // The fingerprints of demo's receipts are gone (a claim finds them free); other's stay.
    assert_eq!(b.receipts.claim_exact("demo", "sha-ent_demo_1", "ent_new").await.unwrap(), "ent_new");
    assert!(b.receipts.perceptual_candidates("demo", &["b0".into()]).await.unwrap().is_empty());
    assert_eq!(b.receipts.claim_exact("other", "sha-ent_other_0", "ent_new").await.unwrap(), "ent_other_0");
    assert_eq!(b.receipts.perceptual_candidates("other", &["b0".into()]).await.unwrap().len(), 1);

    // Receipts, thumbnails and the orphan upload: gone. The other campaign's: there.
    for folder in ["receipts/demo", "thumbnails/demo", "uploads/demo"] {
        assert!(b.objects.list(folder, 10).await.unwrap().is_empty(), "{folder} is empty");
    }
    assert!(b.objects.head("receipts/other/ent_other_0.jpg").await.unwrap().is_some());
    assert!(b.objects.head("uploads/other/pending").await.unwrap().is_some());
    // Entries: anonymous, with their status; the counts as they were.
    for e in b.store.list_entries("demo").await.unwrap() {
        assert_eq!((e.entrant.first_name.as_str(), e.entrant.phone.as_deref(), e.receipt_key), ("", None, None));
        assert!(e.entrant.email.ends_with("@erased.invalid"), "{}", e.entrant.email);
    }
    assert_eq!(b.search.entry_counts("demo").await.unwrap(), counts_before);
    assert_eq!(b.store.list_entries("other").await.unwrap(), other_before);
    // The ledger: every credit with its state, reward and referrer, nobody's address.
    let credits = b.referrals.list_credits("demo").await.unwrap();
    assert_eq!(totals(&credits), ledger_before);
    assert!(credits.iter().all(|c| c.recipient == format!("{}@erased.invalid", record.anon_id)));
    // Referrers keep their codes (the ledger points at them), not their people.
    let code = b.referrals.referrer_by_code(Some("demo"), "DEMOCODE1").await.unwrap().unwrap();
    assert_eq!((code.first_name.as_str(), code.email.ends_with("@erased.invalid")), ("", true));
    assert_eq!(b.referrals.referrer_by_code(Some("other"), "OTHERCODE0").await.unwrap().unwrap().email, person(0));
    assert!(b.retention.consents_page("demo", None, 50).await.unwrap().items.is_empty());
    assert_eq!(b.retention.consents_page("other", None, 50).await.unwrap().items.len(), 1);
    if let Some(db) = &b.sqlite {
        let mail = db.outbox().list().await.unwrap().into_iter().find(|m| m.dedup_key == "confirmation:ent_demo_1");
        let mail = mail.unwrap();
        assert_eq!((mail.subject.as_str(), mail.text.as_str()), ("", ""));
        assert!(!mail.to.contains("vexmoor"));
    }
    if b.sqlite.is_some() {
        // Old page images wait in the write-ahead log until a checkpoint (secure_delete zeroes
        // freed pages of the database file).
        let conn = rusqlite::Connection::open(f.config.db_path()).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
    let raw = f.raw_store().await;
    for i in 1..5 {
        // Person 0 has an entry in `other`, which keeps it.
        assert!(!raw.contains(&format!("Quillonne{i}")), "Quillonne{i} is still in the store");
    }

    // Done once: the next sweep reads the record and nothing else.
    assert_eq!(sweep_campaign_in_pages(b, "demo", 20_000, 2).await.unwrap(), None);
    assert_eq!(b.retention.sweep_record("demo").await.unwrap().unwrap().done_at_ms, Some(10_000));
    let audit = b.moderation.list_audit("demo").await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "retention.sweep").count(), 1);
}

pub async fn an_interrupted_sweep_resumes_from_its_record(f: Fixture) {
    seed(&f).await;
    let b = &f.backends;
    // As a sweep killed after its entries and mails steps leaves it.
    let interrupted = SweepRecord {
        campaign: "demo".into(),
        anon_id: "anon_resumed".into(),
        started_at_ms: 9_000,
        step: SweepStep::Referrers,
        cursor: None,
        counts: Default::default(),
        done_at_ms: None,
        generation: 1,
    };
    b.retention.save_sweep_record(&interrupted).await.unwrap();
    let record = sweep_campaign_in_pages(b, "demo", 10_000, 2).await.unwrap().unwrap();
    assert_eq!((record.step, record.anon_id.as_str(), record.started_at_ms), (SweepStep::Done, "anon_resumed", 9_000));
    assert_eq!(record.generation, vouch_server::privacy::retention::GENERATION);
    assert_eq!((record.counts.objects, record.counts.entries, record.counts.referrers), (0, 0, 3));
    let code = b.referrals.referrer_by_code(Some("demo"), "DEMOCODE2").await.unwrap().unwrap();
    assert_eq!(code.email, "anon_resumed@erased.invalid");
    // The steps before the record's were not run again.
    assert_eq!(b.store.get_entry("demo", "ent_demo_3").await.unwrap().unwrap().entrant.first_name, "Quillonne3");
}
