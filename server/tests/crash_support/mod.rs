//! Running the real `vouch` binary for the crash tests: start it on a data folder, wait until it
//! is ready or idle, and run its CLI on the same folder.

// Each crash-test binary uses a part of these, and `pub` only shares them between its modules.
#![allow(dead_code, unreachable_pub)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_vouch");

pub struct Vouch {
    pub child: Child,
    pub bff: String,
    /// The internal listener (`/metrics`).
    pub metrics: String,
}

pub fn command(dir: &Path, args: &[&str]) -> Command {
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

pub async fn serve(dir: &Path, extra: &[&str]) -> Vouch {
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

/// Waits until no queue holds a message, ready or in flight.
pub async fn wait_until_idle(metrics_url: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let metrics = client.get(format!("{metrics_url}/metrics")).send().await.unwrap().text().await.unwrap();
        let idle = |gauge: &str| {
            ["entries", "conversions", "webhooks"]
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

pub async fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let out = command(dir, args).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub async fn cli_text(dir: &Path, args: &[&str]) -> String {
    let out = command(dir, args).output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A data folder with one campaign file and a worker whose killed messages come back quickly.
pub fn data_dir(campaign_id: &str, campaign: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("campaigns")).unwrap();
    std::fs::write(dir.path().join(format!("campaigns/{campaign_id}.toml")), campaign).unwrap();
    // A killed worker's messages come back after the visibility timeout: keep it short here.
    std::fs::write(dir.path().join("vouch.toml"), "[worker]\nvisibility_timeout_secs = 2\npoll_interval_ms = 50\n")
        .unwrap();
    dir
}
