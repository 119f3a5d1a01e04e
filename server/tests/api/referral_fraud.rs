//! The fraud rules on conversions: self-referral, disposable mailboxes, too many conversions on
//! one code, a code from another campaign and thank-you-page reports leave the credits pending
//! for a person, who can approve them once and never move them back; a referrer who joined in a
//! burst from one client waits for review too.

use serde_json::{json, Value};
use vouch_core::rewards::CreditState;
use vouch_server::backends::referrals::NewReferrer;
use vouch_server::crypto::sha256_hex;

use crate::helpers::{new_referrer, TestApp};
use crate::referrals::{convert, join, merchant_app, SECRET};

async fn flagged(app: &TestApp, conversion_id: &str) -> Vec<(CreditState, String)> {
    app.drain().await;
    let all = app.running.backends.referrals.credits_for_conversion(conversion_id).await.unwrap();
    all.into_iter().map(|c| (c.state, c.reason.unwrap_or_default())).collect()
}

async fn conversion_id(res: reqwest::Response) -> String {
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["conversion_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn referring_yourself_leaves_both_credits_pending() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna.smith@gmail.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    let id = conversion_id(convert(&app, "o-1", "annasmith+2@gmail.com", code, Some(SECRET)).await).await;
    assert_eq!(flagged(&app, &id).await, vec![(CreditState::Pending, "self_referral".into()); 2]);
}

#[tokio::test]
async fn converting_on_the_referrers_own_device_is_self_referral() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    let body = json!({"order_id": "o-9", "email": "alias@example.net", "referral_code": code,
                      "device_token": anna["progress_token"]});
    let res = app.post_json("/v1/campaigns/demo/conversions", &body, None).await;
    let id = conversion_id(res).await;
    let reasons = flagged(&app, &id).await;
    assert_eq!(reasons[0], (CreditState::Pending, "self_referral,unverified_source".into()));
}

#[tokio::test]
async fn a_disposable_friend_mailbox_leaves_the_credits_pending() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    let id = conversion_id(convert(&app, "o-1", "x@mailinator.com", code, Some(SECRET)).await).await;
    assert_eq!(flagged(&app, &id).await[0], (CreditState::Pending, "disposable_email".into()));
}

#[tokio::test]
async fn the_conversion_over_the_daily_limit_on_one_code_waits_for_review() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    let mut states = Vec::new();
    for n in 0..4 {
        let id =
            conversion_id(convert(&app, &format!("o-{n}"), &format!("f{n}@example.com"), code, Some(SECRET)).await)
                .await;
        states.push(flagged(&app, &id).await[0].clone());
    }
    assert_eq!(states[..3], vec![(CreditState::Approved, String::new()); 3]);
    assert_eq!(states[3], (CreditState::Pending, "velocity".into()));
}

#[tokio::test]
async fn a_code_from_another_campaign_is_flagged() {
    let app = merchant_app().await;
    let (_, elsewhere) = join(&app, "other", "Olga", "olga@example.com").await;
    let code = elsewhere["referral_code"].as_str().unwrap();
    let id = conversion_id(convert(&app, "o-1", "ben@example.com", code, Some(SECRET)).await).await;
    assert_eq!(flagged(&app, &id).await[0], (CreditState::Pending, "code_outside_campaign".into()));
}

#[tokio::test]
async fn a_thank_you_page_conversion_waits_for_review() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let body = json!({"order_id": "o-1", "email": "ben@example.com", "referral_code": anna["referral_code"]});
    let id = conversion_id(app.post_json("/v1/campaigns/demo/conversions", &body, None).await).await;
    assert_eq!(flagged(&app, &id).await[0], (CreditState::Pending, "unverified_source".into()));
}

#[tokio::test]
async fn a_pending_credit_can_be_approved_once_and_never_moved_back() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let id = conversion_id(
        convert(&app, "o-1", "x@mailinator.com", anna["referral_code"].as_str().unwrap(), Some(SECRET)).await,
    )
    .await;
    app.drain().await;
    let credit = app.running.backends.referrals.credits_for_conversion(&id).await.unwrap().remove(0);
    let store = &app.running.backends.referrals;
    let approved =
        store.decide_credit(&credit.credit_id, CreditState::Approved, "test", None, &|_| None).await.unwrap();
    assert_eq!(approved.unwrap().state, CreditState::Approved);
    assert!(store
        .decide_credit(&credit.credit_id, CreditState::Denied, "test", None, &|_| None)
        .await
        .unwrap()
        .is_none());
    assert!(store.decide_credit("cr_nope", CreditState::Approved, "test", None, &|_| None).await.unwrap().is_none());
}

#[tokio::test]
async fn a_referrer_who_joined_in_a_burst_from_one_client_waits_for_review() {
    let app = TestApp::spawn().await;
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    // The store counts a client's joins in the last hour; with a limit of 2 the third is flagged.
    let store = &app.running.backends.referrals;
    let mut flags = Vec::new();
    for n in 0..3 {
        let (code, email) = (format!("ABCDEFG{}", [2, 3, 4][n]), format!("r{n}@example.com"));
        let new = NewReferrer { joins_per_client_per_hour: 2, ..new_referrer(&format!("ref_{n}"), &code, &email) };
        match store.join(new).await.unwrap() {
            vouch_server::backends::referrals::Joined::Created(r) => flags.push(r.join_flagged),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(flags, [false, false, true]);
    let id = conversion_id(convert(&app, "o-1", "ben@example.com", "ABCDEFG4", Some(SECRET)).await).await;
    assert_eq!(flagged(&app, &id).await[0], (CreditState::Pending, "join_velocity".into()));
}
