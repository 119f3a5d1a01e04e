//! SIGKILL of `vouch shopper erase` midway: the rerun completes the erase and nothing of the
//! shopper is left in the SQLite files or the object folder.

use std::time::Duration;

use serde_json::{json, Value};

use crate::person::{enter, join, TRACES};
use crate::process::{cli_json, command, serve, setup, traces_under, wait_until_idle};

const EMAIL: &str = "Q.Vexmoor+crash@Example.org";

async fn participate(bff: &str, entries: usize) {
    let client = reqwest::Client::new();
    for n in 0..entries {
        enter(&client, bff, EMAIL, &format!("erase-{n}")).await;
    }
    join(&client, bff, EMAIL).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_erase_killed_midway_completes_on_its_rerun_and_leaves_nothing() {
    let dir = setup();
    let mut vouch = serve(dir.path(), &[]).await;
    participate(&vouch.bff, 12).await;
    wait_until_idle(&vouch.metrics).await;
    vouch.child.kill().await.unwrap();
    assert!(traces_under(dir.path(), &TRACES).len() >= TRACES.len(), "the person is there before");

    // Killed at several moments of its run (early: before or during the tombstone; later: amid
    // the objects and rows).
    for delay in [10, 40, 80, 150] {
        let mut erase = command(dir.path(), &["shopper", "erase", EMAIL]).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(delay)).await;
        erase.kill().await.unwrap();
    }
    let report = cli_json(dir.path(), &["shopper", "erase", EMAIL]).await;
    assert!(report["erasure_id"].as_str().is_some_and(|id| id.starts_with("era_")), "{report}");
    let again = cli_json(dir.path(), &["shopper", "erase", EMAIL]).await;
    assert_eq!((again["nothing_held"].as_bool(), again["entries"].as_u64()), (Some(true), Some(0)), "{again}");

    let out = dir.path().join("export");
    let export = command(dir.path(), &["shopper", "export", EMAIL, "--out", out.to_str().unwrap()]).output();
    assert!(export.await.unwrap().status.success());
    let doc: Value = serde_json::from_slice(&std::fs::read(out.join("shopper.json")).unwrap()).unwrap();
    for kind in ["entries", "referrers", "credits", "entry_limits", "queued", "mails"] {
        assert_eq!(doc[kind], json!([]), "{kind} left: {doc}");
    }
    std::fs::remove_dir_all(&out).unwrap();
    assert_eq!(traces_under(dir.path(), &TRACES), Vec::<String>::new());
}
