//! SIGKILL of `vouch retention sweep` midway: the rerun resumes from the saved record and
//! completes, and nothing of the campaign's people is left in the SQLite files or the object folder.

use std::time::Duration;

use serde_json::{json, Value};

use crate::entries::{tiny_jpeg, upload};
use crate::process::{cli_json, command, serve, setup_with, traces_under, wait_until_idle, ORIGIN};

/// Lower-cased forms a byte search looks for.
const TRACES: [&str; 3] = ["vexmoor", "quillonne", "15123459876"];

async fn participate(bff: &str, entries: usize) {
    let client = reqwest::Client::new();
    for n in 0..entries {
        let upload_id = upload(&client, bff, &tiny_jpeg()).await.expect("uploaded");
        let body = json!({
            "fields": {"first_name": "Quillonne", "last_name": "Vexmoorian", "email": format!("q{n}.vexmoor@example.org"),
                       "phone": "+49 151 2345 9876", "postal_code": "10115"},
            "consents": {"terms": true, "marketing": true},
            "receipt_upload_id": upload_id,
        });
        let res = client
            .post(format!("{bff}/v1/campaigns/crash/entries"))
            .header("Origin", ORIGIN)
            .header("Idempotency-Key", format!("retention-{n}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        if n % 4 == 0 {
            let join = json!({"first_name": "Quillonne", "email": format!("q{n}.vexmoor@example.org"),
                              "consents": {"terms": true}});
            let res = client
                .post(format!("{bff}/v1/campaigns/crash/referrers"))
                .header("Origin", ORIGIN)
                .json(&join)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
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
