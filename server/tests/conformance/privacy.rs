//! What the stores hold about one shopper: found kind by kind, anonymised or deleted, with the
//! ledger's totals kept and the erasure logged by hash only.

use vouch_core::consent::ConsentKind;
use vouch_core::form::Entrant;
use vouch_core::rewards::{CreditState, Side};
use vouch_core::wire::EntryStatus;
use vouch_server::backends::consents::Confirmation;
use vouch_server::backends::privacy::{Erasure, ErasureKey, Shopper};
use vouch_server::backends::referrals::{Credit, Joined};
use vouch_server::backends::{Quota, StoredEntry};
use vouch_server::consents::consents_of_mailbox;

use crate::consents::record as consent;
use crate::fixture::Fixture;
use crate::ledger::{credit, referrer};

/// Distinctive values, so that a byte search for them cannot hit anything else.
pub const EMAIL: &str = "Q.Vexmoor+giveaway@Example.org";
pub const NAME: &str = "Quillonne";
pub const PHONE: &str = "+49 151 2345 9876";

fn key() -> ErasureKey {
    ErasureKey::new(b"conformance")
}

fn shopper(campaign: Option<&str>) -> Shopper {
    Shopper::new(EMAIL, campaign, &key())
}

fn entry(entry_id: &str, campaign: &str, entrant: Entrant, accepted: i64) -> StoredEntry {
    StoredEntry {
        entry_id: entry_id.into(),
        campaign: campaign.into(),
        idempotency_key: format!("key-{entry_id}"),
        entrant,
        receipt_key: Some(format!("receipts/{campaign}/{entry_id}.jpg")),
        status: EntryStatus::Confirmed,
        reason: None,
        accepted_at_ms: accepted,
        processed_at_ms: accepted + 5,
        locale: None,
    }
}

fn theirs() -> Entrant {
    Entrant {
        first_name: NAME.into(),
        last_name: "Vexmoor".into(),
        // The same mailbox as typed another time: one identity.
        email: "q.vexmoor@example.org".into(),
        phone: Some(PHONE.into()),
        postal_code: Some("80331".into()),
        marketing_consent: true,
        referral_code: None,
    }
}

fn someone_else() -> Entrant {
    Entrant {
        email: "ben@example.com".into(),
        first_name: "Ben".into(),
        last_name: "Baker".into(),
        phone: None,
        ..theirs()
    }
}

fn totals(credits: &[Credit]) -> Vec<(String, String, String, String)> {
    let mut t: Vec<_> = credits
        .iter()
        .map(|c| (c.credit_id.clone(), c.state.as_str().to_string(), c.reward.clone(), c.referrer_id.clone()))
        .collect();
    t.sort();
    t
}

async fn seed(f: &Fixture) {
    let store = &f.backends.store;
    store.record_entry(&entry("ent_q1", "demo", Entrant { email: EMAIL.into(), ..theirs() }, 1_000)).await.unwrap();
    store.record_entry(&entry("ent_q2", "other", theirs(), 2_000)).await.unwrap();
    store.record_entry(&entry("ent_b1", "demo", someone_else(), 3_000)).await.unwrap();
    let mut join = referrer("ref_q", "q.vexmoor@example.org", "QQQQQQQ2", 1_000);
    join.referrer.first_name = NAME.into();
    join.referrer.email = EMAIL.into();
    assert!(matches!(f.backends.referrals.join(join).await.unwrap(), Joined::Created(_)));
    f.backends.referrals.join(referrer("ref_b", "ben@example.com", "BBBBBBB2", 1_000)).await.unwrap();
    let mut as_friend = credit("cnv_2", Side::Friend, "ref_b", CreditState::Approved);
    as_friend.recipient = EMAIL.into();
    let credits = [
        credit("cnv_1", Side::Referrer, "ref_q", CreditState::Approved),
        credit("cnv_1", Side::Friend, "ref_q", CreditState::Pending),
        credit("cnv_2", Side::Referrer, "ref_b", CreditState::Approved),
        as_friend,
    ];
    f.backends.referrals.record_credits(&credits, &[]).await.unwrap();
    // An entry limit counted for the person (the intake counts it).
    let mut sub = crate::store::submission("demo", "kq", 1, "ent_q3");
    sub.quota = Some(Quota { identity: shopper(None).identity, period: "2026-11".into(), limit: 5 });
    f.backends.intake.accept(sub).await.unwrap();
    let identity = shopper(None).identity;
    f.backends
        .consents
        .record_consents(&[
            consent("ent_q1", "demo", &identity, ConsentKind::Terms, 1_000),
            consent("ent_q1", "demo", &identity, ConsentKind::Marketing, 1_000),
            consent("ent_q2", "other", &identity, ConsentKind::Marketing, 2_000),
            consent("ent_b1", "demo", "ben@example.com", ConsentKind::Marketing, 3_000),
        ])
        .await
        .unwrap();
}

