use std::collections::HashSet;

use serde_json::{json, Value};
use vouch_core::rewards::CreditState;
use vouch_server::backends::referrals::Credit;
use vouch_server::crypto::sha256_hex;

use crate::helpers::{error_code, TestApp, SHOP};

pub(crate) const SECRET: &str = "vm_test_merchant_secret";

pub(crate) async fn join(app: &TestApp, campaign: &str, first_name: &str, email: &str) -> (u16, Value) {
    let body = json!({"first_name": first_name, "email": email, "consents": {"terms": true}});
    let origin = if campaign == "other" { "https://other.example" } else { SHOP };
    let res = app
        .client
        .post(app.url(&format!("/v1/campaigns/{campaign}/referrers")))
        .header("Origin", origin)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

pub(crate) async fn merchant_app() -> TestApp {
    let app = TestApp::spawn().await;
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    app
}

pub(crate) async fn convert(
    app: &TestApp,
    order_id: &str,
    email: &str,
    code: &str,
    secret: Option<&str>,
) -> reqwest::Response {
    let body = json!({"campaign": "demo", "order_id": order_id, "email": email, "referral_code": code, "amount": 49.9, "currency": "EUR"});
    let mut req = app.client.post(app.url("/v1/conversions")).json(&body);
    if let Some(secret) = secret {
        req = req.bearer_auth(secret);
    }
    req.send().await.unwrap()
}

pub(crate) async fn credits(app: &TestApp) -> Vec<Credit> {
    app.running.backends.referrals.list_credits("demo").await.unwrap()
}

pub(crate) async fn progress(app: &TestApp, code: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/v1/campaigns/demo/referrers/{code}/progress")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn joining_twice_with_the_same_mailbox_gives_the_same_code() {
    let app = TestApp::spawn().await;
    let (status, first) = join(&app, "demo", "Anna", "anna.smith@gmail.com").await;
    assert_eq!(status, 201);
    let code = first["referral_code"].as_str().unwrap();
    assert_eq!(code.len(), 8);
    assert!(code.bytes().all(|b| vouch_core::referral::CODE_ALPHABET.contains(&b)));
    assert_eq!(first["share_url"], format!("https://shop.example/?vouch_ref={code}"));
    assert_eq!(first["friend_offer"], "10 % off your first order");
    assert!(first["progress_token"].as_str().unwrap().len() >= 32);

    // Gmail ignores dots, tags and case: still the same person, still the same code.
    let (status, again) = join(&app, "demo", "Anna", "Anna.Smith+x@GMAIL.com").await;
    assert_eq!(status, 200);
    assert_eq!(again["referral_code"], code);
    assert!(again["progress_token"].is_null(), "a repeat join hands out no token");

    let (_, other) = join(&app, "demo", "Ben", "ben@example.com").await;
    assert_ne!(other["referral_code"], code);
}

#[tokio::test]
async fn a_join_with_bad_fields_is_refused_per_field() {
    let app = TestApp::spawn().await;
    let (status, body) = join(&app, "demo", "", "nope").await;
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["first_name", "email"]);
}

#[tokio::test]
async fn a_friend_sees_the_referrers_first_name_and_offer() {
    let app = TestApp::spawn().await;
    let (_, joined) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = joined["referral_code"].as_str().unwrap().to_lowercase();
    let res = app.client.get(app.url(&format!("/v1/campaigns/demo/referrers/{code}"))).send().await.unwrap();
    let landing: Value = res.json().await.unwrap();
    assert_eq!(
        landing,
        json!({"referral_code": joined["referral_code"], "first_name": "Anna", "friend_offer": "10 % off your first order"})
    );
    let res = app.client.get(app.url("/v1/campaigns/demo/referrers/ZZZZZZZZ")).send().await.unwrap();
    assert_eq!(error_code(res).await.1["code"], "referrer_not_found");
}

#[tokio::test]
async fn progress_needs_the_token_handed_out_at_join() {
    let app = TestApp::spawn().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let (_, ben) = join(&app, "demo", "Ben", "ben@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    let res = progress(&app, code, anna["progress_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["conversions"], 0);
    for token in ["", "guess", ben["progress_token"].as_str().unwrap()] {
        assert_eq!(progress(&app, code, token).await.status(), 401, "token {token:?}");
    }
    let res = app.client.get(app.url(&format!("/v1/campaigns/demo/referrers/{code}/progress"))).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn friend_visits_count_once_per_device() {
    let app = TestApp::spawn().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    for visitor in ["device-1", "device-1", "device-2"] {
        let res = app
            .post_json(&format!("/v1/campaigns/demo/referrers/{code}/visits"), &json!({"visitor": visitor}), None)
            .await;
        assert_eq!(res.status(), 204);
    }
    let body: Value = progress(&app, code, anna["progress_token"].as_str().unwrap()).await.json().await.unwrap();
    assert_eq!(body["friends_joined"], 2);
}

#[tokio::test]
async fn a_conversion_needs_the_merchant_secret() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    for secret in [None, Some("wrong"), Some("")] {
        let (status, error) = error_code(convert(&app, "o-1", "ben@example.com", code, secret).await).await;
        assert_eq!((status, error["code"].as_str()), (401, Some("unauthorized")), "{secret:?}");
    }
    assert_eq!(app.queue("conversions").stats().await.unwrap().ready, 0);
    assert_eq!(convert(&app, "o-1", "ben@example.com", code, Some(SECRET)).await.status(), 202);
}

