//! One order, reported by a shopper's browser (the thank-you page) and by the merchant's back end:
//! the merchant's authenticated report is authoritative, is never refused because of the
//! browser's, and the ledger ends with one credit per side carrying the merchant's data. On both
//! backends.

use serde_json::{json, Value};
use vouch_core::rewards::{CreditState, Side};
use vouch_server::backends::referrals::Credit;
use vouch_server::crypto::sha256_hex;

use crate::helpers::TestApp;

const SECRET: &str = "vm_sources_secret";

async fn with_merchant(app: TestApp) -> TestApp {
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    app
}

/// A referrer's code and progress token.
async fn join(app: &TestApp, email: &str) -> (String, String) {
    let body = json!({"first_name": "Anna", "email": email, "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &body, None).await.json().await.unwrap();
    (joined["referral_code"].as_str().unwrap().into(), joined["progress_token"].as_str().unwrap().into())
}

fn order(order_id: &str, friend: &str, code: &str) -> Value {
    json!({"campaign": "demo", "order_id": order_id, "email": friend, "referral_code": code, "amount": 49.9, "currency": "EUR"})
}

async fn from_browser(app: &TestApp, body: &Value) -> (u16, Value) {
    let res = app.post_json("/v1/campaigns/demo/conversions", body, None).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn from_merchant(app: &TestApp, body: &Value) -> (u16, Value) {
    let res = app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn ledger(app: &TestApp, conversion_id: &str) -> Vec<Credit> {
    app.drain().await;
    app.running.backends.referrals.credits_for_conversion(conversion_id).await.unwrap()
}

fn unique(name: &str) -> String {
    format!("{name}.{}@example.com", uuid::Uuid::new_v4().simple())
}

/// The sequence checked by hand: the browser's report first, then the merchant's.
async fn the_merchants_report_supersedes_an_earlier_browser_report(app: TestApp) {
    let app = with_merchant(app).await;
    let (code, token) = join(&app, &unique("anna")).await;
    let (status, browser) = from_browser(&app, &order("ORD-1001", "ben@example.com", &code)).await;
    assert_eq!(status, 202);
    let id = browser["conversion_id"].as_str().unwrap().to_string();
    let held = ledger(&app, &id).await;
    assert!(held.iter().all(|c| c.state == CreditState::Pending && c.reason.as_deref() == Some("unverified_source")));

    // The merchant's own report of the order, with the buyer's real address.
    let authoritative = order("ORD-1001", "ben.real@example.com", &code);
    let (status, merchant) = from_merchant(&app, &authoritative).await;
    assert_eq!(status, 202, "{merchant}");
    assert_eq!(merchant["conversion_id"], id.as_str(), "one order, one conversion");
    let credits = ledger(&app, &id).await;
    assert_eq!(credits.len(), 2);
    assert!(credits.iter().all(|c| c.state == CreditState::Approved && !c.from_browser), "{credits:?}");
    let friend = credits.iter().find(|c| c.side == Side::Friend).unwrap();
    assert_eq!(friend.recipient, "ben.real@example.com", "the credits follow the merchant's data");
    let p = app.progress(&code, &token).await;
    assert_eq!(
        (p["conversions"].as_u64(), p["rewards_earned"].as_u64(), p["rewards_pending"].as_u64()),
        (Some(1), Some(1), Some(0))
    );

    // Replays of either report change nothing.
    assert_eq!(from_merchant(&app, &authoritative).await, (202, merchant));
    assert_eq!(from_browser(&app, &order("ORD-1001", "ben@example.com", &code)).await.0, 202);
    assert_eq!(ledger(&app, &id).await, credits);
}

/// The browser's report and the merchant's of ten orders (one referrer each, so that no velocity
/// rule holds them): sent at the same moment when `at_once`, else one after the other, the
/// browser's first for even orders and the merchant's first for odd ones.
async fn both_reports_of_one_order_credit_it_once(app: TestApp, at_once: bool) {
    let app = std::sync::Arc::new(with_merchant(app).await);
    let mut referrers = Vec::new();
    for n in 0..10 {
        referrers.push(join(&app, &unique(&format!("referrer{n}"))).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (n, (code, _)) in referrers.iter().enumerate() {
        let body = order(&format!("ORD-{n}"), &format!("friend{n}@example.com"), code);
        let (a, b) = (app.clone(), body.clone());
        let browser = async move { from_browser(&a, &b).await };
        let a = app.clone();
        let merchant = async move { from_merchant(&a, &body).await };
        if at_once {
            tasks.spawn(browser);
            tasks.spawn(merchant);
        } else if n % 2 == 0 {
            assert_eq!(browser.await.0, 202);
            assert_eq!(merchant.await.0, 202);
        } else {
            assert_eq!(merchant.await.0, 202);
            assert_eq!(browser.await.0, 202);
        }
    }
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, 202, "{body}");
    }
    app.drain().await;
    let credits = app.running.backends.referrals.list_credits("demo").await.unwrap();
    assert_eq!(credits.len(), 20, "one credit per side and order: {credits:?}");
    assert!(credits.iter().all(|c| !c.from_browser && c.state == CreditState::Approved), "{credits:?}");
    for (code, token) in referrers {
        let p = app.progress(&code, &token).await;
        assert_eq!(
            (p["conversions"].as_u64(), p["rewards_earned"].as_u64(), p["rewards_pending"].as_u64()),
            (Some(1), Some(1), Some(0))
        );
    }
}

/// A merchant's server reports every referred order from one address: its reports are not held
/// by the per-client rule meant for browsers (here 2 a day).
async fn the_merchants_server_is_not_a_suspicious_client(app: TestApp) {
    let app = with_merchant(app).await;
    let mut states = Vec::new();
    for n in 0..4 {
        let (code, _) = join(&app, &unique(&format!("referrer{n}"))).await;
        let (status, accepted) = from_merchant(&app, &order(&format!("o-{n}"), &unique("friend"), &code)).await;
        assert_eq!(status, 202);
        states.extend(ledger(&app, accepted["conversion_id"].as_str().unwrap()).await.into_iter().map(|c| c.state));
    }
    assert_eq!(states, vec![CreditState::Approved; 8]);
}

fn two_conversions_per_client(config: &mut vouch_server::config::Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let text = text.replace("conversions_per_client_per_day = 1000", "conversions_per_client_per_day = 2");
    std::fs::write(demo, text).unwrap();
}

/// The same rule still holds browsers to it.
#[tokio::test]
async fn a_browser_over_the_per_client_limit_is_still_held() {
    let app = TestApp::spawn_with(two_conversions_per_client).await;
    let mut reasons = Vec::new();
    for n in 0..3 {
        let (code, _) = join(&app, &unique(&format!("referrer{n}"))).await;
        let (_, accepted) = from_browser(&app, &order(&format!("o-{n}"), &unique("friend"), &code)).await;
        let credits = ledger(&app, accepted["conversion_id"].as_str().unwrap()).await;
        reasons.push(credits[0].reason.clone().unwrap_or_default());
    }
    assert_eq!(reasons, ["unverified_source", "unverified_source", "velocity,unverified_source"]);
}

mod embedded {
    use super::*;

    #[tokio::test]
    async fn the_merchants_report_supersedes_an_earlier_browser_report() {
        super::the_merchants_report_supersedes_an_earlier_browser_report(TestApp::spawn().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reports_of_one_order_credit_it_once() {
        super::both_reports_of_one_order_credit_it_once(TestApp::spawn().await, true).await;
    }

    #[tokio::test]
    async fn the_merchants_server_is_not_a_suspicious_client() {
        super::the_merchants_server_is_not_a_suspicious_client(TestApp::spawn_with(two_conversions_per_client).await)
            .await;
    }
}

mod aws {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_merchants_report_supersedes_an_earlier_browser_report() {
        super::the_merchants_report_supersedes_an_earlier_browser_report(TestApp::spawn_aws().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reports_of_one_order_credit_it_once() {
        // The reports race at intake; the worker credits one message at a time on moto (see
        // `TestApp::try_spawn_aws`).
        let app = TestApp::spawn_aws().await;
        super::both_reports_of_one_order_credit_it_once(app, true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_reports_of_one_order_in_either_order_credit_it_once() {
        super::both_reports_of_one_order_credit_it_once(TestApp::spawn_aws().await, false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_merchants_server_is_not_a_suspicious_client() {
        super::the_merchants_server_is_not_a_suspicious_client(
            TestApp::spawn_aws_with(two_conversions_per_client).await,
        )
        .await;
    }
}
