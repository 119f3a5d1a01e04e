use vouch_core::wire::UploadGrant;

use vouch_server::backends::Accepted;

use crate::helpers::{error_code, jpeg, upload, TestApp};

#[tokio::test]
async fn a_grant_is_a_presigned_post_for_one_key_with_a_short_expiry() {
    let app = TestApp::spawn().await;
    let res = app.grant("demo", "image/jpeg", 48_213).await;
    assert_eq!(res.status(), 201);
    let grant: UploadGrant = res.json().await.unwrap();
    assert_eq!(grant.method, "POST");
    assert_eq!(grant.url, format!("http://{}/receipts", app.running.s3.unwrap()));
    assert!(grant.fields["key"].starts_with("uploads/demo/"));
    assert_eq!(grant.fields["Content-Type"], "image/jpeg");
    let expires =
        time::OffsetDateTime::parse(&grant.expires_at, &time::format_description::well_known::Rfc3339).unwrap();
    let ttl = expires - time::OffsetDateTime::now_utc();
    assert!(ttl > time::Duration::minutes(5) && ttl <= time::Duration::minutes(15), "{ttl}");
}

#[tokio::test]
async fn a_grant_for_a_50_mb_or_html_file_is_refused_per_field() {
    let app = TestApp::spawn().await;
    let (status, error) = error_code(app.grant("demo", "image/jpeg", 50 * 1024 * 1024).await).await;
    assert_eq!(status, 422);
    assert_eq!(error["fields"][0]["field"], "size");
    assert_eq!(error["fields"][0]["code"], "file_too_large");
    let (status, error) = error_code(app.grant("demo", "text/html", 100).await).await;
    assert_eq!(status, 422);
    assert_eq!(error["fields"][0]["field"], "content_type");
    assert_eq!(error["fields"][0]["code"], "unsupported_type");
}

#[tokio::test]
async fn the_store_accepts_an_upload_that_follows_its_grant() {
    let app = TestApp::spawn().await;
    let bytes = jpeg(40, 30);
    let grant: UploadGrant = app.grant("demo", "image/jpeg", bytes.len() as u64).await.json().await.unwrap();
    let res = upload(&app.client, &grant.url, &grant.fields, &bytes, "image/jpeg").await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["access-control-allow-origin"], "https://shop.example");
    assert_eq!(std::fs::read(app.object_path(&grant.fields["key"])).unwrap(), bytes);
}

#[tokio::test]
async fn the_store_itself_refuses_an_oversize_upload_and_stores_nothing() {
    let app = TestApp::spawn().await;
    // Ask for a small file, then send more than the campaign's 200 kB limit.
    let grant: UploadGrant = app.grant("demo", "image/jpeg", 1000).await.json().await.unwrap();
    let res = upload(&app.client, &grant.url, &grant.fields, &vec![0xFFu8; 250_000], "image/jpeg").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("EntityTooLarge"));
    assert!(!app.object_path(&grant.fields["key"]).exists());
}

#[tokio::test]
async fn the_store_refuses_a_tampered_signature_another_key_or_another_type() {
    let app = TestApp::spawn().await;
    let bytes = jpeg(10, 10);
    let grant: UploadGrant = app.grant("demo", "image/jpeg", bytes.len() as u64).await.json().await.unwrap();

    let mut forged = grant.fields.clone();
    let sig = forged.get_mut("x-amz-signature").unwrap();
    sig.replace_range(0..4, if sig.starts_with("0000") { "1111" } else { "0000" });
    let res = upload(&app.client, &grant.url, &forged, &bytes, "image/jpeg").await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("SignatureDoesNotMatch"));

    let mut other_key = grant.fields.clone();
    other_key.insert("key".into(), "uploads/demo/somebody-elses".into());
    let res = upload(&app.client, &grant.url, &other_key, &bytes, "image/jpeg").await;
    assert!(res.status().is_client_error());

    let mut other_type = grant.fields.clone();
    other_type.insert("Content-Type".into(), "text/html".into());
    let res = upload(&app.client, &grant.url, &other_type, b"<script>", "text/html").await;
    assert!(res.status().is_client_error());

    assert!(!app.object_path(&grant.fields["key"]).exists());
    assert!(!app.object_path("uploads/demo/somebody-elses").exists());
}

#[tokio::test]
async fn an_anonymous_upload_is_refused() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .put(format!("http://{}/receipts/uploads/demo/x", app.running.s3.unwrap()))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn an_upload_no_entry_claimed_is_swept_shortly_after_its_grant_expired_and_a_claimed_one_is_kept() {
    let app = TestApp::spawn().await;
    let bytes = jpeg(16, 16);
    let orphan: UploadGrant = app.grant("demo", "image/jpeg", bytes.len() as u64).await.json().await.unwrap();
    upload(&app.client, &orphan.url, &orphan.fields, &bytes, "image/jpeg").await;
    let claimed: UploadGrant = app.grant("demo", "image/jpeg", bytes.len() as u64).await.json().await.unwrap();
    upload(&app.client, &claimed.url, &claimed.fields, &bytes, "image/jpeg").await;
    let res = app.entry("demo", &crate::helpers::entry_body("a@example.com", Some(&claimed.upload_id)), "k").await;
    assert_eq!(res.status(), 202);
    let fresh: UploadGrant = app.grant("demo", "image/jpeg", bytes.len() as u64).await.json().await.unwrap();
    upload(&app.client, &fresh.url, &fresh.fields, &bytes, "image/jpeg").await;

    // Written 20 minutes ago: its grant (10 minutes at most 15) is long expired.
    let written = std::time::SystemTime::now() - std::time::Duration::from_secs(20 * 60);
    for grant in [&orphan, &claimed] {
        std::fs::File::options()
            .write(true)
            .open(app.object_path(&grant.fields["key"]))
            .unwrap()
            .set_modified(written)
            .unwrap();
    }
    let removed = sweep(&app).await;
    assert_eq!(removed, 1);
    assert!(!app.object_path(&orphan.fields["key"]).exists());
    assert!(app.object_path(&claimed.fields["key"]).exists(), "claimed by an entry not yet processed");
    assert!(app.object_path(&fresh.fields["key"]).exists(), "its grant may still be in use");
    let res = app.entry("demo", &crate::helpers::entry_body("b@example.com", Some(&orphan.upload_id)), "k2").await;
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["fields"][0]["code"].as_str()), (422, Some("upload_not_found")));
}

