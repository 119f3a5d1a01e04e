use std::time::Duration;

use vouch_core::rewards::{CreditState, Side};
use vouch_server::backends::referrals::{
    credit_id, ConversionIntake, ConversionMessage, Credit, Joined, NewConversion, NewReferrer, ProgressCounts,
    Referrer,
};

use crate::fixture::Fixture;

pub fn referrer(id: &str, identity: &str, code: &str, at: i64) -> NewReferrer {
    NewReferrer {
        referrer: Referrer {
            referrer_id: id.into(),
            campaign: "demo".into(),
            code: code.into(),
            email: identity.into(),
            identity: identity.into(),
            first_name: "Anna".into(),
            join_flagged: false,
            created_at_ms: at,
        },
        marketing_consent: false,
        client: "203.0.113.1".into(),
        token_hash: format!("token-{id}"),
        joins_per_client_per_hour: 100,
        webhook: None,
    }
}

pub fn conversion(id: &str, order: &str, hash: u8, code: &str, client: &str) -> NewConversion {
    NewConversion {
        conversion_id: id.into(),
        campaign: "demo".into(),
        order_id: order.into(),
        body_hash: vec![hash; 32],
        code: code.into(),
        client: client.into(),
        from_merchant: true,
        message: ConversionMessage {
            conversion_id: id.into(),
            campaign: "demo".into(),
            order_id: order.into(),
            email: "ben@example.com".into(),
            identity: "ben@example.com".into(),
            domain: "example.com".into(),
            code: code.into(),
            amount_minor: None,
            currency: None,
            client: client.into(),
            device_token_hash: None,
            from_merchant: true,
            accepted_at_ms: 1_000,
        },
    }
}

pub fn credit(conversion: &str, side: Side, referrer_id: &str, state: CreditState) -> Credit {
    Credit {
        credit_id: credit_id(conversion, side),
        conversion_id: conversion.into(),
        side,
        campaign: "demo".into(),
        referrer_id: referrer_id.into(),
        recipient: format!("{}@example.com", side.as_str()),
        reward: "10 %".into(),
        state,
        reason: (state == CreditState::Pending).then(|| "velocity".to_string()),
        created_at_ms: 1_000,
        from_browser: false,
    }
}

pub fn now() -> i64 {
    vouch_server::clock::now_ms()
}

pub async fn the_same_mailbox_joins_once_and_codes_are_unique(f: Fixture) {
    let r = &f.backends.referrals;
    let Joined::Created(anna) = r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap() else {
        panic!("a new referrer")
    };
    assert!(!anna.join_flagged);
    match r.join(referrer("ref_2", "anna@example.com", "BBBBBBB2", now())).await.unwrap() {
        Joined::Existing(again) => assert_eq!(again.code, "AAAAAAA2"),
        other => panic!("{other:?}"),
    }
    assert_eq!(r.join(referrer("ref_3", "ben@example.com", "AAAAAAA2", now())).await.unwrap(), Joined::CodeTaken);
    assert!(matches!(
        r.join(referrer("ref_3", "ben@example.com", "CCCCCCC2", now())).await.unwrap(),
        Joined::Created(_)
    ));
    assert_eq!(
        r.referrer_by_code(Some("demo"), "AAAAAAA2").await.unwrap().map(|x| x.referrer_id),
        Some("ref_1".into())
    );
    assert_eq!(r.referrer_by_code(Some("other"), "AAAAAAA2").await.unwrap(), None);
    assert_eq!(r.referrer_by_code(None, "CCCCCCC2").await.unwrap().map(|x| x.campaign), Some("demo".into()));
}

