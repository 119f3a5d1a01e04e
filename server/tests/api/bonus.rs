//! Bonus draw entries: a referrer who also entered earns `bonus_entries_per_conversion` per
//! approved referrer credit, up to `max_bonus_entries`. Pending and denied credits earn nothing,
//! and a redelivered conversion message earns nothing twice. On both backends.

use serde_json::{json, Value};
use vouch_core::referral::identity_email;
use vouch_core::rewards::{CreditState, Side};
use vouch_server::campaigns::Campaigns;
use vouch_server::config::Config;
use vouch_server::crypto::sha256_hex;
use vouch_server::referrals::bonus::bonus_entries;

use crate::helpers::{entry_body, jpeg, TestApp};

pub const SECRET: &str = "vm_bonus_secret";

/// Two bonus entries per approved credit, five at most; a generous velocity limit, so that the
/// only credits left pending are the ones this test means to leave pending.
pub fn two_per_conversion_up_to_five(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let text = text
        .replacen("[referral]\n", "[referral]\nbonus_entries_per_conversion = 2\nmax_bonus_entries = 5\n", 1)
        .replace("conversions_per_code_per_day = 3", "conversions_per_code_per_day = 100");
    std::fs::write(demo, text).unwrap();
}

pub async fn convert(app: &TestApp, order: &str, friend: &str, code: &str) -> String {
    let body = json!({"campaign": "demo", "order_id": order, "email": friend, "referral_code": code});
    let res = app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["conversion_id"].as_str().unwrap().to_string()
}

/// What the draw and Anna's progress panel say about her bonus.
async fn bonus(app: &TestApp, code: &str, token: &str, identity: &str) -> (Option<u32>, Option<u64>) {
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let campaign = campaigns.get("demo").unwrap();
    let all = bonus_entries(app.running.backends.referrals.as_ref(), &campaign).await.unwrap();
    assert!(all.keys().all(|k| k == identity), "only Anna referred anyone: {all:?}");
    (all.get(identity).copied(), app.progress(code, token).await["bonus_entries"].as_u64())
}

async fn approved_credits_earn_bonus_entries_up_to_the_cap(app: TestApp) {
    let referrals = app.running.backends.referrals.clone();
    referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let join = json!({"first_name": "Anna", "email": "Anna@Example.com", "consents": {"terms": true}});
    let anna: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let (code, token) = (anna["referral_code"].as_str().unwrap(), anna["progress_token"].as_str().unwrap());
    // She also entered the giveaway, spelling her mailbox another way.
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    assert_eq!(app.entry("demo", &entry_body("anna+draw@example.com", Some(&upload)), "k-anna").await.status(), 202);
    app.drain().await;
    let entrant = &app.running.backends.store.list_entries("demo").await.unwrap()[0];
    let identity = identity_email(&entrant.entrant.email);
    assert_eq!(bonus(&app, code, token, &identity).await, (None, Some(0)));

    // One approved conversion, its message delivered twice.
    convert(&app, "o-1", "ben@example.com", code).await;
    let queue = app.queue("conversions");
    let first = queue.receive(1, std::time::Duration::from_millis(1)).await.unwrap().remove(0);
    queue.send(first.body).await.unwrap();
    app.drain().await;
    assert_eq!(bonus(&app, code, token, &identity).await, (Some(2), Some(2)), "credited once");

    // A second approved one, one left pending (a disposable mailbox) and one denied.
    convert(&app, "o-2", "cara@example.com", code).await;
    convert(&app, "o-3", "x@mailinator.com", code).await;
    let denied = convert(&app, "o-4", "y@mailinator.com", code).await;
    app.drain().await;
    let credit = referrals.credits_for_conversion(&denied).await.unwrap();
    let credit = credit.iter().find(|c| c.side == Side::Referrer).unwrap();
    assert!(referrals
        .decide_credit(&credit.credit_id, CreditState::Denied, "test", None, &|_| None)
        .await
        .unwrap()
        .is_some());
    assert_eq!(bonus(&app, code, token, &identity).await, (Some(4), Some(4)), "pending and denied earn nothing");

    // A third approved one: 6 earned, 5 the cap.
    convert(&app, "o-5", "dan@example.com", code).await;
    app.drain().await;
    assert_eq!(bonus(&app, code, token, &identity).await, (Some(5), Some(5)));
    let progress = app.progress(code, token).await;
    assert_eq!((progress["rewards_earned"].as_u64(), progress["rewards_pending"].as_u64()), (Some(3), Some(1)));
}

#[tokio::test]
async fn embedded_approved_credits_earn_bonus_entries_up_to_the_cap() {
    approved_credits_earn_bonus_entries_up_to_the_cap(TestApp::spawn_with(two_per_conversion_up_to_five).await).await;
}

#[tokio::test]
async fn aws_approved_credits_earn_bonus_entries_up_to_the_cap() {
    approved_credits_earn_bonus_entries_up_to_the_cap(TestApp::spawn_aws_with(two_per_conversion_up_to_five).await)
        .await;
}

#[tokio::test]
async fn a_campaign_without_a_bonus_shows_none_in_progress() {
    let app = TestApp::spawn().await;
    let join = json!({"first_name": "Anna", "email": "anna@example.com", "consents": {"terms": true}});
    let anna: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let progress =
        app.progress(anna["referral_code"].as_str().unwrap(), anna["progress_token"].as_str().unwrap()).await;
    assert!(progress.get("bonus_entries").is_none(), "{progress}");
}
