//! A campaign that hands the friend a code when they land (`[codes.friend] hand_out = "landing"`),
//! on both backends: one code per visitor, the same on every visit, none without a visitor key.

use serde_json::{json, Value};
use vouch_server::config::Config;

use crate::helpers::TestApp;

fn landing_pool(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(demo, format!("{text}\n[codes.friend]\nhand_out = \"landing\"\n")).unwrap();
}

async fn land(app: &TestApp, code: &str, visitor: Option<&str>) -> Value {
    let query = visitor.map(|v| format!("?visitor={v}")).unwrap_or_default();
    let res = app.client.get(app.url(&format!("/v1/campaigns/demo/referrers/{code}{query}"))).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn a_friend_sees_one_code_per_device(app: TestApp) {
    let codes: Vec<String> = ["L-1", "L-2"].iter().map(|c| c.to_string()).collect();
    app.running.backends.codes.import("demo", vouch_core::codes::Pool::Friend, &codes).await.unwrap();
    let join = json!({"first_name": "Anna", "email": "anna@example.com", "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let code = joined["referral_code"].as_str().unwrap();

    assert_eq!(land(&app, code, None).await.get("friend_code"), None, "no visitor key, no code");
    assert_eq!(land(&app, code, Some("device-a")).await["friend_code"], "L-1");
    assert_eq!(land(&app, code, Some("device-a")).await["friend_code"], "L-1", "the same device, the same code");
    assert_eq!(land(&app, code, Some("device-b")).await["friend_code"], "L-2");
    let dry = land(&app, code, Some("device-c")).await;
    assert_eq!((dry.get("friend_code"), &dry["friend_code_pending"]), (None, &json!(true)));
    let bad = app
        .client
        .get(app.url(&format!("/v1/campaigns/demo/referrers/{code}?visitor={}", "x".repeat(200))))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let status = app.running.backends.codes.status("demo").await.unwrap();
    assert_eq!((status[0].1.assigned, status[0].1.awaiting), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_friend_sees_one_code_per_device() {
    a_friend_sees_one_code_per_device(TestApp::spawn_with(landing_pool).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_friend_sees_one_code_per_device() {
    a_friend_sees_one_code_per_device(TestApp::spawn_aws_with(landing_pool).await).await;
}
