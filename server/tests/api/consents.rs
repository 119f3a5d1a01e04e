//! Consent records and the marketing double opt-in, on both backends: the words shown with their
//! version, language and page; a change of wording; the German opt-in mail; the link confirming
//! once, twice harmlessly, and refusing (changing nothing) when expired or altered.

use serde_json::{json, Value};
use vouch_core::admin::Role;
use vouch_core::consent::{wording_version, ConsentKind, MarketingState};
use vouch_core::i18n::Locale;
use vouch_server::app::secrets::Secrets;
use vouch_server::app::start;
use vouch_server::backends::consents::ConsentRecord;
use vouch_server::campaigns::Campaigns;
use vouch_server::config::Config;
use vouch_server::consents::consents_of_mailbox;
use vouch_server::consents::optin::OptInLinks;

use crate::helpers::{entry_body, TestApp, SHOP};

const TERMS_DE: &str = "Ich akzeptiere die Teilnahmebedingungen.";
const NEWS_DE: &str = "Schicken Sie mir Neuigkeiten und Angebote.";
const DAY_MS: i64 = 86_400_000;

/// The `open` campaign (no receipt) with German words of its own.
fn german_words(config: &mut Config) {
    let path = config.campaigns_dir.join("open.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("[translations.de]\nterms_label = \"{TERMS_DE}\"\nmarketing_label = \"{NEWS_DE}\"\n"));
    std::fs::write(path, text).unwrap();
}

fn german_entry(email: &str) -> Value {
    let mut body = entry_body(email, None);
    body["consents"] = json!({"terms": true, "marketing": true, "storage": true});
    body["locale"] = json!("de");
    body
}

async fn records(app: &TestApp, email: &str) -> Vec<ConsentRecord> {
    consents_of_mailbox(app.running.backends.consents.as_ref(), email, Some("open")).await.unwrap()
}

async fn enter(app: &TestApp, email: &str, key: &str) -> String {
    let res = app.entry("open", &german_entry(email), key).await;
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    app.drain().await;
    id
}

/// The opt-in mails to `to`, each as the path and query of its link.
async fn optin_links(app: &TestApp, to: &str) -> Vec<String> {
    let mails = app.mails().await;
    mails
        .iter()
        .filter(|(t, text)| t == to && text.contains("/v1/consents/confirm?token="))
        .map(|(_, text)| {
            let at = text.find("/v1/consents/confirm?token=").unwrap();
            text[at..].split_whitespace().next().unwrap().to_string()
        })
        .collect()
}

pub(crate) async fn open_link(app: &TestApp, path: &str, json: bool) -> (u16, String) {
    let mut req = app.client.get(app.url(path)).header("Accept-Language", "en");
    if json {
        req = req.header("Accept", "application/json");
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn marketing_of(app: &TestApp, email: &str, entry: &str) -> Option<i64> {
    let all = records(app, email).await;
    let m = all.iter().find(|r| r.source == entry && r.kind == ConsentKind::Marketing).expect("a marketing record");
    m.confirmed_at_ms
}

async fn consents_are_recorded_with_their_words_language_and_origin(app: TestApp) {
    let email = "Zoe.Consent@example.com";
    let first = enter(&app, email, "k-consent-1").await;
    let shown = records(&app, "zoe.consent@EXAMPLE.com").await;
    let kinds: Vec<ConsentKind> = shown.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ConsentKind::Terms, ConsentKind::Marketing, ConsentKind::Storage]);
    for r in &shown {
        assert_eq!((r.source.as_str(), r.locale, r.origin.as_deref()), (first.as_str(), Locale::De, Some(SHOP)));
        assert_eq!(r.version, wording_version(&r.label), "the version names the words");
    }
    assert_eq!((shown[0].label.as_str(), shown[1].label.as_str()), (TERMS_DE, NEWS_DE));
    assert!(shown[2].label.contains("Browser"), "the storage wording in German: {}", shown[2].label);
    assert_eq!(shown[1].marketing_state(), Some(MarketingState::Pending), "marketing waits for the link");

    // The merchant rewords the terms; the server restarts with the new words.
    let path = app.config.campaigns_dir.join("open.toml");
    let reworded = std::fs::read_to_string(&path).unwrap().replace(TERMS_DE, "Ich akzeptiere die neuen Bedingungen.");
    std::fs::write(&path, reworded).unwrap();
    let second = start::start(&app.config).await.unwrap();
    let res = app
        .client
        .post(format!("{}/v1/campaigns/open/entries", second.bff_url()))
        .header("Origin", SHOP)
        .header("Idempotency-Key", "k-consent-2")
        .json(&german_entry(email))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    start::worker(&app.config, &second.backends, campaigns).drain().await.unwrap();

    let after = records(&app, email).await;
    let terms: Vec<&ConsentRecord> = after.iter().filter(|r| r.kind == ConsentKind::Terms).collect();
    assert_eq!(terms.len(), 2);
    assert_eq!(*terms[0], shown[0], "the old record keeps the words the shopper saw");
    assert_eq!(terms[1].label, "Ich akzeptiere die neuen Bedingungen.");
    assert_ne!(terms[1].version, terms[0].version, "new words, new version");
    let news: Vec<&ConsentRecord> = after.iter().filter(|r| r.kind == ConsentKind::Marketing).collect();
    assert_eq!(news[0].version, news[1].version, "unchanged words keep their version");
    second.shutdown().await;
}