#[tokio::test]
async fn a_conversion_credits_both_sides_once_and_shows_in_progress() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    let res = convert(&app, "o-1", "ben@example.com", code, Some(SECRET)).await;
    assert_eq!(res.status(), 202);
    app.drain().await;
    let ledger = credits(&app).await;
    assert_eq!(ledger.len(), 2);
    assert!(ledger.iter().all(|c| c.state == CreditState::Approved && c.reason.is_none()));
    let referrer = ledger.iter().find(|c| c.side == vouch_core::rewards::Side::Referrer).unwrap();
    assert_eq!(referrer.recipient, "anna@example.com");
    let friend = ledger.iter().find(|c| c.side == vouch_core::rewards::Side::Friend).unwrap();
    assert_eq!((friend.recipient.as_str(), friend.reward.as_str()), ("ben@example.com", "10 % off your first order"));
    let body: Value = progress(&app, code, anna["progress_token"].as_str().unwrap()).await.json().await.unwrap();
    assert_eq!(
        (body["conversions"].as_u64(), body["rewards_earned"].as_u64(), body["rewards_pending"].as_u64()),
        (Some(1), Some(1), Some(0))
    );
}

#[tokio::test]
async fn a_conversion_replayed_ten_times_concurrently_gives_one_credit_per_side() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap().to_string();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (client, url, code) = (app.client.clone(), app.url("/v1/conversions"), code.clone());
        tasks.spawn(async move {
            let body =
                json!({"campaign": "demo", "order_id": "o-77", "email": "ben@example.com", "referral_code": code});
            let res = client.post(url).bearer_auth(SECRET).json(&body).send().await.unwrap();
            assert_eq!(res.status(), 202);
            res.json::<Value>().await.unwrap()["conversion_id"].as_str().unwrap().to_string()
        });
    }
    let mut ids = HashSet::new();
    while let Some(id) = tasks.join_next().await {
        ids.insert(id.unwrap());
    }
    assert_eq!(ids.len(), 1);
    // A redelivered message on top of it.
    let queue = app.queue("conversions");
    let message = queue.receive(1, std::time::Duration::from_millis(1)).await.unwrap().remove(0);
    queue.send(message.body).await.unwrap();
    app.drain().await;
    assert_eq!(credits(&app).await.len(), 2);
}

#[tokio::test]
async fn the_same_order_id_with_other_details_is_refused() {
    let app = merchant_app().await;
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    let code = anna["referral_code"].as_str().unwrap();
    assert_eq!(convert(&app, "o-1", "ben@example.com", code, Some(SECRET)).await.status(), 202);
    let (status, error) = error_code(convert(&app, "o-1", "carl@example.com", code, Some(SECRET)).await).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("order_id_reused")));
}

#[derive(Clone, Default)]
struct Receiver {
    calls: std::sync::Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, String)>>>,
}

/// A merchant's webhook endpoint that refuses its first delivery with a 500.
async fn receiver() -> (Receiver, String) {
    use axum::routing::post;
    let rx = Receiver::default();
    let state = rx.clone();
    let app = axum::Router::new().route(
        "/hooks",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let mut calls = state.calls.lock().unwrap();
                calls.push((headers, body));
                if calls.len() == 1 {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (rx, url)
}

/// What a merchant would write to check a delivery: HMAC-SHA256 over "timestamp.body".
fn verify(secret: &str, headers: &axum::http::HeaderMap, body: &str) -> bool {
    use hmac::{KeyInit, Mac};
    let timestamp = headers["vouch-timestamp"].to_str().unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    headers["vouch-signature"].to_str().unwrap() == expected
}

#[tokio::test]
async fn webhooks_are_signed_carry_event_ids_and_are_retried_until_accepted() {
    let (rx, url) = receiver().await;
    let app = TestApp::spawn_with_webhook(&url).await;
    let secret = "whsec_test_secret";
    app.running.backends.referrals.set_webhook_secret("demo", secret).await.unwrap();
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let (_, anna) = join(&app, "demo", "Anna", "anna@example.com").await;
    convert(&app, "o-1", "ben@example.com", anna["referral_code"].as_str().unwrap(), Some(SECRET)).await;

    let mut delivered = HashSet::new();
    for _ in 0..200 {
        app.drain().await;
        let calls = rx.calls.lock().unwrap().clone();
        delivered = calls.iter().skip(1).map(|(h, _)| h["vouch-event-id"].to_str().unwrap().to_string()).collect();
        if delivered.len() == 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(delivered.len(), 4, "joined, recorded and one approval per side");
    let calls = rx.calls.lock().unwrap().clone();
    let kinds: HashSet<String> = calls
        .iter()
        .map(|(headers, body)| {
            assert!(verify(secret, headers, body), "a delivery's signature does not verify");
            assert!(!verify("whsec_wrong", headers, body));
            let event: Value = serde_json::from_str(body).unwrap();
            assert_eq!(event["id"], headers["vouch-event-id"].to_str().unwrap());
            event["type"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(kinds, HashSet::from(["referrer.joined", "conversion.recorded", "reward.approved"].map(String::from)));
    // The refused first delivery came again with the same id.
    let first_id = calls[0].0["vouch-event-id"].to_str().unwrap();
    assert!(calls.iter().skip(1).any(|(h, _)| h["vouch-event-id"] == first_id));
    assert_eq!(app.queue("webhooks").stats().await.unwrap(), Default::default());
}