pub async fn a_shoppers_data_is_found_in_every_campaign_or_in_one(f: Fixture) {
    seed(&f).await;
    let p = &f.backends.privacy;
    let all = shopper(None);
    let ids = |entries: Vec<StoredEntry>| entries.into_iter().map(|e| e.entry_id).collect::<Vec<_>>();
    assert_eq!(ids(p.entries_of(&all).await.unwrap()), ["ent_q1", "ent_q2"]);
    assert_eq!(ids(p.entries_of(&shopper(Some("other"))).await.unwrap()), ["ent_q2"]);
    let referrers = p.referrers_of(&all).await.unwrap();
    assert_eq!(referrers.iter().map(|r| r.referrer.referrer_id.as_str()).collect::<Vec<_>>(), ["ref_q"]);
    assert!(p.referrers_of(&shopper(Some("other"))).await.unwrap().is_empty());
    let mut credits: Vec<String> =
        p.credits_of(&all, &["ref_q".into()]).await.unwrap().into_iter().map(|c| c.credit_id).collect();
    credits.sort();
    // As referrer (both sides of its conversion name it only on its own side) and as friend.
    assert_eq!(credits, ["cr_1_referrer", "cr_2_friend"]);
    let quota = p.quota_of(&all).await.unwrap();
    assert_eq!((quota.len(), quota[0].campaign.as_str(), quota[0].count), (1, "demo", 1));
    assert!(p.quota_of(&shopper(Some("other"))).await.unwrap().is_empty());
    let unknown = Shopper::new("nobody@example.net", None, &key());
    assert!(p.entries_of(&unknown).await.unwrap().is_empty());
    assert!(p.referrers_of(&unknown).await.unwrap().is_empty());
}

pub async fn erasing_anonymises_the_person_and_keeps_counts_and_ledger_totals(f: Fixture) {
    seed(&f).await;
    let p = &f.backends.privacy;
    let all = shopper(None);
    let before = totals(&f.backends.referrals.list_credits("demo").await.unwrap());
    let statuses = |es: Vec<StoredEntry>| es.into_iter().map(|e| (e.entry_id, e.status)).collect::<Vec<_>>();
    let demo_before = statuses(f.backends.store.list_entries("demo").await.unwrap());

    let entries = p.entries_of(&all).await.unwrap();
    let referrers: Vec<_> = p.referrers_of(&all).await.unwrap().into_iter().map(|r| r.referrer).collect();
    let credits = p.credits_of(&all, &["ref_q".into()]).await.unwrap();
    assert_eq!(p.anonymise_entries(&entries, "anon_1").await.unwrap(), 2);
    assert_eq!(p.anonymise_credits(&credits, "anon_1").await.unwrap(), 2);
    assert_eq!(p.anonymise_referrers(&referrers, "anon_1").await.unwrap(), 1);
    assert_eq!(p.erase_quota(&all).await.unwrap(), 1);
    let consents = consents_of_mailbox(f.backends.consents.as_ref(), EMAIL, None).await.unwrap();
    assert_eq!(f.backends.consents.erase_consents(&consents).await.unwrap(), 3);

    assert!(p.entries_of(&all).await.unwrap().is_empty());
    assert!(p.referrers_of(&all).await.unwrap().is_empty());
    assert!(p.credits_of(&all, &[]).await.unwrap().is_empty());
    assert!(p.quota_of(&all).await.unwrap().is_empty());
    assert!(consents_of_mailbox(f.backends.consents.as_ref(), EMAIL, None).await.unwrap().is_empty());
    // The books still add up: every credit with its state, reward and referrer; every entry with
    // its status (the campaign's counts do not move).
    assert_eq!(totals(&f.backends.referrals.list_credits("demo").await.unwrap()), before);
    assert_eq!(statuses(f.backends.store.list_entries("demo").await.unwrap()), demo_before);
    let kept = f.backends.store.get_entry("demo", "ent_q1").await.unwrap().unwrap();
    assert_eq!((kept.entrant.first_name.as_str(), kept.entrant.phone, kept.receipt_key), ("", None, None));
    assert_eq!(kept.entrant.email, "anon_1@erased.invalid");
    // Someone else's data is untouched; the referrer's code still finds its (anonymous) record.
    assert_eq!(f.backends.store.get_entry("demo", "ent_b1").await.unwrap().unwrap().entrant.first_name, "Ben");
    let code = f.backends.referrals.referrer_by_code(Some("demo"), "QQQQQQQ2").await.unwrap().unwrap();
    assert_eq!((code.first_name.as_str(), code.email.as_str()), ("", "anon_1@erased.invalid"));
    assert_eq!(f.backends.referrals.referrer_by_token("token-ref_q").await.unwrap(), None, "its link is dead");
    // Erasing again finds nothing and changes nothing.
    assert_eq!(p.anonymise_entries(&p.entries_of(&all).await.unwrap(), "anon_2").await.unwrap(), 0);
    if f.backends.aws.is_some() {
        let raw = f.raw_store().await;
        for trace in ["vexmoor", "Vexmoor", NAME, PHONE] {
            let found: Vec<&str> = raw.lines().filter(|l| l.contains(trace)).collect();
            assert!(found.is_empty(), "{trace} is still in the table: {found:?}");
        }
    }
}

