//! Moderation, on both backends: under `moderation = "all"` every entry waits for a person, under
//! `"flagged"` only suspicious ones; a reviewer's decision shows on the status route, reaches the
//! shopper by e-mail in their language, and is in the audit log. A decision that contradicts an
//! earlier one is refused and changes nothing.

use serde_json::Value;
use vouch_core::moderation::Decision;
use vouch_server::campaigns::Campaigns;
use vouch_server::codes::fulfil::Fulfil;
use vouch_server::config::Config;
use vouch_server::review::{ReviewError, Reviews};

use crate::helpers::{entry_body, TestApp};
use crate::photos::receipt;

fn moderation(mode: &'static str) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap();
        std::fs::write(demo, format!("moderation = \"{mode}\"\n{text}")).unwrap();
    }
}

/// Enters as `email` (in `locale`) with a fresh receipt and lets the worker decide: the entry id.
async fn enter(app: &TestApp, email: &str, locale: &str, seed: u64) -> String {
    let upload = app.uploaded("demo", &receipt(seed), "image/jpeg").await;
    let mut body = entry_body(email, Some(&upload));
    body["locale"] = Value::from(locale);
    let res = app.entry("demo", &body, &format!("k-{email}")).await;
    assert_eq!(res.status(), 202);
    let entry_id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    app.drain().await;
    entry_id
}

async fn status(app: &TestApp, entry_id: &str) -> (String, Option<String>) {
    let s = app.status("demo", entry_id).await;
    (s["status"].as_str().unwrap().to_string(), s["reason"].as_str().map(str::to_string))
}

async fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails().await.into_iter().filter(|(t, _)| t == to).map(|(_, text)| text).collect()
}

fn reviews<'a>(app: &'a TestApp, campaigns: &'a Campaigns) -> Reviews<'a> {
    let b = &app.running.backends;
    // Leaked: a test's few reviews need the pools for as long as the test runs.
    let fulfil = Box::leak(Box::new(Fulfil::new(b.codes.clone(), b.code_watch.clone())));
    Reviews { store: b.store.as_ref(), moderation: b.moderation.as_ref(), mailer: b.mailer.as_ref(), campaigns, fulfil }
}

async fn every_entry_waits_then_is_approved(app: TestApp) {
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let id = enter(&app, "ana@example.com", "en", 11).await;
    assert_eq!(status(&app, &id).await, ("pending_review".into(), None));
    assert!(mails_to(&app, "ana@example.com").await.is_empty(), "no confirmation before the review");
    let listed = reviews(&app, &campaigns).pending(app.running.backends.search.as_ref(), "demo").await.unwrap();
    assert_eq!(listed.iter().map(|p| p.entry.entry_id.as_str()).collect::<Vec<_>>(), [id.as_str()]);

    reviews(&app, &campaigns).decide(&id, &Decision::Approve, "mia").await.unwrap();
    assert_eq!(status(&app, &id).await, ("approved".into(), None));
    // Approving again (a retry) is no error and sends no second mail.
    reviews(&app, &campaigns).decide(&id, &Decision::Approve, "mia").await.unwrap();
    let mails = mails_to(&app, "ana@example.com").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("is approved"), "{}", mails[0]);
    assert!(reviews(&app, &campaigns).pending(app.running.backends.search.as_ref(), "demo").await.unwrap().is_empty());

    let log = app.running.backends.moderation.list_audit("demo").await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].actor.as_str(), log[0].action.as_str(), log[0].subject.as_str()),
        ("mia", "review.approve", id.as_str())
    );
}

