//! The retention sweep's operations on what points at people from beside their rows: a
//! campaign's conversion clients, operators' notes on credits, undelivered webhook events and the
//! audit log's free text. Each goes page by page, changes only the campaign swept, keeps what the
//! books and the audit trail need, and changes nothing when run again.

use std::time::Duration;

use vouch_core::rewards::{CreditState, Side};
use vouch_server::backends::referrals::NewConversion;
use vouch_server::backends::retention::{Page, SweepRecord, SweepStep, ERASED};
use vouch_server::backends::review::AuditRecord;
use vouch_server::privacy::retention::{sweep_campaign_in_pages, GENERATION};

use crate::fixture::Fixture;
use crate::ledger::{conversion, credit, referrer};

/// Runs a paged operation from the start to the end; the total of the pages' items.
async fn all_pages<F, Fut>(mut page: F) -> usize
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = vouch_server::backends::Result<Page<()>>>,
{
    let (mut total, mut cursor, mut pages) = (0, None, 0);
    loop {
        let Page { items, next } = page(cursor.take()).await.unwrap();
        total += items.len();
        pages += 1;
        assert!(pages < 200, "the pages end");
        match next {
            Some(n) => cursor = Some(n),
            None => return total,
        }
    }
}

fn in_campaign(mut c: NewConversion, campaign: &str, from_merchant: bool) -> NewConversion {
    c.campaign = campaign.into();
    c.message.campaign = campaign.into();
    c.from_merchant = from_merchant;
    c.message.from_merchant = from_merchant;
    c
}

pub async fn a_campaigns_conversion_clients_are_anonymised_page_by_page(f: Fixture) {
    let (r, ret, p) = (&f.backends.referrals, &f.backends.retention, &f.backends.privacy);
    for (i, from_merchant) in [(1, true), (2, true), (3, true), (4, false)] {
        let c = conversion(&format!("cnv_{i}"), &format!("ord-{i}"), i, "AAAAAAA2", "198.51.100.7");
        r.accept_conversion(in_campaign(c, "demo", from_merchant)).await.unwrap();
    }
    let kept = conversion("cnv_9", "ord-9", 9, "BBBBBBB2", "203.0.113.9");
    r.accept_conversion(in_campaign(kept, "other", true)).await.unwrap();

    let changed = all_pages(|at: Option<String>| async move {
        ret.anonymise_campaign_conversions("demo", at.as_deref(), 1, "anon_1").await
    })
    .await;
    assert_eq!(changed, 4, "three merchant reports and a browser's");
    let ids: Vec<String> = (1..=4).map(|i| format!("cnv_{i}")).collect();
    let held = p.conversions_of(&ids).await.unwrap();
    assert_eq!(held.len(), 4);
    assert!(held.iter().all(|c| c.client.as_deref() == Some("anon_1")), "{held:?}");
    assert!(held.iter().any(|c| !c.from_merchant));
    let other = p.conversions_of(&["cnv_9".into()]).await.unwrap();
    assert_eq!(other[0].client.as_deref(), Some("203.0.113.9"), "the other campaign keeps its own");
    // The velocity rules no longer see the swept client.
    let since = vouch_server::clock::now_ms() - 60_000;
    assert_eq!(r.recent_conversions("demo", "AAAAAAA2", "198.51.100.7", since, "none").await.unwrap().1, 0);
    let again = all_pages(|at: Option<String>| async move {
        ret.anonymise_campaign_conversions("demo", at.as_deref(), 2, "anon_1").await
    })
    .await;
    assert_eq!(again, 0, "a second run changes nothing");
    if f.backends.aws.is_some() {
        let raw = f.raw_store().await;
        assert!(!raw.contains("198.51.100.7") && raw.contains("203.0.113.9"));
    }
}

