//! SIGKILL of `vouch worker` again and again while entries and conversions pour in, with `entry`
//! and `referrer` code pools: afterwards no code is handed out twice, every confirmed entry and
//! every approved referrer credit holds exactly one code, and each was mailed exactly once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{cli_json, cli_text, command, data_dir, serve, wait_until_idle, CAMPAIGN, ORIGIN};

const POOLS: &str = "\n[codes.entry]\n[codes.referrer]\n";

fn import(dir: &std::path::Path, pool: &str, n: usize) -> std::path::PathBuf {
    let file = dir.join(format!("{pool}.txt"));
    let codes: Vec<String> = (0..n).map(|i| format!("{}-{i:05}", pool.to_uppercase())).collect();
    std::fs::write(&file, codes.join("\n")).unwrap();
    file
}

/// The code in a mail's text ("Your code: …").
fn code_in(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("Your code: ")).map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn codes_are_handed_out_once_each_while_the_worker_is_killed_repeatedly() {
    let dir = data_dir("crash", &format!("{CAMPAIGN}{POOLS}"));
    let path = dir.path();
    for pool in ["entry", "referrer"] {
        let file = import(path, pool, 5000);
        let file = file.to_str().unwrap();
        cli_text(path, &["codes", "import", "--campaign", "crash", "--pool", pool, file]).await;
    }
    let vouch = serve(path, &["--no-worker"]).await;
    let secret = cli_text(path, &["secrets", "merchant", "--campaign", "crash"]).await;
    let client = reqwest::Client::new();
    let mut referral_codes = Vec::new();
    for name in ["Anna", "Ben"] {
        let res = client
            .post(format!("{}/v1/campaigns/crash/referrers", vouch.bff))
            .header("Origin", ORIGIN)
            .json(&json!({"first_name": name, "email": format!("{name}@example.com"), "consents": {"terms": true}}))
            .send()
            .await
            .unwrap();
        referral_codes.push(res.json::<Value>().await.unwrap()["referral_code"].as_str().unwrap().to_string());
    }

    let stop = Arc::new(Mutex::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..4 {
        let (bff, secret, codes, stop) = (vouch.bff.clone(), secret.clone(), referral_codes.clone(), stop.clone());
        tasks.spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            let jpeg = crate::entries::tiny_jpeg();
            let (mut entries, mut orders) = (0, 0);
            for i in 0.. {
                if *stop.lock().unwrap() {
                    break;
                }
                let Some(upload_id) = crate::entries::upload(&client, &bff, &jpeg).await else { break };
                let entry = json!({
                    "fields": {"first_name": "Crash", "last_name": "Test", "email": format!("e{c}x{i}@example.com"), "postal_code": "10115"},
                    "consents": {"terms": true},
                    "receipt_upload_id": upload_id,
                });
                let res = client
                    .post(format!("{bff}/v1/campaigns/crash/entries"))
                    .header("Origin", ORIGIN)
                    .header("Idempotency-Key", format!("key-{c}-{i}"))
                    .json(&entry)
                    .send()
                    .await;
                entries += usize::from(res.is_ok_and(|r| r.status() == 202));
                let order = json!({"campaign": "crash", "order_id": format!("o-{c}-{i}"), "email": format!("f{c}x{i}@example.com"),
                                   "referral_code": codes[i % codes.len()]});
                let res = client.post(format!("{bff}/v1/conversions")).bearer_auth(&secret).json(&order).send().await;
                orders += usize::from(res.is_ok_and(|r| r.status() == 202));
            }
            (entries, orders)
        });
    }
    // The worker drains under load and is killed mid-drain, again and again.
    for _ in 0..4 {
        let mut worker = command(path, &["worker"]).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        worker.start_kill().unwrap();
        worker.wait().await.unwrap();
    }
    *stop.lock().unwrap() = true;
    let (mut entries, mut orders) = (0, 0);
    while let Some(r) = tasks.join_next().await {
        let (e, o) = r.unwrap();
        (entries, orders) = (entries + e, orders + o);
    }
    eprintln!("{entries} entries and {orders} conversions accepted");
    assert!(entries > 20 && orders > 20, "{entries} entries, {orders} conversions");
    let _worker = command(path, &["worker"]).spawn().unwrap();
    wait_until_idle(&vouch.metrics).await;

    let exported = cli_json(path, &["entries", "export", "--campaign", "crash", "--format", "json"]).await;
    let confirmed = exported.as_array().unwrap().iter().filter(|e| e["status"] == "confirmed").count();
    assert_eq!(confirmed, entries, "every accepted entry confirmed");
    let credits = cli_json(path, &["rewards", "list", "--campaign", "crash"]).await;
    let approved: HashSet<String> = credits
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["side"] == "referrer" && c["state"] == "approved")
        .map(|c| c["credit_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(approved.len(), orders, "one approved referrer credit per order");

    let status = cli_json(path, &["codes", "status", "--campaign", "crash", "--format", "json"]).await;
    let pool = |name: &str| status.as_array().unwrap().iter().find(|p| p["pool"] == name).unwrap().clone();
    assert_eq!(
        (pool("entry")["assigned"].as_u64(), pool("entry")["awaiting"].as_u64()),
        (Some(entries as u64), Some(0))
    );
    assert_eq!(pool("referrer")["assigned"].as_u64(), Some(orders as u64));

    let mails = cli_json(path, &["outbox"]).await;
    let mut by_key: HashMap<String, String> = HashMap::new();
    for m in mails.as_array().unwrap() {
        let key = m["dedup_key"].as_str().unwrap().to_string();
        assert!(by_key.insert(key.clone(), m["text"].as_str().unwrap().to_string()).is_none(), "{key} twice");
    }
    let confirmation_codes: Vec<String> =
        by_key.iter().filter(|(k, _)| k.starts_with("confirmation:")).filter_map(|(_, t)| code_in(t)).collect();
    assert_eq!(confirmation_codes.len(), entries, "every confirmation carries a code");
    let reward_keys: Vec<&String> = by_key.keys().filter(|k| k.starts_with("code:crash:referrer:")).collect();
    assert_eq!(reward_keys.len(), orders, "one reward mail per approved credit");
    let reward_codes: Vec<String> = reward_keys.iter().filter_map(|k| code_in(&by_key[*k])).collect();
    let all: Vec<&String> = confirmation_codes.iter().chain(&reward_codes).collect();
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len(), "a code was handed out twice");
    assert!(confirmation_codes.iter().all(|c| c.starts_with("ENTRY-")));
    assert!(reward_codes.iter().all(|c| c.starts_with("REFERRER-")));
}
