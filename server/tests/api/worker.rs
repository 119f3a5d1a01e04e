use serde_json::Value;
use vouch_server::backends::QueueStats;

use crate::helpers::{entry_body, jpeg, png_bomb, TestApp};

async fn submit(app: &TestApp, bytes: &[u8], content_type: &str, key: &str) -> String {
    let upload_id = app.uploaded("demo", bytes, content_type).await;
    let res = app.entry("demo", &entry_body(&format!("{key}@example.com"), Some(&upload_id)), key).await;
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_receipt_that_is_not_an_image_is_rejected_with_its_reason_and_no_mail() {
    let app = TestApp::spawn().await;
    let entry_id = submit(&app, b"<html><body>not a receipt</body></html>", "image/jpeg", "html").await;
    app.drain().await;
    let status = app.status("demo", &entry_id).await;
    assert_eq!(status["status"], "rejected");
    assert_eq!(status["reason"], "receipt_not_an_image");
    assert!(app.mails().await.is_empty());
}

#[tokio::test]
async fn a_decompression_bomb_is_rejected_without_being_decoded() {
    let app = TestApp::spawn().await;
    let bomb = png_bomb(5000); // 25 MP, over the campaign's 4 MP limit, ~30 kB on disk
    assert!(bomb.len() < 200_000);
    let entry_id = submit(&app, &bomb, "image/png", "bomb").await;
    app.drain().await;
    assert_eq!(app.status("demo", &entry_id).await["reason"], "receipt_too_many_pixels");
}

#[tokio::test]
async fn a_redelivered_message_changes_nothing() {
    let app = TestApp::spawn().await;
    submit(&app, &jpeg(50, 50), "image/jpeg", "twice").await;
    let queue = app.queue("entries");
    let message = queue.receive(1, std::time::Duration::from_millis(1)).await.unwrap().remove(0);
    // The lease lapses and the message is delivered again, and once more after processing.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.drain().await;
    queue.send(message.body.clone()).await.unwrap();
    app.drain().await;
    assert_eq!(app.running.backends.store.list_entries("demo").await.unwrap().len(), 1);
    assert_eq!(app.mails().await.len(), 1);
    assert_eq!(queue.stats().await.unwrap(), QueueStats::default());
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_dead_lettered_without_blocking_others() {
    let app = TestApp::spawn().await;
    let bad = submit(&app, &jpeg(20, 20), "image/jpeg", "stuck").await;
    // The receipt becomes unreadable (a folder where the file was): every attempt fails.
    let key = app.running.backends.store.list_entries("demo").await.unwrap();
    assert!(key.is_empty());
    let uploads = app.config.objects_dir().join("receipts/uploads/demo");
    let original = std::fs::read_dir(&uploads).unwrap().next().unwrap().unwrap().path();
    std::fs::remove_file(&original).unwrap();
    std::fs::create_dir(&original).unwrap();
    let good = submit(&app, &jpeg(20, 20), "image/jpeg", "fine").await;

    for _ in 0..20 {
        app.drain().await;
        tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    }
    assert_eq!(app.status("demo", &good).await["status"], "confirmed");
    assert_eq!(app.status("demo", &bad).await["status"], "accepted");
    let stats = app.queue("entries").stats().await.unwrap();
    assert_eq!(stats, QueueStats { ready: 0, in_flight: 0, dead: 1 });
}

#[tokio::test]
async fn a_paused_queue_is_not_drained_until_it_is_resumed() {
    let app = TestApp::spawn().await;
    let entry_id = submit(&app, &jpeg(20, 20), "image/jpeg", "paused").await;
    app.running.backends.control.set_paused("entries", true).await.unwrap();
    assert_eq!(app.drain().await, 0);
    assert_eq!(app.status("demo", &entry_id).await["status"], "accepted");
    app.running.backends.control.set_paused("entries", false).await.unwrap();
    assert_eq!(app.drain().await, 3, "the entry and its two funnel facts");
    assert_eq!(app.status("demo", &entry_id).await["status"], "confirmed");
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_its_files_are_for_this_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    let entry_id = submit(&app, &jpeg(320, 200), "image/jpeg", "private").await;
    app.drain().await;
    assert_eq!(app.status("demo", &entry_id).await["status"], "confirmed");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let data = &app.config.data_dir;
    assert_eq!(mode(data), 0o700);
    assert_eq!(mode(&app.config.objects_dir()), 0o700);
    for file in ["vouch.db", "vouch.db-wal", "vouch.db-shm", "secrets.json"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&app.object_path(&format!("receipts/demo/{entry_id}.jpg"))), 0o600);
}