pub async fn a_campaigns_credit_notes_and_audit_text_are_erased_and_the_books_stay(f: Fixture) {
    let (b, ret) = (&f.backends, &f.backends.retention);
    let mut ids = Vec::new();
    for (campaign, name, code) in [("demo", "Quillonne", "AAAAAAA2"), ("other", "Ottoline", "BBBBBBB2")] {
        let mut join = referrer(&format!("ref_{campaign}"), &format!("{campaign}@example.com"), code, 1_000);
        join.referrer.campaign = campaign.into();
        b.referrals.join(join).await.unwrap();
        let mut c =
            credit(&format!("cnv_{campaign}"), Side::Referrer, &format!("ref_{campaign}"), CreditState::Pending);
        c.campaign = campaign.into();
        c.reason = Some(format!("velocity; {name} asked"));
        b.referrals.record_credits(&[c.clone()], &[]).await.unwrap();
        let why = format!("phoned {name}");
        b.referrals
            .decide_credit(&c.credit_id, CreditState::Approved, "mia", Some(&why), &|_| None)
            .await
            .unwrap()
            .unwrap();
        b.payouts
            .mark_paid(campaign, std::slice::from_ref(&c.credit_id), &format!("SEPA to {name}"), "mia", 5_000)
            .await
            .unwrap();
        let note = AuditRecord::new(
            campaign,
            "mia",
            "review.reject",
            &format!("ent_{campaign}"),
            &format!("{name} sent a blurry photo"),
            2_000,
        );
        b.moderation.append_audit(&note).await.unwrap();
        ids.push(c.credit_id);
    }
    let audit_before = b.moderation.list_audit("demo").await.unwrap();
    assert!(audit_before.len() >= 2, "the note and the payout's record");

    let notes =
        all_pages(|at: Option<String>| async move { ret.redact_campaign_credit_notes("demo", at.as_deref(), 1).await })
            .await;
    assert_eq!(notes, 4, "the credit's reason, both changes' reasons, the payout's reference");
    let audit =
        all_pages(|at: Option<String>| async move { ret.redact_campaign_audit("demo", at.as_deref(), 1).await }).await;
    assert_eq!(audit, audit_before.iter().filter(|a| !a.detail.is_empty()).count());
    assert_eq!(
        all_pages(|at: Option<String>| async move { ret.redact_campaign_credit_notes("demo", at.as_deref(), 3).await })
            .await,
        0,
        "again: none"
    );
    assert_eq!(
        all_pages(|at: Option<String>| async move { ret.redact_campaign_audit("demo", at.as_deref(), 3).await }).await,
        0,
        "again: none"
    );

    // The books as they were, without the notes.
    let demo = b.referrals.list_credits("demo").await.unwrap();
    assert_eq!(demo.len(), 1);
    assert_eq!(
        (demo[0].state, demo[0].reward.as_str(), demo[0].reason.as_deref()),
        (CreditState::Approved, "10 %", Some(ERASED))
    );
    let paid = b.payouts.payouts("demo").await.unwrap();
    assert_eq!((paid[0].reference.as_str(), paid[0].paid_at_ms, paid[0].paid_by.as_str()), (ERASED, 5_000, "mia"));
    // The audit trail: who did what to which id and when, without the free text.
    let after = b.moderation.list_audit("demo").await.unwrap();
    let trail = |a: &[AuditRecord]| {
        a.iter()
            .map(|r| (r.id.clone(), r.actor.clone(), r.action.clone(), r.subject.clone(), r.at_ms))
            .collect::<Vec<_>>()
    };
    assert_eq!(trail(&after), trail(&audit_before));
    assert!(after.iter().all(|a| a.detail.is_empty() || a.detail == ERASED), "{after:?}");
    // The other campaign keeps its own.
    let other = b.referrals.list_credits("other").await.unwrap();
    assert_eq!(other[0].reason.as_deref(), Some("phoned Ottoline"));
    assert_eq!(b.payouts.payouts("other").await.unwrap()[0].reference, "SEPA to Ottoline");
    assert!(b.moderation.list_audit("other").await.unwrap().iter().any(|a| a.detail == "Ottoline sent a blurry photo"));
    match b.aws.is_some() {
        true => {
            let raw = f.raw_store().await;
            assert!(!raw.contains("Quillonne") && raw.contains("Ottoline"));
        }
        false => {
            let conn = rusqlite::Connection::open(f.config.db_path()).unwrap();
            let changes: String = conn
                .query_row("SELECT group_concat(coalesce(reason, ''), '|') FROM credit_changes", [], |r| r.get(0))
                .unwrap();
            assert!(!changes.contains("Quillonne") && changes.contains("Ottoline"), "{changes}");
        }
    }
}

