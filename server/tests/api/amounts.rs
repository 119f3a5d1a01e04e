//! Conversion amounts: exact minor units of their currency, refused per field when they are not.

use serde_json::{json, Value};
use vouch_server::crypto::sha256_hex;

use crate::helpers::{error_code, TestApp, SHOP};

const SECRET: &str = "vm_test_merchant_secret";

async fn referral_code(app: &TestApp) -> String {
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let body = json!({"first_name": "Anna", "email": "anna@example.com", "consents": {"terms": true}});
    let res = app.client.post(app.url("/v1/campaigns/demo/referrers")).header("Origin", SHOP).json(&body).send().await;
    res.unwrap().json::<Value>().await.unwrap()["referral_code"].as_str().unwrap().to_string()
}

async fn convert(app: &TestApp, code: &str, order_id: &str, amount: Value, currency: Value) -> reqwest::Response {
    let body = json!({"campaign": "demo", "order_id": order_id, "email": "ben@example.com",
        "referral_code": code, "amount": amount, "currency": currency});
    app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn an_amount_that_does_not_fit_its_currency_is_refused_per_field_and_nothing_is_recorded() {
    let app = TestApp::spawn().await;
    let code = referral_code(&app).await;
    let cases = [
        (json!(49.999), json!("EUR"), "amount", "amount_too_precise"),
        (json!("49.999"), json!("EUR"), "amount", "amount_too_precise"),
        (json!(100.5), json!("JPY"), "amount", "amount_too_precise"),
        (json!("1.2345"), json!("KWD"), "amount", "amount_too_precise"),
        (json!(-5), json!("EUR"), "amount", "invalid_amount"),
        (json!("1e3"), json!("EUR"), "amount", "invalid_amount"),
        (json!("NaN"), json!("EUR"), "amount", "invalid_amount"),
        (json!(true), json!("EUR"), "amount", "invalid_amount"),
        (json!(1e300), json!("EUR"), "amount", "amount_too_large"),
        (json!("90071992547409.92"), json!("EUR"), "amount", "amount_too_large"),
        (json!(49.9), Value::Null, "currency", "required"),
    ];
    for (i, (amount, currency, field, expected)) in cases.into_iter().enumerate() {
        let res = convert(&app, &code, &format!("o-{i}"), amount.clone(), currency).await;
        let (status, error) = error_code(res).await;
        assert_eq!(status, 422, "{amount}");
        assert_eq!(
            (error["fields"][0]["field"].as_str(), error["fields"][0]["code"].as_str()),
            (Some(field), Some(expected)),
            "{amount}"
        );
        assert!(error["fields"][0]["message"].as_str().unwrap().len() > 5);
    }
    assert_eq!(app.queue("conversions").stats().await.unwrap(), Default::default());
    assert_eq!(convert(&app, &code, "o-ok", json!(1000), json!("JPY")).await.status(), 202);
    assert_eq!(convert(&app, &code, "o-kwd", json!("1.234"), json!("kwd")).await.status(), 202);
}

#[tokio::test]
async fn the_same_order_reported_as_a_number_and_as_a_decimal_string_is_one_conversion() {
    let app = TestApp::spawn().await;
    let code = referral_code(&app).await;
    let first = convert(&app, &code, "o-1", json!(49.9), json!("EUR")).await;
    assert_eq!(first.status(), 202);
    let first: Value = first.json().await.unwrap();
    let again = convert(&app, &code, "o-1", json!("49.90"), json!("eur")).await;
    assert_eq!(again.status(), 202, "the same amount written another way is a replay");
    assert_eq!(again.json::<Value>().await.unwrap()["conversion_id"], first["conversion_id"]);
    let (status, error) = error_code(convert(&app, &code, "o-1", json!("49.91"), json!("EUR")).await).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("order_id_reused")));
    // What the worker credits from (and the webhook reports) is the exact amount.
    let queued = app.queue("conversions").receive(10, std::time::Duration::from_secs(30)).await.unwrap();
    let message: Value = serde_json::from_str(&queued[0].body).unwrap();
    assert_eq!((&message["amount_minor"], &message["currency"]), (&json!(4990), &json!("EUR")));
}
