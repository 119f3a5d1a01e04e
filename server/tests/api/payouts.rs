//! Payouts by hand through the operator commands (`vouch rewards payouts`, `mark-paid`, `list`)
//! and `vouch entries export` with and without codes, on both backends.

use serde_json::{json, Value};
use vouch_core::codes::Pool;
use vouch_core::rewards::{CreditState, Side};
use vouch_server::backends::referrals::Credit;
use vouch_server::campaigns::Campaigns;
use vouch_server::config::Config;
use vouch_server::crypto::sha256_hex;
use vouch_server::entries::export;
use vouch_server::payouts::{self, MarkPaidArgs, PayoutFormat, PayoutsArgs};

use crate::helpers::{entry_body, jpeg, TestApp};

const SECRET: &str = "vm_test_merchant_secret";

/// The demo campaign pays referrers 5 EUR and hands every entry a code.
fn cash_reward(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let text = text.replace("referrer_reward = \"10 % off your next order\"", "referrer_reward = \"5 EUR\"");
    std::fs::write(demo, format!("{text}\n[codes.entry]\n")).unwrap();
}

fn campaigns(app: &TestApp) -> Campaigns {
    Campaigns::load_dir(&app.config.campaigns_dir).unwrap()
}

async fn join(app: &TestApp, first_name: &str, email: &str) -> String {
    let body = json!({"first_name": first_name, "email": email, "consents": {"terms": true}});
    let res = app.post_json("/v1/campaigns/demo/referrers", &body, None).await;
    let joined: Value = res.json().await.unwrap();
    joined["referral_code"].as_str().unwrap().to_string()
}

async fn convert(app: &TestApp, order_id: &str, email: &str, code: &str) {
    let body = json!({"campaign": "demo", "order_id": order_id, "email": email, "referral_code": code, "amount": 49.9, "currency": "EUR"});
    let res = app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 202);
}

/// Anna's approved credit (o-1), and the pending credits of a friend with a throwaway mailbox
/// (o-2): (Anna's approved referrer credit, its friend credit, the pending referrer credit).
pub async fn ledger(app: &TestApp) -> (Credit, Credit, Credit) {
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let code = join(app, "Anna", "anna@example.com").await;
    convert(app, "o-1", "ben@example.com", &code).await;
    convert(app, "o-2", "x@mailinator.com", &code).await;
    app.drain().await;
    let credits = app.running.backends.referrals.list_credits("demo").await.unwrap();
    let find = |side: Side, state: CreditState| {
        credits.iter().find(|c| c.side == side && c.state == state).cloned().unwrap_or_else(|| panic!("{credits:?}"))
    };
    (
        find(Side::Referrer, CreditState::Approved),
        find(Side::Friend, CreditState::Approved),
        find(Side::Referrer, CreditState::Pending),
    )
}