/// An event naming a shopper that is still waiting to go out: on SQLite a webhook message in the
/// queue; on DynamoDB an outbox item whose hand-over to SQS failed (written as the store does).
async fn undelivered_event(f: &Fixture, campaign: &str, name: &str) {
    let body = serde_json::json!({ "id": format!("evt_{campaign}"), "type": "referrer.joined",
        "campaign": campaign, "data": { "first_name": name } })
    .to_string();
    match &f.backends.aws {
        None => f.backends.webhooks.send(body).await.unwrap(),
        Some(aws) => {
            use aws_sdk_dynamodb::types::AttributeValue as AV;
            let now = vouch_server::clock::now_ms();
            aws.dynamodb()
                .put_item()
                .table_name(&f.config.store.table)
                .item("pk", AV::S(format!("event#evt_{campaign}")))
                .item("body", AV::S(body))
                .item("created_ms", AV::N(now.to_string()))
                .item("gsi2pk", AV::S("outbox#webhooks".into()))
                .item("gsi2sk", AV::S(format!("{now:015}#evt_{campaign}")))
                .send()
                .await
                .unwrap();
        }
    }
}

pub async fn a_campaigns_undelivered_webhook_events_are_erased(f: Fixture) {
    let ret = &f.backends.retention;
    undelivered_event(&f, "demo", "Quillonne").await;
    undelivered_event(&f, "other", "Ottoline").await;
    assert_eq!(
        all_pages(
            |at: Option<String>| async move { ret.erase_campaign_pending_events("demo", at.as_deref(), 1).await }
        )
        .await,
        1
    );
    assert_eq!(
        all_pages(
            |at: Option<String>| async move { ret.erase_campaign_pending_events("demo", at.as_deref(), 1).await }
        )
        .await,
        0,
        "again: none"
    );
    match f.backends.aws.is_some() {
        true => {
            let raw = f.raw_store().await;
            assert!(!raw.contains("Quillonne") && raw.contains("Ottoline"));
        }
        false => {
            let left = f.backends.webhooks.receive(10, Duration::from_secs(30)).await.unwrap();
            let bodies: Vec<&str> = left.iter().map(|d| d.body.as_str()).collect();
            assert_eq!(bodies.len(), 1, "{bodies:?}");
            assert!(bodies[0].contains("Ottoline"));
        }
    }
}

/// A campaign finished by the first generation of the sweep (which ended with the entry counters)
/// is swept again from the steps it lacked, under its anonymous id, and then left alone.
pub async fn a_campaign_swept_by_an_older_generation_gets_the_steps_it_lacked(f: Fixture) {
    let b = &f.backends;
    let c = conversion("cnv_1", "ord-1", 1, "AAAAAAA2", "198.51.100.7");
    b.referrals.accept_conversion(c).await.unwrap();
    b.moderation.audit("demo", "mia", "review.note", "ent_1", "Quillonne phoned", 1_000).await.unwrap();
    b.moderation.audit("demo", "retention", "retention.sweep", "demo", "objects=0 entries=0", 6_000).await.unwrap();
    let old = SweepRecord {
        campaign: "demo".into(),
        anon_id: "anon_old".into(),
        started_at_ms: 5_000,
        step: SweepStep::Done,
        cursor: None,
        counts: Default::default(),
        done_at_ms: Some(6_000),
        generation: 0,
    };
    // As the first generation saved it: no `generation`, no counts of the later steps.
    let mut json = serde_json::to_value(&old).unwrap();
    json.as_object_mut().unwrap().remove("generation");
    json["counts"].as_object_mut().unwrap().remove("conversions");
    let old: SweepRecord = serde_json::from_value(json).unwrap();
    assert_eq!(old.generation, 0);
    b.retention.save_sweep_record(&old).await.unwrap();

    let record = sweep_campaign_in_pages(b, "demo", 10_000, 2).await.unwrap().expect("swept again");
    assert_eq!((record.step, record.generation, record.anon_id.as_str()), (SweepStep::Done, GENERATION, "anon_old"));
    assert_eq!((record.counts.conversions, record.counts.audit_notes, record.counts.entries), (1, 1, 0));
    assert_eq!(record.done_at_ms, Some(10_000));
    let held = b.privacy.conversions_of(&["cnv_1".into()]).await.unwrap();
    assert_eq!(held[0].client.as_deref(), Some("anon_old"));
    let audit = b.moderation.list_audit("demo").await.unwrap();
    assert_eq!(audit.iter().find(|a| a.action == "review.note").unwrap().detail, ERASED);
    let sweeps: Vec<&str> = audit.iter().filter(|a| a.action == "retention.sweep").map(|a| a.detail.as_str()).collect();
    assert_eq!(sweeps.len(), 2, "the first sweep's record and this one's");
    assert_eq!(sweeps[0], "objects=0 entries=0", "a sweep's counts are no note about a person");
    assert_eq!(sweep_campaign_in_pages(b, "demo", 11_000, 2).await.unwrap(), None, "then not again");
}
