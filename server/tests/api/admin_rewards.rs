//! The Rewards page's routes as an operator uses them: the ledger (with e-mails only for those who
//! may decide), a credit approved through the API getting its code, code imports that report
//! duplicates instead of storing them twice, the payouts CSV and a payout recorded once. Every
//! write shows in the campaign's audit log under the operator's e-mail. On both backends.

use serde_json::{json, Value};
use vouch_core::admin::Role;
use vouch_core::codes::Pool;
use vouch_server::config::Config;

use crate::admin_helpers::AdminClient;
use crate::helpers::TestApp;
use crate::payouts::ledger;

/// Referrers earn 5 EUR and a code of the `referrer` pool.
fn rewards(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let text = text.replace("referrer_reward = \"10 % off your next order\"", "referrer_reward = \"5 EUR\"");
    std::fs::write(demo, format!("{text}\n[codes.referrer]\nlow_water = 1\n")).unwrap();
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn import(client: &AdminClient, pool: &str, content_type: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let path = format!("/admin/v1/campaigns/demo/codes/{pool}");
    json_of(client.builder("POST", &path).header("content-type", content_type).body(body).send().await.unwrap()).await
}

fn row<'a>(rows: &'a Value, credit_id: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r["credit_id"] == credit_id).unwrap_or_else(|| panic!("{rows}"))
}