async fn due(app: &TestApp, format: PayoutFormat) -> String {
    let args = PayoutsArgs { campaign: "demo".into(), format };
    let mut out = Vec::new();
    payouts::list(app.running.backends.payouts.as_ref(), &campaigns(app), args, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

fn mark(file: Option<std::path::PathBuf>, ids: &[&str], reference: &str) -> MarkPaidArgs {
    MarkPaidArgs {
        campaign: "demo".into(),
        file,
        credit_ids: ids.iter().map(|s| s.to_string()).collect(),
        reference: reference.into(),
        by: Some("mia".into()),
    }
}

async fn mark_paid(app: &TestApp, args: MarkPaidArgs) -> (String, Result<(), String>) {
    let mut out = Vec::new();
    let result = payouts::mark_paid(app.running.backends.payouts.as_ref(), &campaigns(app), args, &mut out).await;
    (String::from_utf8(out).unwrap(), result.map_err(|e| format!("{e:#}")))
}

async fn listed(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    let b = &app.running.backends;
    payouts::list_credits(b.referrals.as_ref(), b.payouts.as_ref(), "demo", &mut out).await.unwrap();
    serde_json::from_slice(&out).unwrap()
}

async fn paid_audit(app: &TestApp) -> Vec<(String, String, String)> {
    let audit = app.running.backends.moderation.list_audit("demo").await.unwrap();
    audit.into_iter().filter(|r| r.action == "rewards.paid").map(|r| (r.actor, r.subject, r.detail)).collect()
}

async fn the_payouts_list_is_paid_from_its_own_file_once(app: TestApp) {
    let (anna, _, _) = ledger(&app).await;
    let csv = due(&app, PayoutFormat::Csv).await;
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        rows.headers().unwrap().iter().collect::<Vec<_>>(),
        ["credit_id", "email", "first_name", "reward", "amount_minor", "currency", "approved_at"]
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "only the approved referrer credit: {csv}");
    let row: Vec<&str> = rows[0].iter().collect();
    assert_eq!(row[..6], [anna.credit_id.as_str(), "anna@example.com", "Anna", "5 EUR", "500", "EUR"]);
    assert!(row[6].ends_with('Z'), "an ISO timestamp: {}", row[6]);
    let json: Value = serde_json::from_str(&due(&app, PayoutFormat::Json).await).unwrap();
    assert_eq!(json[0]["amount_minor"], 500);

    // The operator pays, then hands the same file back.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payouts.csv");
    std::fs::write(&file, &csv).unwrap();
    let (out, result) = mark_paid(&app, mark(Some(file.clone()), &[], "SEPA-2026-11")).await;
    assert_eq!(result, Ok(()));
    assert_eq!(out, format!("{}: paid (SEPA-2026-11)\n", anna.credit_id));
    assert_eq!(due(&app, PayoutFormat::Json).await.trim(), "[]", "a paid credit is no longer due");
    let audit = paid_audit(&app).await;
    assert_eq!(audit, [("mia".to_string(), anna.credit_id.clone(), "SEPA-2026-11".to_string())]);

    let credits = listed(&app).await;
    let paid = credits.iter().find(|c| c["credit_id"] == anna.credit_id.as_str()).unwrap();
    assert_eq!((paid["paid_reference"].as_str(), paid["paid_by"].as_str()), (Some("SEPA-2026-11"), Some("mia")));
    assert!(credits
        .iter()
        .filter(|c| c["credit_id"] != anna.credit_id.as_str())
        .all(|c| c["paid_reference"].is_null()));

    // The same file again, or the id with another reference: already paid, no second record.
    let (out, result) = mark_paid(&app, mark(None, &[&anna.credit_id], "SEPA-AGAIN")).await;
    assert_eq!(result, Ok(()));
    assert_eq!(out, format!("{}: already paid (SEPA-2026-11, by mia)\n", anna.credit_id));
    mark_paid(&app, mark(Some(file), &[], "SEPA-2026-11")).await.1.unwrap();
    assert_eq!(paid_audit(&app).await, audit);
}

async fn bad_input_to_mark_paid_changes_nothing(app: TestApp) {
    let (anna, friend, pending) = ledger(&app).await;
    let ids = [anna.credit_id.as_str(), "cr_unknown_referrer", &friend.credit_id, &pending.credit_id];
    let (out, result) = mark_paid(&app, mark(None, &ids, "SEPA-1")).await;
    assert_eq!(result, Err("3 credit(s) cannot be paid; nothing was marked paid".to_string()));
    assert_eq!(
        out,
        format!(
            "cr_unknown_referrer: no such credit in this campaign\n{}: a friend's credit, not a referrer's reward\n{}: the credit is pending, not approved\n",
            friend.credit_id, pending.credit_id
        )
    );

    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "credit_id\n\n").unwrap();
    let (_, result) = mark_paid(&app, mark(Some(empty), &[], "SEPA-1")).await;
    assert!(result.unwrap_err().contains("no credit ids in the file; nothing was marked paid"));
    let binary = dir.path().join("ids.bin");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x81]).unwrap();
    let (_, result) = mark_paid(&app, mark(Some(binary), &[], "SEPA-1")).await;
    assert!(result.unwrap_err().contains("not a text file"));
    for reference in ["", "a\nb", &"x".repeat(129)] {
        let (_, result) = mark_paid(&app, mark(None, &[&anna.credit_id], reference)).await;
        assert!(result.unwrap_err().contains("nothing was marked paid"), "{reference:?}");
    }
    let unknown_campaign = MarkPaidArgs { campaign: "nope".into(), ..mark(None, &[&anna.credit_id], "SEPA-1") };
    assert!(mark_paid(&app, unknown_campaign).await.1.is_err());

    assert!(app.running.backends.payouts.payouts("demo").await.unwrap().is_empty());
    assert!(paid_audit(&app).await.is_empty());
    assert!(due(&app, PayoutFormat::Csv).await.contains(&anna.credit_id), "still due");
}