pub async fn an_erasure_is_logged_by_hash_and_a_repeat_is_recognised(f: Fixture) {
    let p = &f.backends.privacy;
    let who = shopper(Some("demo"));
    let first =
        Erasure { id: "era_1".into(), tag: who.tag.clone(), campaign: "demo".into(), actor: "cli".into(), at_ms: 10 };
    assert!(!p.record_erasure(&first).await.unwrap(), "the first erasure of this person");
    let again = Erasure { id: "era_2".into(), campaign: "*".into(), at_ms: 20, ..first.clone() };
    assert!(p.record_erasure(&again).await.unwrap(), "a repeat request is recognised");
    assert!(p.record_erasure(&again).await.unwrap(), "recording it twice is harmless");
    let log = p.erasures(&who.tag).await.unwrap();
    assert_eq!(log, [first, again]);
    assert!(p.erasures(&Shopper::new("ben@example.com", None, &key()).tag).await.unwrap().is_empty());
    let raw = f.raw_store().await;
    assert!(!raw.to_lowercase().contains("vexmoor"), "the log holds the hash, not the address");
}

pub async fn an_entry_accepted_before_its_persons_erasure_is_never_recorded(f: Fixture) {
    let (store, p) = (&f.backends.store, &f.backends.privacy);
    let tag = Shopper::new(EMAIL, None, &f.backends.erasure_key).tag;
    let erasure = Erasure { id: "era_1".into(), tag, campaign: "demo".into(), actor: "cli".into(), at_ms: 5_000 };
    p.record_erasure(&erasure).await.unwrap();
    // In flight while the erase ran: refused, nothing written.
    assert!(!store.record_entry(&entry("ent_old", "demo", theirs(), 4_000)).await.unwrap());
    assert_eq!(store.get_entry("demo", "ent_old").await.unwrap(), None);
    // A new entry after the erase, another campaign, another person: recorded.
    assert!(store.record_entry(&entry("ent_new", "demo", theirs(), 6_000)).await.unwrap());
    assert!(store.record_entry(&entry("ent_oth", "other", theirs(), 4_000)).await.unwrap());
    assert!(store.record_entry(&entry("ent_ben", "demo", someone_else(), 4_000)).await.unwrap());
    // An erasure in every campaign stops the other campaign's too.
    let everywhere = Erasure { id: "era_2".into(), campaign: "*".into(), at_ms: 7_000, ..erasure };
    p.record_erasure(&everywhere).await.unwrap();
    assert!(!store.record_entry(&entry("ent_oth2", "other", theirs(), 6_500)).await.unwrap());
}

pub async fn a_shoppers_consent_records_are_erased_and_their_opt_in_confirms_nothing(f: Fixture) {
    seed(&f).await;
    let c = f.backends.consents.as_ref();
    assert_eq!(c.confirm_marketing("ent_q2.marketing", 4_000).await.unwrap(), Confirmation::Confirmed(4_000));
    // In one campaign: the other campaign's records stay.
    let demo = consents_of_mailbox(c, EMAIL, Some("demo")).await.unwrap();
    assert_eq!(c.erase_consents(&demo).await.unwrap(), 2);
    assert_eq!(c.erase_consents(&demo).await.unwrap(), 0, "erasing twice is harmless");
    let left = consents_of_mailbox(c, EMAIL, None).await.unwrap();
    assert_eq!(left.iter().map(|r| r.record_id.as_str()).collect::<Vec<_>>(), ["ent_q2.marketing"]);
    // The link mailed for an erased record confirms nothing and writes nothing back.
    assert_eq!(c.confirm_marketing("ent_q1.marketing", 5_000).await.unwrap(), Confirmation::Unknown);
    assert_eq!(c.consent("ent_q1.marketing").await.unwrap(), None);
    assert_eq!(c.erase_consents(&left).await.unwrap(), 1);
    assert_eq!(c.confirm_marketing("ent_q2.marketing", 6_000).await.unwrap(), Confirmation::Unknown);
    assert!(consents_of_mailbox(c, EMAIL, None).await.unwrap().is_empty());
    // Someone else's record is untouched.
    assert_eq!(consents_of_mailbox(c, "ben@example.com", None).await.unwrap().len(), 1);
}
