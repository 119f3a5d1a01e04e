use vouch_core::wire::UploadGrant;

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
async fn an_upload_no_entry_claimed_is_swept_after_a_day_and_a_claimed_one_is_kept() {
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

    let two_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(48 * 3600);
    for grant in [&orphan, &claimed] {
        std::fs::File::options()
            .write(true)
            .open(app.object_path(&grant.fields["key"]))
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();
    }
    let objects = vouch_server::backends::objects::LocalObjects::new(&app.config.objects_dir(), "receipts").unwrap();
    let day = std::time::Duration::from_secs(24 * 3600);
    let removed =
        vouch_server::janitor::sweep_orphan_uploads(app.running.backends.sqlite.as_ref().unwrap(), &objects, day)
            .await
            .unwrap();
    assert_eq!(removed, 1);
    assert!(!app.object_path(&orphan.fields["key"]).exists());
    assert!(app.object_path(&claimed.fields["key"]).exists(), "claimed by an entry not yet processed");
    assert!(app.object_path(&fresh.fields["key"]).exists(), "too young to be abandoned");
}