async fn export(app: &TestApp, json: bool, include_codes: bool) -> String {
    let b = &app.running.backends;
    let mut out = Vec::new();
    export::export(b.store.as_ref(), b.search.as_ref(), b.codes.as_ref(), "demo", json, include_codes, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

async fn the_export_carries_codes_only_when_asked(app: TestApp) {
    // One code in the entry pool: the first entry gets it when the worker confirms it, the second
    // waits for more.
    app.running.backends.codes.import("demo", Pool::Entry, &["SHOP-SECRET-1".to_string()]).await.unwrap();
    let mut ids = Vec::new();
    for (key, email) in [("k-1", "zoe@example.com"), ("k-2", "max@example.com")] {
        let upload = app.uploaded("demo", &jpeg(64, 64), "image/jpeg").await;
        let res: Value = app.entry("demo", &entry_body(email, Some(&upload)), key).await.json().await.unwrap();
        ids.push(res["entry_id"].as_str().unwrap().to_string());
        app.drain().await;
    }

    for json in [false, true] {
        let plain = export(&app, json, false).await;
        assert!(!plain.contains("SHOP-SECRET-1") && !plain.contains("\"code\""), "{plain}");
    }
    let csv = export(&app, false, true).await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().next_back(), Some("code"));
    let rows: Vec<(String, String)> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[r.len() - 1].to_string())).collect();
    assert!(rows.contains(&(ids[0].clone(), "SHOP-SECRET-1".to_string())), "{rows:?}");
    assert!(rows.contains(&(ids[1].clone(), String::new())), "an entry without a code has an empty cell");
    let json: Vec<Value> = serde_json::from_str(&export(&app, true, true).await).unwrap();
    let code_of = |id: &str| json.iter().find(|e| e["entry_id"] == id).unwrap()["code"].clone();
    assert_eq!((code_of(&ids[0]), code_of(&ids[1])), (json!("SHOP-SECRET-1"), Value::Null));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_the_payouts_list_is_paid_from_its_own_file_once() {
    the_payouts_list_is_paid_from_its_own_file_once(TestApp::spawn_with(cash_reward).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_the_payouts_list_is_paid_from_its_own_file_once() {
    the_payouts_list_is_paid_from_its_own_file_once(TestApp::spawn_aws_with(cash_reward).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_bad_input_to_mark_paid_changes_nothing() {
    bad_input_to_mark_paid_changes_nothing(TestApp::spawn_with(cash_reward).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_bad_input_to_mark_paid_changes_nothing() {
    bad_input_to_mark_paid_changes_nothing(TestApp::spawn_aws_with(cash_reward).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_the_export_carries_codes_only_when_asked() {
    the_export_carries_codes_only_when_asked(TestApp::spawn_with(cash_reward).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_the_export_carries_codes_only_when_asked() {
    the_export_carries_codes_only_when_asked(TestApp::spawn_aws_with(cash_reward).await).await;
}
