//! Duplicate receipts, on both backends: the same photo twice, or a second photo of the same
//! receipt (re-compressed, scaled, cropped) or the same photo downscaled, is rejected as `receipt_duplicate` under
//! `duplicates = "reject"` and waits for a person under `"review"`; a different receipt is
//! confirmed as before. Receipts are drawn in the test (`support/photos.rs`).

use serde_json::Value;
use vouch_server::config::Config;

use crate::helpers::{entry_body, TestApp};
use crate::photos::{downscaled, receipt, rephotographed};

fn duplicates(policy: &'static str) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap();
        std::fs::write(demo, format!("duplicates = \"{policy}\"\n{text}")).unwrap();
    }
}

/// Enters with `photo` as `email` and lets the worker decide: the entry's status body.
async fn enter(app: &TestApp, email: &str, photo: &[u8]) -> Value {
    let upload = app.uploaded("demo", photo, "image/jpeg").await;
    let res = app.entry("demo", &entry_body(email, Some(&upload)), &format!("k-{email}")).await;
    assert_eq!(res.status(), 202);
    let entry_id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    app.drain().await;
    app.status("demo", &entry_id).await
}

fn outcome(status: &Value) -> (&str, Option<&str>) {
    (status["status"].as_str().unwrap(), status["reason"].as_str())
}

async fn copies_are_rejected_and_other_receipts_confirmed(app: TestApp) {
    let first = enter(&app, "ana@example.com", &receipt(1)).await;
    assert_eq!(outcome(&first), ("confirmed", None));
    let again = enter(&app, "ben@example.com", &receipt(1)).await;
    assert_eq!(outcome(&again), ("rejected", Some("receipt_duplicate")), "the same file");
    let photo = enter(&app, "cem@example.com", &rephotographed(1)).await;
    assert_eq!(outcome(&photo), ("rejected", Some("receipt_duplicate")), "a second photo of it");
    // The widget downscales before upload: the hash does not care about scale.
    let smaller = enter(&app, "eli@example.com", &downscaled(1)).await;
    assert_eq!(outcome(&smaller), ("rejected", Some("receipt_duplicate")), "the same photo, downscaled");
    let other = enter(&app, "dora@example.com", &receipt(2)).await;
    assert_eq!(outcome(&other), ("confirmed", None), "a different receipt");

    // Only the confirmed entrants got a confirmation mail.
    let mut to: Vec<String> = app.mails().await.into_iter().map(|(to, _)| to).collect();
    to.sort();
    assert_eq!(to, ["ana@example.com", "dora@example.com"]);
    // The first entry stays confirmed: later copies do not make it one.
    assert_eq!(outcome(&app.status("demo", first["entry_id"].as_str().unwrap()).await), ("confirmed", None));
}

async fn copies_wait_for_review(app: TestApp) {
    let first = enter(&app, "ana@example.com", &receipt(3)).await;
    assert_eq!(outcome(&first), ("confirmed", None));
    let copy = enter(&app, "ben@example.com", &rephotographed(3)).await;
    assert_eq!(outcome(&copy), ("pending_review", None));
    // The reviewer sees which earlier entry it copies.
    let case = app.running.backends.moderation.case("demo", copy["entry_id"].as_str().unwrap()).await.unwrap();
    let case = case.expect("a review case");
    assert_eq!(case.duplicate_of.as_deref(), first["entry_id"].as_str());
    assert_eq!(case.signals, ["near_duplicate"]);
    let to: Vec<String> = app.mails().await.into_iter().map(|(to, _)| to).collect();
    assert_eq!(to, ["ana@example.com"], "no confirmation while a person has not decided");
}

async fn without_the_setting_a_copy_is_confirmed(app: TestApp) {
    assert_eq!(outcome(&enter(&app, "ana@example.com", &receipt(4)).await), ("confirmed", None));
    assert_eq!(outcome(&enter(&app, "ben@example.com", &receipt(4)).await), ("confirmed", None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_duplicate_receipts_are_rejected() {
    copies_are_rejected_and_other_receipts_confirmed(TestApp::spawn_with(duplicates("reject")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_duplicate_receipts_are_rejected() {
    copies_are_rejected_and_other_receipts_confirmed(TestApp::spawn_aws_with(duplicates("reject")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_duplicate_receipts_wait_for_review() {
    copies_wait_for_review(TestApp::spawn_with(duplicates("review")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_duplicate_receipts_wait_for_review() {
    copies_wait_for_review(TestApp::spawn_aws_with(duplicates("review")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_duplicates_are_not_checked_unless_the_campaign_asks() {
    without_the_setting_a_copy_is_confirmed(TestApp::spawn().await).await;
}
