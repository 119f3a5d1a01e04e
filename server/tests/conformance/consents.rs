use vouch_core::consent::{wording_version, ConsentKind};
use vouch_core::i18n::Locale;
use vouch_server::backends::consents::{Confirmation, ConsentRecord};
use vouch_server::consents::consents_of_mailbox;

use crate::fixture::Fixture;

pub fn record(source: &str, campaign: &str, identity: &str, kind: ConsentKind, at: i64) -> ConsentRecord {
    let label = format!("{} on {campaign}", kind.as_str());
    ConsentRecord {
        record_id: ConsentRecord::id(source, kind),
        identity: identity.into(),
        campaign: campaign.into(),
        source: source.into(),
        kind,
        given_at_ms: at,
        version: wording_version(&label),
        label,
        locale: Locale::De,
        origin: Some("https://shop.example".into()),
        confirmed_at_ms: None,
    }
}

pub async fn consent_records_are_written_once_and_read_by_mailbox(f: Fixture) {
    let c = f.backends.consents.as_ref();
    let first = vec![
        record("ent_1", "demo", "zoe@example.com", ConsentKind::Terms, 1_000),
        record("ent_1", "demo", "zoe@example.com", ConsentKind::Marketing, 1_000),
    ];
    c.record_consents(&first).await.unwrap();
    // A redelivery with other words (the campaign changed meanwhile) keeps what was written first.
    let mut again = first.clone();
    again[0].label = "changed".into();
    again[0].version = wording_version("changed");
    c.record_consents(&again).await.unwrap();
    c.record_consents(&[record("ent_2", "other", "zoe@example.com", ConsentKind::Storage, 2_000)]).await.unwrap();
    c.record_consents(&[record("ent_3", "demo", "sam@example.com", ConsentKind::Terms, 1_500)]).await.unwrap();

    // However the mailbox is spelled, by core's mailbox rule.
    let all = consents_of_mailbox(c, " Zoe+news@Example.com", None).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.record_id.as_str()).collect();
    assert_eq!(ids, ["ent_1.terms", "ent_1.marketing", "ent_2.storage"]);
    assert_eq!(all[0], first[0], "the first words stand");
    let demo = consents_of_mailbox(c, "zoe@example.com", Some("demo")).await.unwrap();
    assert_eq!(demo, first);
    assert!(consents_of_mailbox(c, "nobody@example.com", None).await.unwrap().is_empty());
    assert_eq!(c.consent("ent_2.storage").await.unwrap().unwrap().origin.as_deref(), Some("https://shop.example"));
    assert_eq!(c.consent("ent_9.terms").await.unwrap(), None);
}

pub async fn a_marketing_consent_is_confirmed_once(f: Fixture) {
    let c = f.backends.consents.as_ref();
    c.record_consents(&[
        record("ent_1", "demo", "zoe@example.com", ConsentKind::Terms, 1_000),
        record("ent_1", "demo", "zoe@example.com", ConsentKind::Marketing, 1_000),
    ])
    .await
    .unwrap();
    assert_eq!(c.confirm_marketing("ent_1.marketing", 5_000).await.unwrap(), Confirmation::Confirmed(5_000));
    assert_eq!(c.confirm_marketing("ent_1.marketing", 9_000).await.unwrap(), Confirmation::AlreadyConfirmed(5_000));
    assert_eq!(
        c.confirm_marketing("ent_1.terms", 9_000).await.unwrap(),
        Confirmation::Unknown,
        "terms are not opted in"
    );
    assert_eq!(c.confirm_marketing("ent_7.marketing", 9_000).await.unwrap(), Confirmation::Unknown);
    // Writing the record again (a redelivery) does not undo the confirmation.
    c.record_consents(&[record("ent_1", "demo", "zoe@example.com", ConsentKind::Marketing, 1_000)]).await.unwrap();
    let read = consents_of_mailbox(c, "zoe@example.com", Some("demo")).await.unwrap();
    let marketing = read.iter().find(|r| r.kind == ConsentKind::Marketing).unwrap();
    assert_eq!(marketing.confirmed_at_ms, Some(5_000));
    assert!(read.iter().find(|r| r.kind == ConsentKind::Terms).unwrap().confirmed_at_ms.is_none());
}

pub async fn concurrent_confirmations_confirm_once(f: Fixture) {
    f.backends
        .consents
        .record_consents(&[record("ent_1", "demo", "zoe@example.com", ConsentKind::Marketing, 1_000)])
        .await
        .unwrap();
    let clicks = (0..5).map(|i| {
        let c = f.backends.consents.clone();
        tokio::spawn(async move { c.confirm_marketing("ent_1.marketing", 10_000 + i).await.unwrap() })
    });
    let mut outcomes = Vec::new();
    for click in clicks {
        outcomes.push(click.await.unwrap());
    }
    let firsts: Vec<_> = outcomes.iter().filter(|o| matches!(o, Confirmation::Confirmed(_))).collect();
    assert_eq!(firsts.len(), 1, "{outcomes:?}");
    let Confirmation::Confirmed(at) = firsts[0] else { unreachable!() };
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, Confirmation::Confirmed(a) | Confirmation::AlreadyConfirmed(a) if a == at)));
}
