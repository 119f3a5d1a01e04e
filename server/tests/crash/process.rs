//! The `vouch` binary as the crash tests run it: started on a data folder, ready when it prints
//! its addresses, killed with SIGKILL, restarted; and its CLI, read as JSON or text.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_vouch");
pub(crate) const ORIGIN: &str = "https://shop.example";
pub(crate) const CAMPAIGN: &str = r#"id = "crash"
name = "Crash"
allowed_origins = ["https://shop.example"]
[form]
phone = "optional"
[form.upload]
max_pixels = 4000000
[limits]
entries_per_minute = 100000
entries_burst = 100000
uploads_per_minute = 100000
uploads_burst = 100000
[referral]
landing_url = "https://shop.example/"
friend_offer = "10 % off"
referrer_reward = "10 % off"
[referral.velocity]
conversions_per_code_per_day = 100000
conversions_per_client_per_day = 100000
joins_per_client_per_hour = 100000
"#;

pub(crate) struct Vouch {
    pub(crate) child: Child,
    pub(crate) bff: String,
    /// The internal listener (`/metrics`).
    pub(crate) metrics: String,
}

pub(crate) fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(dir.join("vouch.toml"))
        .args(args)
        .env("VOUCH_DATA_DIR", dir.join("data"))
        .env("VOUCH_CAMPAIGNS_DIR", dir.join("campaigns"))
        .env("VOUCH_WIDGET_DIR", dir.join("widget"))
        .env("VOUCH_PORT", "0")
        .env("VOUCH_DEMO_PORT", "0")
        .env("VOUCH_S3_PORT", "0")
        .env("VOUCH_METRICS_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    cmd
}

pub(crate) async fn serve(dir: &Path, extra: &[&str]) -> Vouch {
    let mut child = command(dir, &[&["serve"], extra].concat()).spawn().expect("vouch starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(json) = line.strip_prefix("VOUCH_READY ") {
                return serde_json::from_str::<Value>(json).unwrap();
            }
        }
        panic!("vouch exited before it was ready");
    })
    .await
    .expect("ready in time");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let url = |key: &str| ready[key].as_str().unwrap().to_string();
    Vouch { child, bff: url("bff"), metrics: url("metrics") }
}

pub(crate) fn setup() -> tempfile::TempDir {
    setup_with("")
}

/// A data folder whose campaign has `settings` (top-level keys) on top of [`CAMPAIGN`].
pub(crate) fn setup_with(settings: &str) -> tempfile::TempDir {
    data_dir("crash", &format!("{settings}\n{CAMPAIGN}"))
}

/// A data folder with one campaign file and a worker whose killed messages come back quickly.
pub(crate) fn data_dir(campaign_id: &str, campaign: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("campaigns")).unwrap();
    std::fs::write(dir.path().join(format!("campaigns/{campaign_id}.toml")), campaign).unwrap();
    // A killed worker's messages come back after the visibility timeout: keep it short here.
    std::fs::write(dir.path().join("vouch.toml"), "[worker]\nvisibility_timeout_secs = 2\npoll_interval_ms = 50\n")
        .unwrap();
    dir
}

/// Waits until no queue holds a message, ready or in flight.
pub(crate) async fn wait_until_idle(metrics_url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let metrics = client.get(format!("{metrics_url}/metrics")).send().await.unwrap().text().await.unwrap();
        let idle = |gauge: &str| {
            ["entries", "conversions", "webhooks", "events"]
                .iter()
                .all(|q| metrics.contains(&format!("vouch_{gauge}{{queue=\"{q}\"}} 0\n")))
        };
        if idle("queue_ready") && idle("queue_in_flight") {
            return;
        }
        assert!(Instant::now() < deadline, "the queues never drained: {metrics}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let out = command(dir, args).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub(crate) async fn cli_text(dir: &Path, args: &[&str]) -> String {
    let out = command(dir, args).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `name@example.com` joins the crash campaign's referral program: the join's answer (referral
/// code, progress token).
pub(crate) async fn join(bff: &str, name: &str) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{bff}/v1/campaigns/crash/referrers"))
        .header("Origin", ORIGIN)
        .json(&serde_json::json!({"first_name": name, "email": format!("{name}@example.com"), "consents": {"terms": true}}))
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

/// Where any of `needles` (lower case) is left in the files under `dir`, after the database's
/// WAL is checkpointed into it: `"needle in path"` per find.
pub(crate) fn traces_under(dir: &Path, needles: &[&str]) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("data/vouch.db")).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    drop(conn);
    found_in(&dir.join("data"), needles)
}

fn found_in(dir: &Path, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(found_in(&path, needles));
        } else if !path.ends_with("secrets.json") {
            let bytes = std::fs::read(&path).unwrap().to_ascii_lowercase();
            for t in needles {
                if bytes.windows(t.len()).any(|w| w == t.as_bytes()) {
                    found.push(format!("{t} in {}", path.display()));
                }
            }
        }
    }
    found
}
