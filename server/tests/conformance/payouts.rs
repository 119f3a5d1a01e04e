use std::collections::HashSet;

use vouch_core::payouts::Unpayable;
use vouch_core::rewards::{CreditState, Side};
use vouch_server::backends::payouts::{MarkPaid, PAID_ACTION};
use vouch_server::backends::referrals::{credit_id, Credit};

use crate::fixture::Fixture;
use crate::ledger::{credit, now, referrer};

fn referrer_credit(conversion: &str) -> String {
    credit_id(conversion, Side::Referrer)
}

/// Anna's approved credit on `conversion` (with its friend's), recorded as the worker records it.
async fn approved(f: &Fixture, conversion: &str) -> String {
    let both = [
        Credit { reward: "5 EUR".into(), ..credit(conversion, Side::Referrer, "ref_1", CreditState::Approved) },
        credit(conversion, Side::Friend, "ref_1", CreditState::Approved),
    ];
    f.backends.referrals.record_credits(&both, &[]).await.unwrap();
    referrer_credit(conversion)
}

async fn anna(f: &Fixture) {
    f.backends.referrals.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub async fn approved_referrer_credits_are_due_until_paid(f: Fixture) {
    let (r, p) = (&f.backends.referrals, &f.backends.payouts);
    anna(&f).await;
    let first = approved(&f, "cnv_1").await;
    let pending = [
        credit("cnv_2", Side::Referrer, "ref_1", CreditState::Pending),
        credit("cnv_2", Side::Friend, "ref_1", CreditState::Pending),
    ];
    r.record_credits(&pending, &[]).await.unwrap();

    let due = p.due("demo").await.unwrap();
    assert_eq!(due.iter().map(|d| d.credit.credit_id.as_str()).collect::<Vec<_>>(), [first.as_str()]);
    assert_eq!((due[0].first_name.as_str(), due[0].credit.recipient.as_str()), ("Anna", "referrer@example.com"));
    assert_eq!(due[0].approved_at_ms, 1_000, "approved when it was recorded");

    let before = now();
    let second = referrer_credit("cnv_2");
    r.decide_credit(&second, CreditState::Approved, "mia", None, &|_| None).await.unwrap().unwrap();
    let due = p.due("demo").await.unwrap();
    assert_eq!(due.len(), 2);
    let decided = due.iter().find(|d| d.credit.credit_id == second).unwrap();
    assert!(decided.approved_at_ms >= before, "approved at its decision, not at its creation");
    assert!(p.due("other").await.unwrap().is_empty());

    let done = p.mark_paid("demo", std::slice::from_ref(&first), "SEPA-1", "mia", 5_000).await.unwrap();
    assert_eq!(done, MarkPaid::Done { paid: vec![first.clone()], already: vec![] });
    let due = p.due("demo").await.unwrap();
    assert_eq!(due.iter().map(|d| d.credit.credit_id.as_str()).collect::<Vec<_>>(), [second.as_str()]);
    let paid = p.payouts("demo").await.unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!((paid[0].credit_id.as_str(), paid[0].reference.as_str()), (first.as_str(), "SEPA-1"));
    assert_eq!((paid[0].paid_by.as_str(), paid[0].paid_at_ms), ("mia", 5_000));
}

pub async fn marking_paid_is_all_or_nothing_and_once(f: Fixture) {
    let (r, p, m) = (&f.backends.referrals, &f.backends.payouts, &f.backends.moderation);
    anna(&f).await;
    let (a, b) = (approved(&f, "cnv_1").await, approved(&f, "cnv_2").await);
    r.record_credits(&[credit("cnv_3", Side::Referrer, "ref_1", CreditState::Pending)], &[]).await.unwrap();
    let elsewhere =
        Credit { campaign: "other".into(), ..credit("cnv_4", Side::Referrer, "ref_1", CreditState::Approved) };
    r.record_credits(std::slice::from_ref(&elsewhere), &[]).await.unwrap();
    let friend = credit_id("cnv_1", Side::Friend);
    let pending = referrer_credit("cnv_3");

    let bad = ids(&[&a, &friend, &pending, "cr_nope_referrer", &elsewhere.credit_id, &b]);
    let refused = p.mark_paid("demo", &bad, "SEPA-1", "mia", 5_000).await.unwrap();
    let expect = vec![
        (friend, Unpayable::FriendSide),
        (pending, Unpayable::NotApproved(CreditState::Pending)),
        ("cr_nope_referrer".to_string(), Unpayable::Unknown),
        (elsewhere.credit_id.clone(), Unpayable::Unknown),
    ];
    assert_eq!(refused, MarkPaid::Refused(expect));
    assert!(p.payouts("demo").await.unwrap().is_empty(), "nothing paid, not even the good ones");
    assert!(m.list_audit("demo").await.unwrap().is_empty());
    assert_eq!(p.due("demo").await.unwrap().len(), 2);

    let done = p.mark_paid("demo", &ids(&[&a, &b, &a]), "SEPA-1", "mia", 5_000).await.unwrap();
    assert_eq!(done, MarkPaid::Done { paid: vec![a.clone(), b.clone()], already: vec![] });
    let audit = m.list_audit("demo").await.unwrap();
    let trace: Vec<_> =
        audit.iter().map(|r| (r.actor.as_str(), r.action.as_str(), r.subject.as_str(), r.detail.as_str())).collect();
    assert_eq!(trace.len(), 2);
    for id in [&a, &b] {
        assert!(trace.contains(&("mia", PAID_ACTION, id.as_str(), "SEPA-1")), "{trace:?}");
    }

    let again = p.mark_paid("demo", &ids(&[&b, &a]), "SEPA-2", "tom", 6_000).await.unwrap();
    let MarkPaid::Done { paid, already } = again else { panic!("{again:?}") };
    assert!(paid.is_empty());
    assert_eq!(
        already.iter().map(|p| (p.reference.as_str(), p.paid_by.as_str())).collect::<Vec<_>>(),
        [("SEPA-1", "mia"), ("SEPA-1", "mia")]
    );
    assert_eq!(m.list_audit("demo").await.unwrap(), audit, "no second audit record");
    assert!(p.payouts("demo").await.unwrap().iter().all(|p| p.reference == "SEPA-1"));
}

/// More credits than one DynamoDB transaction holds (two items each, 100 items at most); some
/// were paid by a run that stopped part way, so the retry pays only the rest.
pub async fn a_large_batch_is_paid_once_across_transactions(f: Fixture) {
    let (p, m) = (&f.backends.payouts, &f.backends.moderation);
    anna(&f).await;
    let mut all = Vec::new();
    for i in 0..70 {
        all.push(approved(&f, &format!("cnv_{i}")).await);
    }
    let first_run = p.mark_paid("demo", &all[..10], "BATCH-7", "mia", 5_000).await.unwrap();
    assert!(matches!(first_run, MarkPaid::Done { ref paid, .. } if paid.len() == 10));

    let retry = p.mark_paid("demo", &all, "BATCH-7", "mia", 5_000).await.unwrap();
    let MarkPaid::Done { paid, already } = retry else { panic!("{retry:?}") };
    assert_eq!((paid.len(), already.len()), (60, 10));
    assert_eq!(paid.iter().chain(already.iter().map(|p| &p.credit_id)).collect::<HashSet<_>>().len(), 70);
    assert_eq!(p.payouts("demo").await.unwrap().len(), 70);
    assert_eq!(m.list_audit("demo").await.unwrap().len(), 70, "one audit record per credit");
    assert!(p.due("demo").await.unwrap().is_empty());
}

pub async fn concurrent_mark_paid_of_one_credit_pays_it_once(f: Fixture) {
    let (p, m) = (f.backends.payouts.clone(), &f.backends.moderation);
    anna(&f).await;
    let id = approved(&f, "cnv_1").await;
    let runs: Vec<_> = (0..4)
        .map(|i| {
            let (p, id) = (p.clone(), id.clone());
            tokio::spawn(async move { p.mark_paid("demo", &[id], &format!("REF-{i}"), "mia", 5_000).await.unwrap() })
        })
        .collect();
    let mut paid_now = 0;
    for run in runs {
        let MarkPaid::Done { paid, already } = run.await.unwrap() else { panic!("refused") };
        paid_now += paid.len();
        assert_eq!(paid.len() + already.len(), 1);
    }
    assert_eq!(paid_now, 1, "exactly one run pays it");
    let payouts = p.payouts("demo").await.unwrap();
    assert_eq!(payouts.len(), 1);
    let audit = m.list_audit("demo").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail, payouts[0].reference, "the audit record is the payout's");
}