pub async fn a_new_referrer_queues_its_join_event_once(f: Fixture) {
    let (r, events) = (&f.backends.referrals, &f.backends.webhooks);
    let with_event = |id: &str, code: &str| NewReferrer {
        webhook: Some(format!("event of {id}")),
        ..referrer(id, "anna@example.com", code, now())
    };
    assert!(matches!(r.join(with_event("ref_1", "AAAAAAA2")).await.unwrap(), Joined::Created(_)));
    // The same mailbox again: the existing referrer, and no second event.
    assert!(matches!(r.join(with_event("ref_2", "BBBBBBB2")).await.unwrap(), Joined::Existing(_)));
    let queued = events.receive(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(queued.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(), ["event of ref_1"]);
    assert_eq!(r.relay_stranded_events(Duration::ZERO).await.unwrap(), 0, "nothing was left behind");
}

pub async fn tokens_visits_and_progress_follow_the_referrer(f: Fixture) {
    let r = &f.backends.referrals;
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
    assert_eq!(r.referrer_by_token("token-ref_1").await.unwrap().map(|x| x.code), Some("AAAAAAA2".into()));
    assert_eq!(r.referrer_by_token("guess").await.unwrap(), None);
    for visitor in ["v1", "v1", "v2"] {
        r.record_visit("ref_1", visitor).await.unwrap();
    }
    assert_eq!(r.progress("ref_1").await.unwrap(), ProgressCounts { friends_joined: 2, ..ProgressCounts::default() });
}

pub async fn a_conversion_is_taken_in_once_per_order(f: Fixture) {
    let r = &f.backends.referrals;
    let first = r.accept_conversion(conversion("cnv_1", "o-1", 1, "AAAAAAA2", "c1")).await.unwrap();
    assert_eq!(first, ConversionIntake::New { conversion_id: "cnv_1".into() });
    let replay = r.accept_conversion(conversion("cnv_2", "o-1", 1, "AAAAAAA2", "c1")).await.unwrap();
    assert_eq!(replay, ConversionIntake::Replay { conversion_id: "cnv_1".into() });
    assert_eq!(
        r.accept_conversion(conversion("cnv_3", "o-1", 9, "AAAAAAA2", "c1")).await.unwrap(),
        ConversionIntake::OrderReused
    );
    assert_eq!(f.backends.conversions.stats().await.unwrap().ready, 1, "queued once");
}

pub async fn credits_are_written_once_and_move_only_forward(f: Fixture) {
    let r = &f.backends.referrals;
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
    let approved = [
        credit("cnv_1", Side::Referrer, "ref_1", CreditState::Approved),
        credit("cnv_1", Side::Friend, "ref_1", CreditState::Approved),
    ];
    let pending = [
        credit("cnv_2", Side::Referrer, "ref_1", CreditState::Pending),
        credit("cnv_2", Side::Friend, "ref_1", CreditState::Pending),
    ];
    for _ in 0..3 {
        r.record_credits(&approved, &[]).await.unwrap();
    }
    r.record_credits(&pending, &[]).await.unwrap();
    assert_eq!(r.credits_for_conversion("cnv_1").await.unwrap().len(), 2);
    assert_eq!(r.list_credits("demo").await.unwrap().len(), 4);
    let expect = ProgressCounts { friends_joined: 0, conversions: 2, rewards_pending: 1, rewards_earned: 1 };
    assert_eq!(r.progress("ref_1").await.unwrap(), expect);

    let id = credit_id("cnv_2", Side::Referrer);
    let decided =
        r.decide_credit(&id, CreditState::Approved, "test", Some("checked"), &|_| None).await.unwrap().unwrap();
    assert_eq!((decided.state, decided.reason.as_deref()), (CreditState::Approved, Some("checked")));
    assert_eq!(r.decide_credit(&id, CreditState::Denied, "test", None, &|_| None).await.unwrap(), None);
    assert_eq!(
        r.decide_credit("cr_nope_referrer", CreditState::Approved, "test", None, &|_| None).await.unwrap(),
        None
    );
    let expect = ProgressCounts { friends_joined: 0, conversions: 2, rewards_pending: 0, rewards_earned: 2 };
    assert_eq!(r.progress("ref_1").await.unwrap(), expect);
    let stored = r.credits_for_conversion("cnv_2").await.unwrap();
    assert_eq!(stored.iter().find(|c| c.side == Side::Referrer).unwrap().state, CreditState::Approved);
}

pub async fn recent_conversions_are_counted_per_code_and_client(f: Fixture) {
    let r = &f.backends.referrals;
    let before = now() - 1_000;
    for (id, order, code, client) in
        [("cnv_1", "o1", "AAAAAAA2", "c1"), ("cnv_2", "o2", "AAAAAAA2", "c2"), ("cnv_3", "o3", "BBBBBBB2", "c1")]
    {
        r.accept_conversion(conversion(id, order, 1, code, client)).await.unwrap();
    }
    assert_eq!(r.recent_conversions("demo", "AAAAAAA2", "c1", before, "cnv_1").await.unwrap(), (1, 1));
    assert_eq!(r.recent_conversions("demo", "AAAAAAA2", "c1", before, "none").await.unwrap(), (2, 2));
    assert_eq!(r.recent_conversions("demo", "AAAAAAA2", "c1", now() + 1_000, "none").await.unwrap(), (0, 0));
}

pub async fn merchant_and_webhook_secrets_are_kept(f: Fixture) {
    let r = &f.backends.referrals;
    assert!(!r.merchant_secret_known("demo", "h1").await.unwrap());
    r.add_merchant_secret("demo", "h1").await.unwrap();
    r.add_merchant_secret("demo", "h2").await.unwrap();
    assert!(
        r.merchant_secret_known("demo", "h1").await.unwrap() && r.merchant_secret_known("demo", "h2").await.unwrap()
    );
    assert!(!r.merchant_secret_known("other", "h1").await.unwrap());
    assert_eq!(r.webhook_secret("demo").await.unwrap(), None);
    r.set_webhook_secret("demo", "whsec_1").await.unwrap();
    r.set_webhook_secret("demo", "whsec_2").await.unwrap();
    assert_eq!(r.webhook_secret("demo").await.unwrap().as_deref(), Some("whsec_2"));
}

pub async fn referrers_are_counted_per_campaign_once_each(f: Fixture) {
    let r = &f.backends.referrals;
    // Campaign ids of their own: counts are per campaign, whatever else the store holds.
    let (mine, other) = (format!("count{}", now()), format!("other{}", now()));
    let join = |id: String, campaign: &str, identity: String, code: String| {
        let mut new = referrer(&id, &identity, &code, now());
        new.referrer.campaign = campaign.to_string();
        r.join(new)
    };
    assert_eq!(r.count_referrers(&mine).await.unwrap(), 0);
    let joins = (0..12).map(|i| join(format!("cnt_{i}"), &mine, format!("p{i}@example.com"), format!("CNT{i:04}X2")));
    for joined in futures_util::future::join_all(joins).await {
        assert!(matches!(joined.unwrap(), Joined::Created(_)));
    }
    // A repeat join of the same mailbox and a join refused for its code count nothing.
    let again = join("cnt_again".into(), &mine, "p0@example.com".into(), "CNTAGAIN2".into()).await.unwrap();
    assert!(matches!(again, Joined::Existing(_)));
    let taken = join("cnt_taken".into(), &mine, "new@example.com".into(), "CNT0001X2".into()).await.unwrap();
    assert_eq!(taken, Joined::CodeTaken);
    join("oth_1".into(), &other, "p0@example.com".into(), "OTH0001X2".into()).await.unwrap();
    assert_eq!(r.count_referrers(&mine).await.unwrap(), 12);
    assert_eq!(r.count_referrers(&other).await.unwrap(), 1);
}

pub async fn an_operators_verdict_and_its_audit_record_are_written_together(f: Fixture) {
    use vouch_server::backends::review::AuditRecord;
    let r = &f.backends.referrals;
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
    r.record_credits(&[credit("cnv_9", Side::Referrer, "ref_1", CreditState::Pending)], &[]).await.unwrap();
    let id = credit_id("cnv_9", Side::Referrer);
    let record = |detail: &str| AuditRecord::new("demo", "mod@staff.example", "rewards.approve", &id, detail, now());
    let first = record("pending -> approved");
    let decided = r.decide_credit_audited(&id, CreditState::Approved, None, &|_| None, &first).await.unwrap();
    assert_eq!(decided.map(|c| c.state), Some(CreditState::Approved));
    // A second verdict moves nothing and leaves no record of a decision that did not happen.
    let second = record("pending -> denied");
    assert_eq!(r.decide_credit_audited(&id, CreditState::Denied, None, &|_| None, &second).await.unwrap(), None);
    let audit = f.backends.moderation.list_audit("demo").await.unwrap();
    let mine: Vec<&AuditRecord> = audit.iter().filter(|a| a.subject == id).collect();
    assert_eq!(mine, [&first], "exactly the verdict that moved the credit is audited");
}
