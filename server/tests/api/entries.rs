use serde_json::{json, Value};
use vouch_server::backends::QueueStats;

use crate::helpers::{entry_body, error_code, jpeg, TestApp};

async fn queue_stats(app: &TestApp) -> QueueStats {
    app.queue("entries").stats().await.unwrap()
}

#[tokio::test]
async fn an_entry_with_a_receipt_goes_from_accepted_to_confirmed_with_one_mail() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(320, 240), "image/jpeg").await;
    let res = app.entry("demo", &entry_body("zoe@example.com", Some(&upload_id)), "key-1").await;
    assert_eq!(res.status(), 202);
    let accepted: Value = res.json().await.unwrap();
    let entry_id = accepted["entry_id"].as_str().unwrap().to_string();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(app.status("demo", &entry_id).await["status"], "accepted");

    assert_eq!(app.drain().await, 3, "the entry and its two funnel facts");
    assert_eq!(app.status("demo", &entry_id).await, json!({"entry_id": entry_id, "status": "confirmed"}));
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entrant.first_name, "Zoë");
    let receipt = entries[0].receipt_key.clone().unwrap();
    assert_eq!(receipt, format!("receipts/demo/{entry_id}.jpg"));
    assert!(app.object_path(&receipt).exists(), "the normalised copy is stored");
    let mails = app.mails().await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "zoe@example.com");
    assert!(mails[0].1.contains(&entry_id));
}

#[tokio::test]
async fn the_confirmation_mail_is_written_in_the_shoppers_language() {
    let app = TestApp::spawn().await;
    let mut body = entry_body("zoe@example.com", None);
    body["receipt_upload_id"] = json!(app.uploaded("demo", &jpeg(64, 64), "image/jpeg").await);
    body["locale"] = json!("de");
    assert_eq!(app.entry("demo", &body, "key-de").await.status(), 202);
    app.drain().await;
    let mails = app.mails().await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].1.starts_with("Hallo Zoë,"), "{}", mails[0].1);
    assert!(mails[0].1.contains("Viel Glück bei der Verlosung!"), "the campaign's German copy: {}", mails[0].1);
}

#[tokio::test]
async fn the_original_upload_is_removed_once_the_entry_is_stored() {
    let app = TestApp::spawn().await;
    let bytes = jpeg(64, 64);
    let res = app.grant("demo", "image/jpeg", bytes.len() as u64).await;
    let grant: vouch_core::wire::UploadGrant = res.json().await.unwrap();
    crate::helpers::upload(&app.client, &grant.url, &grant.fields, &bytes, "image/jpeg").await;
    let original = app.object_path(&grant.fields["key"]);
    assert!(original.exists());
    app.entry("demo", &entry_body("a@example.com", Some(&grant.upload_id)), "k").await;
    app.drain().await;
    assert!(!original.exists(), "the original (with its EXIF) is gone");
}

#[tokio::test]
async fn missing_and_invalid_fields_are_each_reported_and_nothing_is_queued() {
    let app = TestApp::spawn().await;
    let body = json!({"fields": {"first_name": "", "last_name": "Smith2", "email": "not-an-email", "postal_code": "!"}, "consents": {"terms": false}});
    let (status, error) = error_code(app.entry("demo", &body, "k").await).await;
    assert_eq!(status, 422);
    assert_eq!(error["code"], "validation_failed");
    let fields: Vec<(String, String)> = error["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap().into(), f["code"].as_str().unwrap().into()))
        .collect();
    let expect = [
        ("first_name", "required"),
        ("last_name", "invalid_name"),
        ("email", "invalid_email"),
        ("postal_code", "invalid_postal_code"),
        ("receipt", "receipt_required"),
        ("terms", "consent_required"),
    ];
    assert_eq!(fields, expect.map(|(f, c)| (f.to_string(), c.to_string())));
    assert!(error["fields"][0]["message"].as_str().unwrap().len() > 5);
    assert_eq!(queue_stats(&app).await, QueueStats::default());
}

#[tokio::test]
async fn an_entry_naming_a_missing_forged_or_foreign_upload_is_refused() {
    let app = TestApp::spawn().await;
    let granted_not_uploaded: vouch_core::wire::UploadGrant =
        app.grant("demo", "image/jpeg", 100).await.json().await.unwrap();
    let foreign: vouch_core::wire::UploadGrant = app
        .client
        .post(app.url("/v1/campaigns/other/uploads"))
        .header("Origin", "https://other.example")
        .json(&json!({"content_type": "image/jpeg", "size": 100}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for upload_id in [
        granted_not_uploaded.upload_id.as_str(),
        "0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAA",
        &foreign.upload_id,
    ] {
        let (status, error) =
            error_code(app.entry("demo", &entry_body("a@example.com", Some(upload_id)), upload_id).await).await;
        assert_eq!(status, 422, "{upload_id}");
        assert_eq!(error["fields"][0]["field"], "receipt");
        assert_eq!(error["fields"][0]["code"], "upload_not_found");
    }
    assert_eq!(queue_stats(&app).await, QueueStats::default());
}

#[tokio::test]
async fn the_same_key_and_body_return_the_first_answer_and_queue_once() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(32, 32), "image/jpeg").await;
    let body = entry_body("same@example.com", Some(&upload_id));
    let first: Value = app.entry("demo", &body, "retry-me").await.json().await.unwrap();
    // Processed in between: a replay must still answer, though the upload has moved.
    app.drain().await;
    let res = app.entry("demo", &body, "retry-me").await;
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap(), first);
    assert_eq!(app.drain().await, 0);
    assert_eq!(app.running.backends.store.list_entries("demo").await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(32, 32), "image/jpeg").await;
    assert_eq!(app.entry("demo", &entry_body("one@example.com", Some(&upload_id)), "k").await.status(), 202);
    let (status, error) =
        error_code(app.entry("demo", &entry_body("two@example.com", Some(&upload_id)), "k").await).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("idempotency_key_reused")));
    assert_eq!(queue_stats(&app).await.ready, 1);
}

