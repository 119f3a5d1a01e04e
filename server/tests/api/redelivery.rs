//! At-least-once delivery seen from the merchant's webhook endpoint: a redelivered conversion
//! message and a repeated operator command announce nothing different from the first time.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use vouch_core::rewards::CreditState;
use vouch_server::crypto::sha256_hex;
use vouch_server::referrals::decisions::decide_credit;

use crate::helpers::TestApp;

const SECRET: &str = "vm_redelivery_secret";

/// A webhook endpoint that keeps every event it is sent.
pub(crate) async fn endpoint() -> (Arc<Mutex<Vec<Value>>>, String) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |body: String| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(serde_json::from_str::<Value>(&body).unwrap());
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (seen, url)
}

async fn app_with_hooks() -> (TestApp, Arc<Mutex<Vec<Value>>>) {
    let (seen, url) = endpoint().await;
    let app = TestApp::spawn_with_webhook(&url).await;
    app.running.backends.referrals.set_webhook_secret("demo", "whsec_redelivery").await.unwrap();
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    (app, seen)
}

fn of_type(seen: &Mutex<Vec<Value>>, kind: &str) -> Vec<Value> {
    seen.lock().unwrap().iter().filter(|e| e["type"] == kind).cloned().collect()
}

async fn flagged_conversion(app: &TestApp) -> String {
    let join = json!({"first_name": "Anna", "email": "anna@example.com", "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let order = json!({"campaign": "demo", "order_id": "o-1", "email": "x@mailinator.com",
                       "referral_code": joined["referral_code"]});
    let res = app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&order).send().await.unwrap();
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["conversion_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_redelivered_conversion_announces_the_same_fraud_flags() {
    let (app, seen) = app_with_hooks().await;
    flagged_conversion(&app).await;
    let conversions = app.queue("conversions");
    let first = conversions.receive(1, std::time::Duration::from_millis(1)).await.unwrap().remove(0);
    conversions.send(first.body.clone()).await.unwrap();
    conversions.send(first.body).await.unwrap();
    for _ in 0..4 {
        app.drain().await;
    }
    let recorded = of_type(&seen, "conversion.recorded");
    assert!(!recorded.is_empty());
    for event in &recorded {
        assert_eq!(event["data"]["flags"], json!(["disposable_email"]), "{event}");
    }
}

#[tokio::test]
async fn an_approval_is_announced_once_with_the_decision() {
    let (app, seen) = app_with_hooks().await;
    let conversion_id = flagged_conversion(&app).await;
    app.drain().await;
    let credit = app.running.backends.referrals.credits_for_conversion(&conversion_id).await.unwrap().remove(0);
    let campaigns = &vouch_server::campaigns::Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let store = app.running.backends.referrals.as_ref();
    let decided = decide_credit(store, campaigns, &credit.credit_id, CreditState::Approved, None).await.unwrap();
    assert_eq!(decided.map(|c| c.state), Some(CreditState::Approved));
    // The operator runs the command again: nothing moves, nothing more is announced.
    assert!(decide_credit(store, campaigns, &credit.credit_id, CreditState::Approved, None).await.unwrap().is_none());
    for _ in 0..3 {
        app.drain().await;
    }
    let approvals = of_type(&seen, "reward.approved");
    assert_eq!(approvals.len(), 1, "{approvals:?}");
    assert_eq!(approvals[0]["data"]["credit_id"], credit.credit_id.as_str());
}
