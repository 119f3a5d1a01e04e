//! A browser's report and the merchant's report of one order: the merchant's is authoritative,
//! neither blocks the other, and the ledger ends with one credit per side. Webhook events commit
//! with the ledger change they announce.

use std::time::Duration;

use vouch_core::rewards::{CreditState, Side};
use vouch_server::backends::referrals::{
    ConversionIntake, ConversionMessage, Credit, NewConversion, OutboxEvent, ProgressCounts,
};

use crate::fixture::Fixture;
use crate::ledger::{conversion, credit, now, referrer};

fn browser(id: &str, order: &str, hash: u8) -> NewConversion {
    NewConversion { from_merchant: false, ..conversion(id, order, hash, "AAAAAAA2", "c1") }
}

fn browser_credit(conversion: &str, side: Side, state: CreditState) -> Credit {
    Credit {
        from_browser: true,
        recipient: "from-browser@example.com".into(),
        ..credit(conversion, side, "ref_1", state)
    }
}

fn event(id: &str) -> OutboxEvent {
    OutboxEvent { id: id.into(), body: format!("event {id}") }
}

pub async fn a_browser_report_never_blocks_the_merchants_report_of_the_same_order(f: Fixture) {
    let r = &f.backends.referrals;
    let first = r.accept_conversion(browser("cnv_b", "o-1", 1)).await.unwrap();
    assert_eq!(first, ConversionIntake::New { conversion_id: "cnv_b".into() });
    // Other details than the browser's: still new, under the order's one conversion id.
    let merchant = r.accept_conversion(conversion("cnv_m", "o-1", 2, "AAAAAAA2", "shop")).await.unwrap();
    assert_eq!(merchant, ConversionIntake::New { conversion_id: "cnv_b".into() });
    let replay = r.accept_conversion(conversion("cnv_x", "o-1", 2, "AAAAAAA2", "shop")).await.unwrap();
    assert_eq!(replay, ConversionIntake::Replay { conversion_id: "cnv_b".into() });
    assert_eq!(
        r.accept_conversion(conversion("cnv_y", "o-1", 3, "AAAAAAA2", "shop")).await.unwrap(),
        ConversionIntake::OrderReused
    );
    // Merchant first: a browser's later report of the order is the merchant's conversion.
    assert!(matches!(
        r.accept_conversion(conversion("cnv_m2", "o-2", 1, "AAAAAAA2", "shop")).await.unwrap(),
        ConversionIntake::New { .. }
    ));
    let late = r.accept_conversion(browser("cnv_b2", "o-2", 7)).await.unwrap();
    assert_eq!(late, ConversionIntake::Replay { conversion_id: "cnv_m2".into() });

    let queued = f.backends.conversions.receive(10, Duration::from_secs(30)).await.unwrap();
    let mut ids: Vec<String> =
        queued.iter().map(|d| serde_json::from_str::<ConversionMessage>(&d.body).unwrap().conversion_id).collect();
    ids.sort_unstable();
    // The merchant's message names the browser report's id; the browser's late report queued nothing.
    assert_eq!(ids, ["cnv_b", "cnv_b", "cnv_m2"]);
    // One order reported twice is one conversion for the velocity rules.
    assert_eq!(r.recent_conversions("demo", "AAAAAAA2", "c1", now() - 60_000, "none").await.unwrap().0, 2);
}

pub async fn the_merchants_credits_replace_a_browsers_pending_ones_once(f: Fixture) {
    let (r, hooks) = (&f.backends.referrals, &f.backends.webhooks);
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
    r.join(referrer("ref_2", "ben@example.com", "BBBBBBB2", now())).await.unwrap();
    let from_browser = Side::BOTH.map(|side| browser_credit("cnv_1", side, CreditState::Pending));
    r.record_credits(&from_browser, &[event("evt_browser")]).await.unwrap();
    let pending = ProgressCounts { conversions: 1, rewards_pending: 1, ..ProgressCounts::default() };
    assert_eq!(r.progress("ref_1").await.unwrap(), pending);

    // The merchant's report credits another referrer, approved at once.
    let merchant = Side::BOTH.map(|side| credit("cnv_1", side, "ref_2", CreditState::Approved));
    for _ in 0..3 {
        r.record_credits(&merchant, &[event("evt_merchant")]).await.unwrap();
        // A browser's write after the merchant's changes nothing.
        r.record_credits(&from_browser, &[event("evt_browser_again")]).await.unwrap();
    }
    let stored = r.credits_for_conversion("cnv_1").await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|c| c.state == CreditState::Approved && c.referrer_id == "ref_2" && !c.from_browser));
    assert_eq!(r.progress("ref_1").await.unwrap(), ProgressCounts::default());
    let earned = ProgressCounts { conversions: 1, rewards_earned: 1, ..ProgressCounts::default() };
    assert_eq!(r.progress("ref_2").await.unwrap(), earned);
    let sent = hooks.receive(10, Duration::from_secs(30)).await.unwrap();
    let mut bodies: Vec<&str> = sent.iter().map(|d| d.body.as_str()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["event evt_browser", "event evt_merchant"], "events only with a change, once each");
    assert_eq!(r.relay_stranded_events(Duration::ZERO).await.unwrap(), 0, "nothing was left behind");
}

pub async fn a_decided_browser_credit_stands_against_the_merchants_report(f: Fixture) {
    let r = &f.backends.referrals;
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
    r.record_credits(&Side::BOTH.map(|side| browser_credit("cnv_1", side, CreditState::Pending)), &[]).await.unwrap();
    let referrer_side = vouch_server::backends::referrals::credit_id("cnv_1", Side::Referrer);
    r.decide_credit(&referrer_side, CreditState::Approved, "operator", None, &|_| None).await.unwrap().unwrap();
    r.record_credits(&Side::BOTH.map(|side| credit("cnv_1", side, "ref_1", CreditState::Pending)), &[]).await.unwrap();
    let stored = r.credits_for_conversion("cnv_1").await.unwrap();
    let by_side = |side| stored.iter().find(|c| c.side == side).unwrap();
    assert_eq!((by_side(Side::Referrer).state, by_side(Side::Referrer).from_browser), (CreditState::Approved, true));
    assert_eq!((by_side(Side::Friend).state, by_side(Side::Friend).from_browser), (CreditState::Pending, false));
    let earned = ProgressCounts { conversions: 1, rewards_earned: 1, ..ProgressCounts::default() };
    assert_eq!(r.progress("ref_1").await.unwrap(), earned);
}

pub async fn a_decision_and_its_event_commit_together(f: Fixture) {
    let (r, hooks) = (&f.backends.referrals, &f.backends.webhooks);
    r.join(referrer("ref_1", "anna@example.com", "AAAAAAA2", now())).await.unwrap();
    r.record_credits(&[credit("cnv_1", Side::Referrer, "ref_1", CreditState::Pending)], &[]).await.unwrap();
    let id = vouch_server::backends::referrals::credit_id("cnv_1", Side::Referrer);
    let announce = |c: &Credit| Some(event(&format!("{}_{}", c.credit_id, c.state.as_str())));
    assert!(r.decide_credit(&id, CreditState::Approved, "operator", None, &announce).await.unwrap().is_some());
    assert!(r.decide_credit(&id, CreditState::Approved, "operator", None, &announce).await.unwrap().is_none());
    let sent = hooks.receive(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(sent.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(), [format!("event {id}_approved")]);
}
