//! A campaign's schedule: before it opens and after it closes, grants and entries get 422 with the
//! reason and nothing is stored; a shopper whose grant came before the close may still enter
//! during the grace. On both backends.

use std::time::Duration;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vouch_server::config::Config;

use crate::helpers::{entry_body, error_code, jpeg, TestApp};

/// The demo campaign with a window relative to now (seconds) and a grace in minutes.
fn schedule(opens_in: Option<i64>, closes_in: Option<i64>, grace_minutes: u32) -> impl FnOnce(&mut Config) {
    move |config| {
        let at = |secs: i64| (OffsetDateTime::now_utc() + time::Duration::seconds(secs)).format(&Rfc3339).unwrap();
        let mut head = format!("close_grace_minutes = {grace_minutes}\ntimezone = \"Europe/Berlin\"\n");
        if let Some(s) = opens_in {
            head += &format!("opens_at = \"{}\"\n", at(s));
        }
        if let Some(s) = closes_in {
            head += &format!("closes_at = \"{}\"\n", at(s));
        }
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap();
        std::fs::write(demo, head + &text).unwrap();
    }
}

async fn campaign(app: &TestApp) -> Value {
    app.client.get(app.url("/v1/campaigns/demo")).send().await.unwrap().json().await.unwrap()
}

/// Entries stored once everything queued is processed (on AWS the worker writes them).
async fn stored(app: &TestApp) -> usize {
    app.drain().await;
    app.running.backends.store.list_entries("demo").await.unwrap().len()
}

async fn not_yet_open_refuses_grants_and_entries(app: TestApp) {
    let public = campaign(&app).await;
    assert_eq!(public["state"], "not_yet_open");
    assert!(public["opens_at"].is_string() && public["closes_at"].is_string(), "{public}");
    assert_eq!(public["timezone"], "Europe/Berlin");
    let (status, error) = error_code(app.grant("demo", "image/jpeg", 1000).await).await;
    assert_eq!((status, error["code"].as_str().unwrap()), (422, "campaign_not_open"));
    let (status, error) = error_code(app.entry("demo", &entry_body("zoe@example.com", None), "k-early").await).await;
    assert_eq!((status, error["code"].as_str().unwrap()), (422, "campaign_not_open"));
    assert!(!error["message"].as_str().unwrap().is_empty());
    assert_eq!(stored(&app).await, 0);
}

async fn closed_refuses_grants_and_entries(app: TestApp) {
    assert_eq!(campaign(&app).await["state"], "closed");
    let (status, error) = error_code(app.grant("demo", "image/jpeg", 1000).await).await;
    assert_eq!((status, error["code"].as_str().unwrap()), (422, "campaign_closed"));
    let (status, error) = error_code(app.entry("demo", &entry_body("zoe@example.com", None), "k-late").await).await;
    assert_eq!((status, error["code"].as_str().unwrap()), (422, "campaign_closed"));
    assert_eq!(stored(&app).await, 0);
}

/// Waits until the campaign (closing `closes_in` seconds after spawn) has closed.
async fn past_the_close(app: &TestApp) {
    for _ in 0..100 {
        if campaign(app).await["state"] == "closed" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the campaign never closed");
}

async fn a_grant_from_before_the_close_may_enter_in_the_grace(app: TestApp) {
    assert_eq!(campaign(&app).await["state"], "open");
    let upload_id = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    past_the_close(&app).await;
    let (status, error) = error_code(app.grant("demo", "image/jpeg", 1000).await).await;
    assert_eq!((status, error["code"].as_str().unwrap()), (422, "campaign_closed"), "no new grants");
    let res = app.entry("demo", &entry_body("zoe@example.com", Some(&upload_id)), "k-grace").await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let again = app.entry("demo", &entry_body("zoe@example.com", Some(&upload_id)), "k-grace").await;
    assert_eq!(again.status(), 202, "a retry gets its answer");
    assert_eq!(stored(&app).await, 1);
}

async fn no_grace_means_a_grant_from_before_the_close_no_longer_enters(app: TestApp) {
    let upload_id = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    past_the_close(&app).await;
    let res = app.entry("demo", &entry_body("zoe@example.com", Some(&upload_id)), "k-after").await;
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["code"].as_str().unwrap()), (422, "campaign_closed"));
    assert_eq!(stored(&app).await, 0);
}

mod embedded {
    use super::*;

    #[tokio::test]
    async fn before_the_opening_grants_and_entries_are_refused() {
        not_yet_open_refuses_grants_and_entries(TestApp::spawn_with(schedule(Some(3600), Some(7200), 15)).await).await;
    }

    #[tokio::test]
    async fn after_the_close_grants_and_entries_are_refused() {
        closed_refuses_grants_and_entries(TestApp::spawn_with(schedule(Some(-7200), Some(-3600), 15)).await).await;
    }

    #[tokio::test]
    async fn an_entry_citing_an_earlier_grant_is_taken_within_the_grace() {
        a_grant_from_before_the_close_may_enter_in_the_grace(TestApp::spawn_with(schedule(None, Some(3), 15)).await)
            .await;
    }

    #[tokio::test]
    async fn after_the_grace_an_earlier_grant_no_longer_enters() {
        no_grace_means_a_grant_from_before_the_close_no_longer_enters(
            TestApp::spawn_with(schedule(None, Some(3), 0)).await,
        )
        .await;
    }
}

mod aws {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn before_the_opening_grants_and_entries_are_refused() {
        not_yet_open_refuses_grants_and_entries(TestApp::spawn_aws_with(schedule(Some(3600), Some(7200), 15)).await)
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn after_the_close_grants_and_entries_are_refused() {
        closed_refuses_grants_and_entries(TestApp::spawn_aws_with(schedule(Some(-7200), Some(-3600), 15)).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_entry_citing_an_earlier_grant_is_taken_within_the_grace() {
        a_grant_from_before_the_close_may_enter_in_the_grace(
            TestApp::spawn_aws_with(schedule(None, Some(6), 15)).await,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn after_the_grace_an_earlier_grant_no_longer_enters() {
        no_grace_means_a_grant_from_before_the_close_no_longer_enters(
            TestApp::spawn_aws_with(schedule(None, Some(6), 0)).await,
        )
        .await;
    }
}
