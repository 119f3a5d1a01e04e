//! Crash test for bonus entries: the worker is killed with SIGKILL, again and again, while it
//! credits conversions. After a clean restart every referrer's bonus is exactly
//! `per × approved credits` (capped), never more: no credit, and so no bonus, counted twice.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{cli_json, cli_text, command, data_dir, join, serve, wait_until_idle, CAMPAIGN};

/// The crash campaign with bonus entries: `PER` per approved credit, capped far above what the
/// test can earn.
fn bonus_campaign() -> String {
    CAMPAIGN.replace(
        "[referral]\n",
        &format!("[referral]\nbonus_entries_per_conversion = {PER}\nmax_bonus_entries = {MAX}\n"),
    )
}

const PER: u64 = 2;
/// High enough that a doubled credit would show instead of disappearing under the cap.
const MAX: u64 = 100_000;
const CONVERSIONS: usize = 240;

struct Referrer {
    email: String,
    code: String,
    token: String,
}

async fn join_as_referrer(bff: &str, name: &str) -> Referrer {
    let joined = join(bff, name).await;
    let text = |k: &str| joined[k].as_str().unwrap().to_string();
    Referrer {
        email: format!("{name}@example.com").to_lowercase(),
        code: text("referral_code"),
        token: text("progress_token"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bonus_entries_stay_exact_when_the_worker_is_killed_while_crediting() {
    let dir = data_dir("crash", &bonus_campaign());
    let vouch = serve(dir.path(), &["--no-worker"]).await;
    let secret = cli_text(dir.path(), &["secrets", "merchant", "--campaign", "crash"]).await;
    let client = reqwest::Client::new();
    let mut referrers = Vec::new();
    for name in ["Anna", "Ben", "Cleo"] {
        referrers.push(join_as_referrer(&vouch.bff, name).await);
    }

    // Every fifth friend has a disposable mailbox: that credit waits for review and earns nothing.
    let mut approvable: HashMap<String, u64> = HashMap::new();
    for i in 0..CONVERSIONS {
        let r = &referrers[i % referrers.len()];
        let disposable = i % 5 == 0;
        let friend = if disposable { format!("f{i}@mailinator.com") } else { format!("f{i}@example.com") };
        let body = json!({"campaign": "crash", "order_id": format!("o-{i}"), "email": friend, "referral_code": r.code});
        let res = client.post(format!("{}/v1/conversions", vouch.bff)).bearer_auth(&secret).json(&body).send();
        assert_eq!(res.await.unwrap().status(), 202);
        if !disposable {
            *approvable.entry(r.email.clone()).or_default() += 1;
        }
    }

    for pause_ms in [150, 300, 450] {
        let mut worker = command(dir.path(), &["worker"]).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(pause_ms)).await;
        worker.start_kill().unwrap();
        worker.wait().await.unwrap();
        let credited = cli_json(dir.path(), &["rewards", "list", "--campaign", "crash"]).await;
        eprintln!("worker killed after {pause_ms} ms: {} credits written", credited.as_array().unwrap().len());
    }
    let _worker = command(dir.path(), &["worker"]).spawn().unwrap();
    wait_until_idle(&vouch.metrics).await;

    let credits = cli_json(dir.path(), &["rewards", "list", "--campaign", "crash"]).await;
    assert_eq!(credits.as_array().unwrap().len(), 2 * CONVERSIONS, "one credit per side and conversion");
    let mut approved: HashMap<String, u64> = HashMap::new();
    for c in credits.as_array().unwrap().iter().filter(|c| c["side"] == "referrer" && c["state"] == "approved") {
        *approved.entry(c["recipient"].as_str().unwrap().to_lowercase()).or_default() += 1;
    }
    assert_eq!(approved, approvable, "every approvable credit approved once");
    for r in &referrers {
        let url = format!("{}/v1/campaigns/crash/referrers/{}/progress", vouch.bff, r.code);
        let progress: Value = client.get(url).bearer_auth(&r.token).send().await.unwrap().json().await.unwrap();
        let expected = (PER * approvable[&r.email]).min(MAX);
        assert_eq!(progress["bonus_entries"].as_u64(), Some(expected), "{}: {progress}", r.email);
    }
}