#[tokio::test]
async fn a_missing_or_malformed_idempotency_key_is_refused() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(32, 32), "image/jpeg").await;
    let body = entry_body("a@example.com", Some(&upload_id));
    let (status, error) = error_code(app.post_json("/v1/campaigns/demo/entries", &body, None).await).await;
    assert_eq!((status, error["code"].as_str()), (400, Some("idempotency_key_invalid")));
    let (status, _) = error_code(app.entry("demo", &body, &"k".repeat(256)).await).await;
    assert_eq!(status, 400);
    assert_eq!(queue_stats(&app).await, QueueStats::default());
}

#[tokio::test]
async fn twenty_concurrent_identical_requests_make_one_entry() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(32, 32), "image/jpeg").await;
    let body = entry_body("burst@example.com", Some(&upload_id));
    let answers = futures_join(&app, &body).await;
    let ids: std::collections::HashSet<String> = answers
        .iter()
        .map(|(s, v)| {
            assert!(*s == 202 || *s == 409, "status {s}");
            v["entry_id"].as_str().unwrap_or_default().to_string()
        })
        .filter(|id| !id.is_empty())
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(queue_stats(&app).await.ready, 1);
}

async fn futures_join(app: &TestApp, body: &Value) -> Vec<(u16, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (client, url, body) = (app.client.clone(), app.url("/v1/campaigns/demo/entries"), body.clone());
        tasks.spawn(async move {
            let res = client
                .post(url)
                .header("Origin", crate::helpers::SHOP)
                .header("Idempotency-Key", "burst")
                .json(&body)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[tokio::test]
async fn an_entry_id_is_only_visible_in_its_own_campaign() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(32, 32), "image/jpeg").await;
    let accepted: Value =
        app.entry("demo", &entry_body("a@example.com", Some(&upload_id)), "k").await.json().await.unwrap();
    let id = accepted["entry_id"].as_str().unwrap();
    let res = app.client.get(app.url(&format!("/v1/campaigns/other/entries/{id}"))).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(app.running.backends.store.entry_state("demo", id).await.unwrap().is_some());
}

#[tokio::test]
async fn an_entry_with_something_other_than_a_referral_code_there_is_refused_and_nothing_is_queued() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(64, 64), "image/jpeg").await;
    let mut body = entry_body("zoe@example.com", Some(&upload_id));
    body["referral_code"] = json!("=HYPERLINK(\"http://evil.example\")");
    let (status, error) = error_code(app.entry("demo", &body, "k").await).await;
    assert_eq!(status, 422);
    assert_eq!(error["fields"][0]["field"], "referral_code");
    assert_eq!(error["fields"][0]["code"], "invalid_referral_code");
    assert_eq!(error["fields"][0]["message"], "This referral code is not valid.");
    assert_eq!(queue_stats(&app).await, QueueStats::default());

    body["referral_code"] = json!(" ab3dk9mz ");
    assert_eq!(app.entry("demo", &body, "k2").await.status(), 202);
    app.drain().await;
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    assert_eq!(entries[0].entrant.referral_code.as_deref(), Some("AB3DK9MZ"));
}

#[tokio::test]
async fn formulas_typed_into_the_form_reach_the_export_as_text() {
    let app = TestApp::spawn().await;
    // Each is a valid name, e-mail or phone number that a spreadsheet would run as a formula.
    let typed = [("-Anna", "=1+2@example.com"), ("Zoë", "+cmd@example.com"), ("Ben", "-2+3@example.com")];
    for (i, (first_name, email)) in typed.iter().enumerate() {
        let upload_id = app.uploaded("demo", &jpeg(64, 64), "image/jpeg").await;
        let mut body = entry_body(email, Some(&upload_id));
        body["fields"]["first_name"] = json!(first_name);
        body["fields"]["phone"] = json!("+49 30 1234567");
        assert_eq!(app.entry("demo", &body, &format!("k{i}")).await.status(), 202);
    }
    app.drain().await;
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    let mut csv = Vec::new();
    vouch_server::entries::export::write_csv(&mut csv, &entries, None).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut cells: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[column("first_name")].into(), r[column("email")].into(), r[column("phone")].into()))
        .collect();
    cells.sort();
    assert_eq!(
        cells,
        [
            ("'-Anna", "'=1+2@example.com", "'+49301234567"),
            ("Ben", "'-2+3@example.com", "'+49301234567"),
            ("Zoë", "'+cmd@example.com", "'+49301234567"),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
}
