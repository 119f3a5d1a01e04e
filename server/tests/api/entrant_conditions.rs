//! Who may enter: a minimum age (by date of birth or a confirmation box) and an allow-list of
//! postal countries. A refused entry gets its field and code, and nothing is queued or stored.
//! On both backends.

use serde_json::Value;
use vouch_core::age::CivilDate;
use vouch_server::config::Config;

use crate::helpers::{entry_body, error_code, jpeg, TestApp};

fn with_form(config: &mut Config, settings: &str) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(demo, text.replacen("[form]\n", &format!("[form]\n{settings}\n"), 1)).unwrap();
}

fn adult_by_birth_date(config: &mut Config) {
    with_form(config, "min_age = 18\nage_check = \"date_of_birth\"");
}

fn adult_by_confirmation(config: &mut Config) {
    with_form(config, "min_age = 21\nage_check = \"confirmation\"");
}

fn dach_only(config: &mut Config) {
    with_form(config, "countries = [\"DE\", \"AT\", \"CH\"]");
}

/// The birth date of someone `years` old today (UTC), or of someone turning that age tomorrow.
fn born(years: i32, tomorrow: bool) -> String {
    let shift = if tomorrow { 86_400_000 } else { 0 };
    let d = CivilDate::from_unix_ms(vouch_server::clock::now_ms() + shift);
    // 29 February `years` ago may not exist: the day before keeps the age, the day after stays short.
    let (month, day) = match (d.month, d.day) {
        (2, 29) if tomorrow => (3, 1),
        (2, 29) => (2, 28),
        other => other,
    };
    format!("{:04}-{month:02}-{day:02}", d.year - years)
}

async fn send(app: &TestApp, key: &str, edit: impl FnOnce(&mut Value)) -> reqwest::Response {
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    let mut body = entry_body(&format!("{key}@example.com"), Some(&upload));
    edit(&mut body);
    app.entry("demo", &body, key).await
}

async fn refused_with(res: reqwest::Response, field: &str, code: &str) {
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("validation_failed")), "{error}");
    let fields: Vec<(&str, &str)> = error["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert_eq!(fields, vec![(field, code)], "{error}");
}

async fn stored(app: &TestApp) -> Vec<String> {
    app.drain().await;
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    entries.into_iter().map(|e| e.entrant.email).collect()
}

async fn a_birth_date_must_show_the_minimum_age(app: TestApp) {
    let young = send(&app, "young", |b| b["fields"]["date_of_birth"] = born(18, true).into()).await;
    refused_with(young, "date_of_birth", "too_young").await;
    let missing = send(&app, "missing", |_| {}).await;
    refused_with(missing, "date_of_birth", "required").await;
    let unreal = send(&app, "unreal", |b| b["fields"]["date_of_birth"] = "2001-02-29".into()).await;
    refused_with(unreal, "date_of_birth", "invalid_date").await;
    assert_eq!(app.queue("entries").stats().await.unwrap().ready, 0, "a refused entry is not queued");
    let adult = send(&app, "adult", |b| b["fields"]["date_of_birth"] = born(18, false).into()).await;
    assert_eq!(adult.status(), 202, "18 today is old enough");
    assert_eq!(stored(&app).await, vec!["adult@example.com"]);
}

async fn an_age_confirmation_must_be_ticked(app: TestApp) {
    let unticked = send(&app, "unticked", |_| {}).await;
    refused_with(unticked, "age_confirmation", "age_confirmation_required").await;
    let ticked = send(&app, "ticked", |b| b["consents"]["age_confirmed"] = true.into()).await;
    assert_eq!(ticked.status(), 202);
    assert_eq!(stored(&app).await, vec!["ticked@example.com"]);
}

async fn only_listed_countries_may_enter(app: TestApp) {
    let public: Value = app.client.get(app.url("/v1/campaigns/demo")).send().await.unwrap().json().await.unwrap();
    assert_eq!(public["form"]["countries"], serde_json::json!(["DE", "AT", "CH"]), "the widget learns the list");
    let france = send(&app, "france", |b| b["fields"]["country"] = "FR".into()).await;
    refused_with(france, "country", "country_not_eligible").await;
    let none = send(&app, "none", |_| {}).await;
    refused_with(none, "country", "required").await;
    let austria = send(&app, "austria", |b| b["fields"]["country"] = "at".into()).await;
    assert_eq!(austria.status(), 202);
    assert_eq!(stored(&app).await, vec!["austria@example.com"]);
}

#[tokio::test]
async fn embedded_a_birth_date_must_show_the_minimum_age() {
    a_birth_date_must_show_the_minimum_age(TestApp::spawn_with(adult_by_birth_date).await).await;
}

#[tokio::test]
async fn aws_a_birth_date_must_show_the_minimum_age() {
    a_birth_date_must_show_the_minimum_age(TestApp::spawn_aws_with(adult_by_birth_date).await).await;
}

#[tokio::test]
async fn embedded_an_age_confirmation_must_be_ticked() {
    an_age_confirmation_must_be_ticked(TestApp::spawn_with(adult_by_confirmation).await).await;
}

#[tokio::test]
async fn aws_an_age_confirmation_must_be_ticked() {
    an_age_confirmation_must_be_ticked(TestApp::spawn_aws_with(adult_by_confirmation).await).await;
}

#[tokio::test]
async fn embedded_only_listed_countries_may_enter() {
    only_listed_countries_may_enter(TestApp::spawn_with(dach_only).await).await;
}

#[tokio::test]
async fn aws_only_listed_countries_may_enter() {
    only_listed_countries_may_enter(TestApp::spawn_aws_with(dach_only).await).await;
}

/// A date of birth is personal data: it appears in no log line, whether the entry is refused or
/// taken (every event at debug level, captured as `logs.rs` does).
#[tokio::test]
async fn a_date_of_birth_is_never_logged() {
    let logs = crate::logs::capture();
    let app = TestApp::spawn_with(adult_by_birth_date).await;
    let young = born(18, true);
    let adult = "1987-03-14";
    refused_with(
        send(&app, "young", |b| b["fields"]["date_of_birth"] = young.clone().into()).await,
        "date_of_birth",
        "too_young",
    )
    .await;
    assert_eq!(send(&app, "adult", |b| b["fields"]["date_of_birth"] = adult.into()).await.status(), 202);
    assert_eq!(stored(&app).await, vec!["adult@example.com"]);
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(text.contains("entry"), "the capture holds the flow's log lines");
    for dob in [young.as_str(), adult, &young.replace('-', ""), "19870314"] {
        assert!(!text.contains(dob), "{dob} was logged");
    }
}
