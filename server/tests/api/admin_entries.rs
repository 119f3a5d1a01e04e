//! The console's entries: searched by e-mail or name, filtered by status and date, paged without
//! repeats; one entry opened with its fields, review case, audit trail and receipt (links that
//! load without credentials and a thumbnail); the same filter exported as CSV, streamed.

use std::collections::BTreeSet;

use serde_json::Value;
use vouch_core::admin::Role;
use vouch_core::moderation::Decision;
use vouch_server::backends::StoredEntry;
use vouch_server::campaigns::Campaigns;
use vouch_server::codes::fulfil::Fulfil;
use vouch_server::config::Config;
use vouch_server::review::Reviews;

use crate::admin_helpers::AdminClient;
use crate::helpers::{entry_body, TestApp};
use crate::photos::receipt;

fn review_everything(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(demo, format!("moderation = \"all\"\n{text}")).unwrap();
}

/// Enters `first last <email>` with a fresh receipt and lets the worker decide: the entry id.
async fn enter(app: &TestApp, first: &str, email: &str, seed: u64) -> String {
    let upload = app.uploaded("demo", &receipt(seed), "image/jpeg").await;
    let mut body = entry_body(email, Some(&upload));
    body["fields"]["first_name"] = Value::from(first);
    body["consents"]["marketing"] = Value::from(seed.is_multiple_of(2));
    let res = app.entry("demo", &body, &format!("k-{email}")).await;
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    app.drain().await;
    id
}

async fn page(client: &AdminClient, query: &str) -> Value {
    let res = client.get(&format!("/admin/v1/campaigns/demo/entries?{query}")).await;
    assert_eq!(res.status(), 200, "{query}");
    res.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["entries"].as_array().unwrap().iter().map(|e| e["entry_id"].as_str().unwrap().to_string()).collect()
}

