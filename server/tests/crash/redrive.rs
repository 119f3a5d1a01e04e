//! SIGKILL of the worker right after an operator's redrive was acknowledged: every redriven
//! entry is still processed, each stored once and mailed once, and the audit log keeps each
//! redrive.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::entries::{tiny_jpeg, upload};
use crate::process::{cli_json, cli_text, command, serve, setup, wait_until_idle, ORIGIN};

const ENTRIES: usize = 8;

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let (mut files, mut dirs) = (Vec::new(), vec![dir.to_path_buf()]);
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The pending uploads become folders, so the worker cannot read them and its attempts fail.
fn break_uploads(data: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let uploads: Vec<_> = files_under(&data.join("objects"))
        .into_iter()
        .filter(|f| f.components().any(|c| c.as_os_str() == "uploads"))
        .collect();
    uploads
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(&file).unwrap();
            std::fs::remove_file(&file).unwrap();
            std::fs::create_dir(&file).unwrap();
            (file, bytes)
        })
        .collect()
}

fn repair(saved: Vec<(PathBuf, Vec<u8>)>) {
    for (file, bytes) in saved {
        std::fs::remove_dir(&file).unwrap();
        std::fs::write(&file, bytes).unwrap();
    }
}

async fn gauge(metrics: &str, name: &str) -> u64 {
    let text = reqwest::get(format!("{metrics}/metrics")).await.unwrap().text().await.unwrap();
    let line = format!("vouch_{name}{{queue=\"entries\"}} ");
    text.lines().find_map(|l| l.strip_prefix(&line)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn wait_for(metrics: &str, name: &str, value: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while gauge(metrics, name).await != value {
        assert!(Instant::now() < deadline, "{name} never reached {value}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redrive_acknowledged_before_a_sigkill_is_neither_lost_nor_doubled() {
    let dir = setup();
    let config = dir.path().join("vouch.toml");
    let mut toml = std::fs::read_to_string(&config).unwrap();
    toml.push_str("max_attempts = 3\nretry_backoff_ms = 20\n");
    std::fs::write(&config, toml).unwrap();
    let bff = serve(dir.path(), &["--no-worker"]).await;

    let client = reqwest::Client::new();
    let mut accepted = HashSet::new();
    for n in 0..ENTRIES {
        let upload_id = upload(&client, &bff.bff, &tiny_jpeg()).await.unwrap();
        let body = json!({
            "fields": {"first_name": "Red", "last_name": "Rive", "email": format!("r{n}@example.com"), "postal_code": "10115"},
            "consents": {"terms": true},
            "receipt_upload_id": upload_id,
        });
        let res = client
            .post(format!("{}/v1/campaigns/crash/entries", bff.bff))
            .header("Origin", ORIGIN)
            .header("Idempotency-Key", format!("key-{n}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        accepted.insert(res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string());
    }

    let saved = break_uploads(&dir.path().join("data"));
    assert_eq!(saved.len(), ENTRIES);
    let mut worker = command(dir.path(), &["worker"]).spawn().unwrap();
    wait_for(&bff.metrics, "queue_dead", ENTRIES as u64).await;
    worker.start_kill().unwrap();
    worker.wait().await.unwrap();
    let listed = cli_text(dir.path(), &["queue", "dead", "entries"]).await;
    let ids: Vec<String> = listed.lines().map(|l| l.split_whitespace().next().unwrap().to_string()).collect();
    assert_eq!(ids.len(), ENTRIES, "{listed}");
    assert!(listed.lines().all(|l| l.contains(" crash ") && l.contains("object store")), "{listed}");
    assert!(!listed.contains("@example.com"), "{listed}");
    repair(saved);

    // A worker runs while the operator redrives: three by id, then the rest at once. The moment
    // the last command has answered, the worker is killed mid-way through the redriven entries.
    let mut worker = command(dir.path(), &["worker"]).spawn().unwrap();
    for id in &ids[..3] {
        cli_text(dir.path(), &["queue", "redrive", "entries", "--id", id]).await;
    }
    let all = cli_text(dir.path(), &["queue", "redrive", "entries", "--all"]).await;
    worker.start_kill().unwrap();
    worker.wait().await.unwrap();
    let rest: usize = all.split_whitespace().next().unwrap().parse().unwrap();
    assert_eq!(rest, ENTRIES - 3, "{all}");
    assert_eq!(gauge(&bff.metrics, "queue_dead").await, 0, "nothing is dead any more");

    let mut worker = command(dir.path(), &["worker"]).spawn().unwrap();
    wait_until_idle(&bff.metrics).await;
    worker.start_kill().unwrap();
    worker.wait().await.unwrap();

    let entries = cli_json(dir.path(), &["entries", "export", "--campaign", "crash", "--format", "json"]).await;
    let exported: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["entry_id"].as_str().unwrap()).collect();
    assert_eq!(exported.len(), ENTRIES, "each entry stored once: {exported:?}");
    assert_eq!(exported.iter().map(|e| e.to_string()).collect::<HashSet<_>>(), accepted);
    assert!(entries.as_array().unwrap().iter().all(|e| e["status"] == "confirmed"), "{entries}");
    let mails = cli_json(dir.path(), &["outbox"]).await;
    let mailed: HashSet<&str> = mails.as_array().unwrap().iter().map(|m| m["dedup_key"].as_str().unwrap()).collect();
    assert_eq!((mails.as_array().unwrap().len(), mailed.len()), (ENTRIES, ENTRIES), "one mail per entry");

    let audit = cli_text(dir.path(), &["audit", "list", "--campaign", "*"]).await;
    let redrives: Vec<&str> = audit.lines().filter(|l| l.contains("  cli  queue.redrive")).collect();
    assert_eq!(redrives.len(), 4, "{audit}");
    assert!(audit.contains(&format!("queue.redrive_all  entries  {rest} redriven")), "{audit}");
}