async fn the_optin_link_confirms_once_and_refuses_expired_or_altered_links(app: TestApp) {
    let email = "lena@example.de";
    let entry = enter(&app, email, "k-optin-1").await;
    app.drain().await;
    let links = optin_links(&app, email).await;
    assert_eq!(links.len(), 1, "one opt-in mail");
    let mail = app.mails().await.into_iter().find(|(to, t)| to == email && t.contains("/v1/consents/")).unwrap().1;
    assert!(mail.contains("Bitte bestätigen Sie") && mail.contains("7 Tage"), "in German: {mail}");

    let admin = app.operator(Role::Viewer, &["open"]).await;
    let detail = |admin: &crate::admin_helpers::AdminClient, id: String| {
        let admin = admin.clone();
        async move {
            let res = admin.get(&format!("/admin/v1/campaigns/open/entries/{id}")).await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()["consents"].clone()
        }
    };
    let before = detail(&admin, entry.clone()).await;
    assert_eq!(before["marketing_state"], "pending");
    assert_eq!(before["records"].as_array().unwrap().len(), 3);

    // An altered link: refused, nothing changes.
    let link = &links[0];
    let mut altered = link.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let (status, body) = open_link(&app, &altered, true).await;
    assert_eq!(status, 400);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], "opt_in_link_invalid");
    let (status, page) = open_link(&app, &altered, false).await;
    assert_eq!(status, 400);
    assert!(page.contains("not valid"), "{page}");
    // A link of ours that is eight days old: expired, nothing changes.
    let secrets = Secrets::load_or_create(&app.config.data_dir).unwrap();
    let links_of_the_server = OptInLinks::new(secrets.optin_key.as_bytes(), 7, "");
    let record = ConsentRecord::id(&entry, ConsentKind::Marketing);
    let old = links_of_the_server.url(&links_of_the_server.token(
        &record,
        Locale::De,
        vouch_server::clock::now_ms() - 8 * DAY_MS,
    ));
    let (status, body) = open_link(&app, &old, true).await;
    assert_eq!(status, 410);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["code"], "opt_in_link_expired");
    let (status, page) = open_link(&app, &old, false).await;
    assert_eq!(status, 410);
    assert!(page.contains("lang=\"de\"") && page.contains("abgelaufen"), "{page}");
    assert_eq!(marketing_of(&app, email, &entry).await, None, "still pending");

    // The mailed link: confirmed, in German; again: already confirmed, nothing changes.
    let (status, page) = open_link(&app, link, false).await;
    assert_eq!(status, 200);
    assert!(page.contains("lang=\"de\"") && page.contains("Vielen Dank"), "{page}");
    let confirmed = marketing_of(&app, email, &entry).await.expect("confirmed");
    let (status, page) = open_link(&app, link, false).await;
    assert_eq!(status, 200);
    assert!(page.contains("bereits bestätigt"), "{page}");
    let (status, body) = open_link(&app, link, true).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["status"], "already_confirmed");
    assert_eq!(marketing_of(&app, email, &entry).await, Some(confirmed), "the first confirmation stands");
    let after = detail(&admin, entry.clone()).await;
    assert_eq!(after["marketing_state"], "confirmed");
    assert!(after["marketing_confirmed_at"].as_str().is_some_and(|t| t.ends_with('Z')));

    // A later entry by the confirmed mailbox gets no new opt-in mail.
    enter(&app, email, "k-optin-2").await;
    assert_eq!(optin_links(&app, email).await.len(), 1);
}

async fn a_join_records_its_consents_under_the_referrer(app: TestApp) {
    let body = json!({"first_name": "Jonas", "email": "Jonas@example.de", "locale": "de",
        "consents": {"terms": true, "storage": true}});
    let res = app.post_json("/v1/campaigns/demo/referrers", &body, None).await;
    assert_eq!(res.status(), 201);
    // A repeat join (another device) adds nothing.
    assert_eq!(app.post_json("/v1/campaigns/demo/referrers", &body, None).await.status(), 200);
    let all = consents_of_mailbox(app.running.backends.consents.as_ref(), "jonas@example.de", None).await.unwrap();
    let kinds: Vec<ConsentKind> = all.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [ConsentKind::Terms, ConsentKind::Storage]);
    let terms = &all[0];
    assert!(terms.source.starts_with("ref_"), "{}", terms.source);
    assert_eq!((terms.campaign.as_str(), terms.locale, terms.origin.as_deref()), ("demo", Locale::De, Some(SHOP)));
    let words = vouch_core::i18n::ui(vouch_core::i18n::Ui::ReferralTerms, Locale::De);
    assert_eq!((terms.label.as_str(), terms.version.clone()), (words, wording_version(words)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_records_its_consents() {
    a_join_records_its_consents_under_the_referrer(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_records_its_consents_on_aws() {
    a_join_records_its_consents_under_the_referrer(TestApp::spawn_aws().await).await;
}

async fn german(aws: bool) -> TestApp {
    if aws {
        TestApp::spawn_aws_with(german_words).await
    } else {
        TestApp::spawn_with(german_words).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consents_keep_their_words_version_language_and_origin() {
    consents_are_recorded_with_their_words_language_and_origin(german(false).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consents_keep_their_words_version_language_and_origin_on_aws() {
    consents_are_recorded_with_their_words_language_and_origin(german(true).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_optin_link_confirms_once() {
    the_optin_link_confirms_once_and_refuses_expired_or_altered_links(german(false).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_optin_link_confirms_once_on_aws() {
    the_optin_link_confirms_once_and_refuses_expired_or_altered_links(german(true).await).await;
}