async fn a_rejection_reaches_a_german_shopper_in_german_and_cannot_be_overturned(app: TestApp) {
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let id = enter(&app, "jonas@example.de", "de", 12).await;
    let reject = Decision::reject("wrong_store", Some("Der Bon ist von einer Tankstelle.")).unwrap();
    reviews(&app, &campaigns).decide(&id, &reject, "mia").await.unwrap();
    assert_eq!(status(&app, &id).await, ("rejected".into(), Some("receipt_wrong_store".into())));
    let mails = mails_to(&app, "jonas@example.de").await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Wir konnten Ihre Teilnahme"), "{}", mails[0]);
    assert!(mails[0].contains("nicht aus einem teilnehmenden Geschäft"), "{}", mails[0]);
    assert!(mails[0].contains("Der Bon ist von einer Tankstelle."), "{}", mails[0]);

    // Approving the rejected entry is refused and changes nothing.
    let err = reviews(&app, &campaigns).decide(&id, &Decision::Approve, "sam").await.unwrap_err();
    assert!(matches!(err, ReviewError::NotPending { .. }), "{err}");
    assert!(err.to_string().contains("is rejected and not waiting for review"), "{err}");
    assert_eq!(status(&app, &id).await, ("rejected".into(), Some("receipt_wrong_store".into())));
    assert_eq!(mails_to(&app, "jonas@example.de").await.len(), 1);
    let log = app.running.backends.moderation.list_audit("demo").await.unwrap();
    assert_eq!(
        log.iter().map(|r| (r.action.as_str(), r.detail.as_str())).collect::<Vec<_>>(),
        [("review.reject", "wrong_store Der Bon ist von einer Tankstelle.")]
    );
    // An unknown entry is its own error.
    let err = reviews(&app, &campaigns).decide("ent_nope", &Decision::Approve, "sam").await.unwrap_err();
    assert!(matches!(err, ReviewError::UnknownEntry(_)), "{err}");
}

async fn only_a_disposable_mailbox_waits_when_flagged(app: TestApp) {
    let throwaway = enter(&app, "zoe@mailinator.com", "en", 13).await;
    let plain = enter(&app, "zoe@example.com", "en", 14).await;
    assert_eq!(status(&app, &throwaway).await.0, "pending_review");
    assert_eq!(status(&app, &plain).await.0, "confirmed");
    let case = app.running.backends.moderation.case("demo", &throwaway).await.unwrap().unwrap();
    assert_eq!(case.signals, ["disposable_email"]);
}

async fn a_burst_from_one_client_waits_when_flagged(app: TestApp) {
    let mut ids = Vec::new();
    for (i, seed) in (15..=18).enumerate() {
        ids.push(enter(&app, &format!("person{i}@example.com"), "en", seed).await);
    }
    let mut states = Vec::new();
    for id in &ids {
        states.push(status(&app, id).await.0);
    }
    assert_eq!(states, ["confirmed", "confirmed", "confirmed", "pending_review"]);
    let case = app.running.backends.moderation.case("demo", &ids[3]).await.unwrap().unwrap();
    assert_eq!(case.signals, ["client_burst"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_burst_from_one_client_waits_when_flagged() {
    a_burst_from_one_client_waits_when_flagged(TestApp::spawn_with(moderation("flagged")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_burst_from_one_client_waits_when_flagged() {
    a_burst_from_one_client_waits_when_flagged(TestApp::spawn_aws_with(moderation("flagged")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_every_entry_waits_then_is_approved() {
    every_entry_waits_then_is_approved(TestApp::spawn_with(moderation("all")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_every_entry_waits_then_is_approved() {
    every_entry_waits_then_is_approved(TestApp::spawn_aws_with(moderation("all")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_rejection_reaches_a_german_shopper_in_german_and_cannot_be_overturned() {
    a_rejection_reaches_a_german_shopper_in_german_and_cannot_be_overturned(
        TestApp::spawn_with(moderation("all")).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_rejection_reaches_a_german_shopper_in_german_and_cannot_be_overturned() {
    a_rejection_reaches_a_german_shopper_in_german_and_cannot_be_overturned(
        TestApp::spawn_aws_with(moderation("all")).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_only_a_disposable_mailbox_waits_when_flagged() {
    only_a_disposable_mailbox_waits_when_flagged(TestApp::spawn_with(moderation("flagged")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_only_a_disposable_mailbox_waits_when_flagged() {
    only_a_disposable_mailbox_waits_when_flagged(TestApp::spawn_aws_with(moderation("flagged")).await).await;
}