async fn entries_are_found_filtered_and_paged(app: TestApp) {
    let anna = enter(&app, "Anna", "anna@example.com", 1).await;
    let bert = enter(&app, "Bert", "bert@example.com", 2).await;
    let carl = enter(&app, "Carl", "carl@example.com", 3).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;

    let first = page(&viewer, "limit=2").await;
    assert_eq!(ids(&first), [carl.clone(), bert.clone()], "newest first");
    assert_eq!(first["entries"][0]["email"], "carl@example.com");
    assert_eq!(first["entries"][0]["status"], "confirmed");
    assert_eq!(first["entries"][0]["has_receipt"], true);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = page(&viewer, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&second), [anna.as_str()]);

    assert_eq!(ids(&page(&viewer, "q=BERT@example.com").await), [bert.as_str()], "an e-mail in any case");
    assert_eq!(ids(&page(&viewer, "q=an").await), [anna.as_str()], "the start of a name");
    assert_eq!(ids(&page(&viewer, "status=confirmed&limit=10").await).len(), 3);
    assert!(ids(&page(&viewer, "status=rejected").await).is_empty());
    assert!(ids(&page(&viewer, "from=2099-01-01").await).is_empty());
    assert_eq!(ids(&page(&viewer, "to=2099-01-01&from=2020-01-01").await).len(), 3);

    for (query, param) in [
        ("status=won", "status"),
        ("from=yesterday", "from"),
        ("limit=0", "limit"),
        ("limit=5000", "limit"),
        ("cursor=junk!", "cursor"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("status=accepted", "status"),
        ("from=2026-12-02&to=2026-12-01", "from"),
    ] {
        let res = viewer.get(&format!("/admin/v1/campaigns/demo/entries?{query}")).await;
        assert_eq!(res.status(), 422, "{query}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(body["error"]["message"].as_str().unwrap().starts_with(&format!("{param} ")), "{body}");
    }
    // A query string that cannot be read as parameters: 400, naming the one given twice.
    let res = viewer.get("/admin/v1/campaigns/demo/entries?status=confirmed&status=rejected").await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_query");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("status "), "{body}");
}

#[tokio::test]
async fn entries_are_found_filtered_and_paged_embedded() {
    entries_are_found_filtered_and_paged(TestApp::spawn().await).await;
}

#[tokio::test]
async fn entries_are_found_filtered_and_paged_aws() {
    entries_are_found_filtered_and_paged(TestApp::spawn_aws().await).await;
}

async fn an_opened_entry_shows_its_review_audit_trail_and_receipt(app: TestApp) {
    let id = enter(&app, "Anna", "anna@example.com", 4).await;
    let other = enter(&app, "Bert", "bert@example.com", 5).await;
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let b = &app.running.backends;
    let fulfil = Fulfil::new(b.codes.clone(), b.code_watch.clone());
    let reviews = Reviews {
        store: b.store.as_ref(),
        moderation: b.moderation.as_ref(),
        mailer: b.mailer.as_ref(),
        campaigns: &campaigns,
        fulfil: &fulfil,
    };
    reviews.decide(&id, &Decision::Approve, "mia@staff.example").await.unwrap();
    reviews.decide(&other, &Decision::Approve, "mia@staff.example").await.unwrap();

    let moderator = app.operator(Role::Moderator, &["demo"]).await;
    let res = moderator.get(&format!("/admin/v1/campaigns/demo/entries/{id}")).await;
    assert_eq!(res.status(), 200);
    let entry: Value = res.json().await.unwrap();
    assert_eq!(entry["status"], "approved");
    assert_eq!(entry["fields"]["first_name"], "Anna");
    assert_eq!(entry["fields"]["email"], "anna@example.com");
    assert_eq!(entry["consents"]["marketing"], true);
    assert!(entry["review"]["signals"].is_array(), "{entry}");
    let audit = entry["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 1, "only this entry's trail: {audit:?}");
    assert_eq!(audit[0]["action"], "review.approve");
    assert_eq!(audit[0]["actor"], "mia@staff.example");

    // The links load without any credentials, as in a browser; the image is the receipt.
    let receipt = &entry["receipt"];
    let full = app.client.get(receipt["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(full.status(), 200);
    let full = image::load_from_memory(&full.bytes().await.unwrap()).unwrap();
    assert_eq!((full.width(), full.height()), (480, 720), "the stored receipt");
    let thumb = app.client.get(receipt["thumbnail_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(thumb.status(), 200);
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (213, 320), "a thumbnail, aspect kept");
    assert!(receipt["expires_at"].is_string());
    if app.moto.is_none() {
        let unsigned = receipt["url"].as_str().unwrap().split('?').next().unwrap().to_string();
        assert_eq!(app.client.get(unsigned).send().await.unwrap().status(), 403, "the bucket stays private");
    }

    let missing = moderator.get("/admin/v1/campaigns/demo/entries/ent_nope").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["code"], "entry_not_found");
}

#[tokio::test]
async fn an_opened_entry_shows_its_review_audit_trail_and_receipt_embedded() {
    an_opened_entry_shows_its_review_audit_trail_and_receipt(TestApp::spawn_with(review_everything).await).await;
}

#[tokio::test]
async fn an_opened_entry_shows_its_review_audit_trail_and_receipt_aws() {
    an_opened_entry_shows_its_review_audit_trail_and_receipt(TestApp::spawn_aws_with(review_everything).await).await;
}

/// Stores `n` entries as the worker would (more than one page of the export).
async fn stored(app: &TestApp, n: usize) {
    let store = &app.running.backends.store;
    for i in 0..n {
        let entry = StoredEntry {
            entry_id: format!("ent_{i:05}"),
            campaign: "demo".into(),
            idempotency_key: format!("k{i}"),
            entrant: vouch_core::form::Entrant {
                first_name: if i == 7 { "=HYPERLINK(1)".into() } else { format!("N{i}") },
                email: format!("p{i}@example.com"),
                ..crate::support::entrant()
            },
            receipt_key: None,
            status: if i % 3 == 0 {
                vouch_core::wire::EntryStatus::Rejected
            } else {
                vouch_core::wire::EntryStatus::Confirmed
            },
            reason: None,
            accepted_at_ms: 1_700_000_000_000 + i as i64,
            processed_at_ms: 1_700_000_000_000 + i as i64,
            locale: None,
        };
        assert!(store.record_entry(&entry).await.unwrap());
    }
}

#[tokio::test]
async fn the_csv_export_streams_every_entry_of_the_filter_once() {
    let app = TestApp::spawn().await;
    stored(&app, 1500).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    let res = viewer.get("/admin/v1/campaigns/demo/entries.csv?status=confirmed").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("demo-entries.csv"));
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "entry_id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), 1000, "every confirmed entry, once, across pages");
    assert_eq!(rows.len(), 1000);
    assert!(rows.iter().all(|r| &r[2] == "confirmed"));
    let formula = rows.iter().find(|r| &r[0] == "ent_00007").unwrap();
    assert_eq!(&formula[4], "'=HYPERLINK(1)", "formulas are defused");

    let bad = viewer.get("/admin/v1/campaigns/demo/entries.csv?to=soon").await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("to must be an RFC 3339 time"));
}
