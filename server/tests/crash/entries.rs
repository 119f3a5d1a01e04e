//! SIGKILL of `vouch serve` during a burst of entries, and of `vouch worker` mid-drain: every
//! entry that got a 202 is stored exactly once, with exactly one confirmation mail.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::process::{cli_json, command, serve, setup, wait_until_idle, ORIGIN};

fn body(n: usize, upload_id: Option<&str>) -> Value {
    json!({
        "fields": {"first_name": "Crash", "last_name": "Test", "email": format!("c{n}@example.com"), "postal_code": "10115"},
        "consents": {"terms": true},
        "receipt_upload_id": upload_id,
    })
}

pub(crate) fn tiny_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Grant + direct upload, as the widget does.
pub(crate) async fn upload(client: &reqwest::Client, bff: &str, bytes: &[u8]) -> Option<String> {
    let grant: vouch_core::wire::UploadGrant = client
        .post(format!("{bff}/v1/campaigns/crash/uploads"))
        .header("Origin", ORIGIN)
        .json(&json!({"content_type": "image/jpeg", "size": bytes.len()}))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in &grant.fields {
        form = form.text(k.clone(), v.clone());
    }
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).mime_str("image/jpeg").ok()?;
    let res = client.post(&grant.url).multipart(form.part("file", part)).send().await.ok()?;
    res.status().is_success().then_some(grant.upload_id)
}

async fn post_entry(client: &reqwest::Client, bff: &str, n: usize, upload_id: Option<&str>) -> Option<String> {
    let res = client
        .post(format!("{bff}/v1/campaigns/crash/entries"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", format!("key-{n}"))
        .json(&body(n, upload_id))
        .send()
        .await
        .ok()?;
    if res.status() != 202 {
        return None;
    }
    Some(res.json::<Value>().await.ok()?["entry_id"].as_str()?.to_string())
}

/// Entry number → (entry id, upload id) for every 202.
type Accepted = HashMap<usize, (String, Option<String>)>;

/// Clients keep sending until `stop` (or until the server is gone).
fn start_clients(
    bff: String,
    clients: usize,
    with_receipts: bool,
    stop: Arc<Mutex<bool>>,
) -> tokio::task::JoinSet<Accepted> {
    let jpeg = Arc::new(tiny_jpeg());
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let (bff, stop, jpeg) = (bff.clone(), stop.clone(), jpeg.clone());
        tasks.spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            let mut accepted = Accepted::new();
            for i in 0.. {
                if *stop.lock().unwrap() {
                    break;
                }
                let n = c * 1_000_000 + i;
                let upload_id = if with_receipts { upload(&client, &bff, &jpeg).await } else { None };
                if with_receipts && upload_id.is_none() {
                    break;
                }
                match post_entry(&client, &bff, n, upload_id.as_deref()).await {
                    Some(id) => {
                        accepted.insert(n, (id, upload_id));
                    }
                    None => break, // the server is gone
                }
            }
            accepted
        });
    }
    tasks
}

async fn collect(mut tasks: tokio::task::JoinSet<Accepted>) -> Accepted {
    let mut all = Accepted::new();
    while let Some(r) = tasks.join_next().await {
        all.extend(r.unwrap());
    }
    all
}

async fn wait_until_processed(bff: &str, metrics: &str, accepted: &Accepted) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    for (id, _) in accepted.values() {
        loop {
            let url = format!("{bff}/v1/campaigns/crash/entries/{id}");
            let status: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
            assert_ne!(status["error"]["code"], "entry_not_found", "an accepted entry {id} was lost");
            if status["status"] != "accepted" {
                assert_eq!(status["status"], "confirmed", "{status}");
                break;
            }
            assert!(Instant::now() < deadline, "entry {id} was never processed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // Confirmed is recorded before the mail goes out: wait until no message is left at all.
    wait_until_idle(metrics).await;
}

/// Every accepted entry exactly once in the export, and exactly one mail each.
async fn assert_exactly_once(dir: &Path, accepted: &Accepted) {
    let entries = cli_json(dir, &["entries", "export", "--campaign", "crash", "--format", "json"]).await;
    let exported: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["entry_id"].as_str().unwrap()).collect();
    let unique: HashSet<&str> = exported.iter().copied().collect();
    assert_eq!(unique.len(), exported.len(), "an entry was stored twice");
    for (id, _) in accepted.values() {
        assert!(unique.contains(id.as_str()), "accepted entry {id} is missing");
    }
    let mails = cli_json(dir, &["outbox"]).await;
    let mailed: Vec<&str> = mails.as_array().unwrap().iter().map(|m| m["dedup_key"].as_str().unwrap()).collect();
    assert_eq!(mailed.len(), exported.len(), "one confirmation mail per entry");
    assert_eq!(mailed.iter().collect::<HashSet<_>>().len(), mailed.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_accepted_entry_survives_a_sigkill_of_the_server() {
    let dir = setup();
    let mut vouch = serve(dir.path(), &[]).await;
    let stop = Arc::new(Mutex::new(false));
    let clients = start_clients(vouch.bff.clone(), 8, true, stop.clone());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    vouch.child.start_kill().unwrap(); // SIGKILL: no shutdown code runs
    vouch.child.wait().await.unwrap();
    let accepted = collect(clients).await;
    eprintln!("{} entries accepted before the SIGKILL", accepted.len());
    assert!(accepted.len() > 20, "the burst should have been accepted in part: {}", accepted.len());

    let vouch = serve(dir.path(), &[]).await;
    wait_until_processed(&vouch.bff, &vouch.metrics, &accepted).await;
    // Idempotency records survived too: a client retrying after the crash gets its entry back.
    let client = reqwest::Client::new();
    for (n, (id, upload_id)) in accepted.iter().take(5) {
        assert_eq!(post_entry(&client, &vouch.bff, *n, upload_id.as_deref()).await.as_deref(), Some(id.as_str()));
    }
    assert_exactly_once(dir.path(), &accepted).await;
    assert_private(&dir.path().join("data"));
}

/// Every folder and file under `dir` (database, secrets, uploads, receipts) is for Vouch's own
/// user only.
fn assert_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut files = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", path.display());
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            files += 1;
        }
    }
    assert!(files > 10, "receipts and the database were written: {files} files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_mid_drain_resumes_without_doubling_entries_or_mails() {
    let dir = setup();
    let vouch = serve(dir.path(), &["--no-worker"]).await;
    let stop = Arc::new(Mutex::new(false));
    let clients = start_clients(vouch.bff.clone(), 4, true, stop.clone());
    tokio::time::sleep(Duration::from_millis(2000)).await;
    *stop.lock().unwrap() = true;
    let accepted = collect(clients).await;
    eprintln!("{} entries accepted for the worker to drain", accepted.len());
    assert!(accepted.len() > 20, "{}", accepted.len());

    for _ in 0..3 {
        let mut worker = command(dir.path(), &["worker"]).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        worker.start_kill().unwrap();
        worker.wait().await.unwrap();
    }
    let _worker = command(dir.path(), &["worker"]).spawn().unwrap();
    wait_until_processed(&vouch.bff, &vouch.metrics, &accepted).await;
    assert_exactly_once(dir.path(), &accepted).await;
}
