//! SIGKILL of `vouch retention sweep` midway: the rerun resumes from the saved record and
//! completes, and nothing of the campaign's people is left in the SQLite files or the object folder.

use std::time::Duration;

use serde_json::{json, Value};

use crate::person::{enter, join, TRACES};
use crate::process::{cli_json, command, serve, setup_with, traces_under, wait_until_idle};

async fn participate(bff: &str, entries: usize) {
    let client = reqwest::Client::new();
    for n in 0..entries {
        let email = format!("q{n}.vexmoor@example.org");
        enter(&client, bff, &email, &format!("retention-{n}")).await;
        if n % 4 == 0 {
            join(&client, bff, &email).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retention_sweep_killed_midway_resumes_and_leaves_nobody() {
    // Closes within the hour, keeps data a day: the sweep runs as of two days on (`--now`).
    let now = vouch_server::clock::now_ms();
    let closes = vouch_server::crypto::format_iso8601_ms(now + 3_600_000);
    let later = vouch_server::crypto::format_iso8601_ms(now + 2 * 86_400_000);
    let dir = setup_with(&format!("closes_at = \"{closes}\"\nretention_days = 1"));
    let mut vouch = serve(dir.path(), &[]).await;
    participate(&vouch.bff, 20).await;
    wait_until_idle(&vouch.metrics).await;
    vouch.child.kill().await.unwrap();
    assert!(traces_under(dir.path(), &TRACES).len() >= TRACES.len(), "the people are there before");

    // Killed at several moments of its run (before its record, amid the steps, after the end).
    for delay in [15, 40, 80, 150, 250] {
        let mut sweep = command(dir.path(), &["retention", "sweep", "--now", &later]).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(delay)).await;
        sweep.kill().await.unwrap();
    }
    cli_json(dir.path(), &["retention", "sweep", "--now", &later]).await;
    let status: Value = cli_json(dir.path(), &["retention", "status"]).await;
    let record = &status[0]["sweep"];
    assert_eq!((status[0]["campaign"].as_str(), record["step"].as_str()), (Some("crash"), Some("done")), "{status}");
    assert_eq!(cli_json(dir.path(), &["retention", "sweep", "--now", &later]).await, json!([]), "done once");

    assert_eq!(traces_under(dir.path(), &TRACES), Vec::<String>::new());
    let entries = cli_json(dir.path(), &["entries", "export", "--campaign", "crash", "--format", "json"]).await;
    assert_eq!(entries.as_array().map(Vec::len), Some(20), "every entry is still counted: {entries}");
}