async fn sweep(app: &TestApp) -> usize {
    let objects =
        vouch_server::backends::embedded::objects::LocalObjects::new(&app.config.objects_dir(), "receipts").unwrap();
    let backend = app.running.backends.sqlite.as_ref().unwrap();
    vouch_server::uploads::sweep::sweep_orphan_uploads(backend, &objects, app.config.orphan_age()).await.unwrap()
}

#[tokio::test]
async fn an_entry_that_races_the_sweep_is_refused_rather_than_accepted_without_its_receipt() {
    let app = TestApp::spawn().await;
    let bytes = jpeg(16, 16);
    let grant: UploadGrant = app.grant("demo", "image/jpeg", bytes.len() as u64).await.json().await.unwrap();
    upload(&app.client, &grant.url, &grant.fields, &bytes, "image/jpeg").await;
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(20 * 60);
    std::fs::File::options()
        .write(true)
        .open(app.object_path(&grant.fields["key"]))
        .unwrap()
        .set_modified(old)
        .unwrap();
    // The entry saw the file before the sweep deleted it, and reaches the intake after.
    assert_eq!(sweep(&app).await, 1);
    let mut sub = crate::helpers::submission("demo", "late", Some(&grant.fields["key"]));
    assert_eq!(app.running.backends.intake.accept(sub.clone()).await.unwrap(), Accepted::UploadSwept);
    sub.message.receipt_key = None;
    assert!(matches!(app.running.backends.intake.accept(sub).await.unwrap(), Accepted::New { .. }), "nothing kept");
}

#[tokio::test]
async fn pending_uploads_have_a_budget_per_campaign_and_a_claim_gives_its_bytes_back() {
    let app = TestApp::spawn().await;
    // The budget campaign may have 1 MB pending: three grants of 300 kB fit, a fourth does not.
    let mut grants = Vec::new();
    for _ in 0..3 {
        let res = app.grant("budget", "image/jpeg", 300_000).await;
        assert_eq!(res.status(), 201);
        grants.push(res.json::<UploadGrant>().await.unwrap());
    }
    let res = app.grant("budget", "image/jpeg", 300_000).await;
    let retry_after: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    let (status, error) = error_code(res).await;
    assert_eq!((status, error["code"].as_str()), (503, Some("upload_budget_exhausted")));
    assert_eq!(app.grant("demo", "image/jpeg", 100_000).await.status(), 201, "other campaigns are not affected");

    // An entry claims the first upload: its 300 kB are no longer pending.
    let bytes = jpeg(40, 30);
    let first = grants.remove(0);
    let res = upload(&app.client, &first.url, &first.fields, &bytes, "image/jpeg").await;
    assert_eq!(res.status(), 201);
    let res = app.entry("budget", &crate::helpers::entry_body("a@example.com", Some(&first.upload_id)), "k").await;
    assert_eq!(res.status(), 202);
    assert_eq!(app.grant("budget", "image/jpeg", 300_000).await.status(), 201);
}

#[tokio::test]
async fn a_grant_allows_the_size_it_was_asked_for_and_no_more() {
    let app = TestApp::spawn().await;
    // Within the campaign's 200 kB, but over the 1000 bytes the grant (and the budget) counted.
    let grant: UploadGrant = app.grant("demo", "image/jpeg", 1000).await.json().await.unwrap();
    let res = upload(&app.client, &grant.url, &grant.fields, &vec![0xFFu8; 5000], "image/jpeg").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("EntityTooLarge"));
    assert!(!app.object_path(&grant.fields["key"]).exists());
}

#[tokio::test]
async fn one_upload_backs_one_entry_and_the_first_entry_still_replays() {
    let app = TestApp::spawn().await;
    let upload_id = app.uploaded("demo", &jpeg(30, 30), "image/jpeg").await;
    let first = crate::helpers::entry_body("a@example.com", Some(&upload_id));
    let res = app.entry("demo", &first, "first").await;
    assert_eq!(res.status(), 202);
    let entry_id = res.json::<serde_json::Value>().await.unwrap()["entry_id"].clone();

    let second = crate::helpers::entry_body("b@example.com", Some(&upload_id));
    let (status, error) = error_code(app.entry("demo", &second, "second").await).await;
    assert_eq!(status, 422);
    assert_eq!(error["fields"][0]["field"], "receipt");
    assert_eq!(error["fields"][0]["code"], "upload_already_used");

    let res = app.entry("demo", &first, "first").await;
    assert_eq!(res.status(), 202, "a retry of the first entry is its replay");
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["entry_id"], entry_id);
    app.drain().await;
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    assert_eq!(entries.iter().map(|e| e.entrant.email.as_str()).collect::<Vec<_>>(), ["a@example.com"]);
}