async fn an_operator_decides_imports_and_pays_through_the_admin_api(app: TestApp) {
    let (approved, friend, pending) = ledger(&app).await;
    let moderator = app.operator(Role::Moderator, &["demo"]).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;

    // The ledger: every credit, e-mails only for those who decide.
    let (status, rows) = json_of(moderator.get("/admin/v1/campaigns/demo/credits").await).await;
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows.as_array().unwrap().len(), 4, "{rows}");
    let listed = row(&rows, &pending.credit_id);
    assert_eq!((listed["state"].as_str(), listed["side"].as_str()), (Some("pending"), Some("referrer")));
    assert_eq!(listed["recipient"], "anna@example.com");
    assert_eq!((listed["amount_minor"].as_u64(), listed["currency"].as_str()), (Some(500), Some("EUR")));
    assert!(listed["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339: {listed}");
    let (_, seen) = json_of(viewer.get("/admin/v1/campaigns/demo/credits?state=pending").await).await;
    let states: Vec<_> = seen.as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["pending", "pending"], "the referrer's and the friend's credit of o-2: {seen}");
    assert!(row(&seen, &pending.credit_id)["recipient"].is_null(), "viewers see no e-mail: {seen}");
    assert!(!seen.to_string().contains("@example.com"));
    let (status, bad) = json_of(viewer.get("/admin/v1/campaigns/demo/credits?state=paid").await).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (422, Some("validation_failed")));
    assert!(bad["error"]["message"].as_str().unwrap().starts_with("state "), "{bad}");

    // The credit approved at conversion waits for a code; the import fills it and mails it.
    let (status, done) = import(&moderator, "referrer", "text/plain", "R-1\nR-2\nR-1\n").await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done, json!({"pool": "referrer", "new": 2, "duplicate": 1, "filled": 1, "mailed": 1}));
    let (status, again) = import(&moderator, "referrer", "text/csv", "code\nR-2\nR-3\n").await;
    assert_eq!(status, 200, "{again}");
    assert_eq!((again["new"].as_u64(), again["duplicate"].as_u64()), (Some(1), Some(1)), "R-2 is not stored twice");
    let codes = &app.running.backends.codes;
    assert!(codes.assigned("demo", Pool::Referrer, &approved.credit_id).await.unwrap().is_some());

    // Approving the pending credit hands out its code, once.
    let path = format!("/admin/v1/campaigns/demo/credits/{}/decision", pending.credit_id);
    let (status, decided) =
        json_of(moderator.post(&path, json!({"decision": "approve", "reason": "checked"})).await).await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(
        (decided["state"].as_str(), decided["recipient"].as_str()),
        (Some("approved"), Some("anna@example.com"))
    );
    assert!(codes.assigned("demo", Pool::Referrer, &pending.credit_id).await.unwrap().is_some(), "its code");
    let (status, twice) = json_of(moderator.post(&path, json!({"decision": "deny"})).await).await;
    assert_eq!((status, twice["error"]["code"].as_str()), (409, Some("conflict")), "{twice}");
    let unknown =
        moderator.post("/admin/v1/campaigns/demo/credits/cr_nope_referrer/decision", json!({"decision": "deny"}));
    assert_eq!(json_of(unknown.await).await.0, 404);
    // An id no store could hold as a key is no credit either (DynamoDB would refuse it).
    let huge = format!("cr_{}_referrer", "9".repeat(3000));
    let decision = format!("/admin/v1/campaigns/demo/credits/{huge}/decision");
    assert_eq!(json_of(moderator.post(&decision, json!({"decision": "deny"})).await).await.0, 404);
    let huge_paid = format!("/admin/v1/campaigns/demo/payouts/{huge}/paid");
    assert_eq!(json_of(moderator.post(&huge_paid, json!({"reference": "TR-9"})).await).await.0, 404);
    let (_, pools) = json_of(viewer.get("/admin/v1/campaigns/demo/codes").await).await;
    let referrer = pools.as_array().unwrap().iter().find(|p| p["pool"] == "referrer").unwrap();
    assert_eq!(
        (referrer["available"].as_u64(), referrer["assigned"].as_u64(), referrer["awaiting"].as_u64()),
        (Some(1), Some(2), Some(0)),
        "{pools}"
    );
    assert_eq!(referrer["low_water"].as_u64(), Some(1));
    assert!(!pools.to_string().contains("R-"), "no code in the answer: {pools}");

    // Both approved referrer rewards are owed; one is paid, once.
    let csv = moderator.get("/admin/v1/campaigns/demo/payouts.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("\"credit_id\",\"email\""), "{text}");
    assert!(text.contains(&approved.credit_id) && text.contains(&pending.credit_id), "{text}");
    assert!(text.contains("\"anna@example.com\",\"Anna\",\"5 EUR\",\"500\",\"EUR\""), "{text}");
    assert_eq!(json_of(viewer.get("/admin/v1/campaigns/demo/payouts.csv").await).await.0, 403, "it holds e-mails");
    let paid = format!("/admin/v1/campaigns/demo/payouts/{}/paid", approved.credit_id);
    let (status, payout) = json_of(moderator.post(&paid, json!({"reference": "TR-1"})).await).await;
    assert_eq!(status, 200, "{payout}");
    assert_eq!((payout["reference"].as_str(), payout["already_paid"].as_bool()), (Some("TR-1"), Some(false)));
    assert_eq!(payout["paid_by"], moderator.email.as_str());
    let (_, repeat) = json_of(moderator.post(&paid, json!({"reference": "TR-2"})).await).await;
    assert_eq!((repeat["reference"].as_str(), repeat["already_paid"].as_bool()), (Some("TR-1"), Some(true)));
    let friend_paid = format!("/admin/v1/campaigns/demo/payouts/{}/paid", friend.credit_id);
    let (status, refused) = json_of(moderator.post(&friend_paid, json!({"reference": "TR-3"})).await).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("conflict")), "{refused}");
    let (status, _) = json_of(moderator.post(&paid.replace("cr_", "cr_x"), json!({"reference": "TR-4"})).await).await;
    assert_eq!(status, 404);
    let (status, _) = json_of(moderator.post(&paid, json!({"reference": " "})).await).await;
    assert_eq!(status, 422);
    let text = moderator.get("/admin/v1/campaigns/demo/payouts.csv").await.text().await.unwrap();
    assert!(!text.contains(&approved.credit_id) && text.contains(&pending.credit_id), "{text}");
    let (_, rows) = json_of(viewer.get("/admin/v1/campaigns/demo/credits?state=approved").await).await;
    assert_eq!(row(&rows, &approved.credit_id)["paid"]["reference"], "TR-1");

    // Every write is audited under the operator who made it.
    let (_, log) = json_of(viewer.get("/admin/v1/campaigns/demo/audit").await).await;
    let entries: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["actor"] == moderator.email.as_str())
        .map(|r| {
            (
                r["action"].as_str().unwrap().into(),
                r["subject"].as_str().unwrap().into(),
                r["detail"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = vec![
        ("rewards.paid".into(), approved.credit_id.clone(), "TR-1".into()),
        ("rewards.approve".into(), pending.credit_id.clone(), "pending -> approved (checked)".into()),
        ("codes.import".into(), "referrer".into(), "new 1, duplicate 1, filled 0".into()),
        ("codes.import".into(), "referrer".into(), "new 2, duplicate 1, filled 1".into()),
    ];
    assert_eq!(entries, expected, "newest first");
}

#[tokio::test]
async fn embedded_an_operator_decides_imports_and_pays_through_the_admin_api() {
    an_operator_decides_imports_and_pays_through_the_admin_api(TestApp::spawn_with(rewards).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_an_operator_decides_imports_and_pays_through_the_admin_api() {
    an_operator_decides_imports_and_pays_through_the_admin_api(TestApp::spawn_aws_with(rewards).await).await;
}

#[tokio::test]
async fn a_bad_code_import_is_refused_whole_with_the_reason() {
    let app = TestApp::spawn_with(rewards).await;
    let owner = app.operator(Role::Owner, &[]).await;
    let long = "X".repeat(200);
    let (status, body) = import(&owner, "referrer", "text/plain", format!("OK-1\n{long}\nOK-2\n")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")), "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 2") && message.contains("nothing imported"), "{message}");
    assert!(!message.contains("XXXX"), "the code is not quoted: {message}");
    for (pool, content_type, body, status, code) in [
        ("prize", "text/plain", "A-1\n".to_string(), 404, "not_found"),
        ("winner", "text/plain", "A-1\n".to_string(), 404, "not_found"),
        ("referrer", "application/json", "[\"A-1\"]".to_string(), 415, "unsupported_media_type"),
        ("referrer", "text/plain", "\n\n".to_string(), 422, "validation_failed"),
        ("referrer", "text/csv", "A-1\n".repeat(1_100_000), 413, "body_too_large"),
    ] {
        let (got, answer) = import(&owner, pool, content_type, body).await;
        assert_eq!((got, answer["error"]["code"].as_str()), (status, Some(code)), "{pool} {content_type}: {answer}");
    }
    let (_, pools) = json_of(owner.get("/admin/v1/campaigns/demo/codes").await).await;
    assert_eq!(
        pools,
        json!([{"pool": "referrer", "available": 0, "assigned": 0, "awaiting": 0, "low_water": 1, "level": "dry"}])
    );
    let (_, log) = json_of(owner.get("/admin/v1/campaigns/demo/audit").await).await;
    assert_eq!(log, json!([]), "nothing changed, nothing audited");
}
