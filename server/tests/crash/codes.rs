//! SIGKILL of `vouch worker` again and again while entries and conversions pour in, with `entry`
//! and `referrer` code pools: afterwards no code is handed out twice, every confirmed entry and
//! every approved referrer credit holds exactly one code, and each was mailed exactly once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::process::{cli_json, cli_text, command, data_dir, join, serve, wait_until_idle, CAMPAIGN, ORIGIN};

const POOLS: &str = "\n[codes.entry]\n[codes.referrer]\n";

fn import(dir: &std::path::Path, pool: &str, batch: &str, n: usize) -> std::path::PathBuf {
    let file = dir.join(format!("{pool}{batch}.txt"));
    let codes: Vec<String> = (0..n).map(|i| format!("{}-{batch}{i:05}", pool.to_uppercase())).collect();
    std::fs::write(&file, codes.join("\n")).unwrap();
    file
}

/// The code in a mail's text ("Your code: …").
fn code_in(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("Your code: ")).map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn codes_are_handed_out_once_each_while_the_worker_is_killed_repeatedly() {
    handed_out_once_each(5000).await;
}

/// The entry pool runs dry under load: the rest wait, and an import after the crashes fills them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn entries_wait_for_a_dry_pool_across_kills_and_an_import_fills_each_once() {
    handed_out_once_each(30).await;
}

async fn handed_out_once_each(entry_codes: usize) {
    let dir = data_dir("crash", &format!("{CAMPAIGN}{POOLS}"));
    let path = dir.path();
    for (pool, n) in [("entry", entry_codes), ("referrer", 5000)] {
        let file = import(path, pool, "", n);
        let file = file.to_str().unwrap();
        cli_text(path, &["codes", "import", "--campaign", "crash", "--pool", pool, file]).await;
    }
    let vouch = serve(path, &["--no-worker"]).await;
    let secret = cli_text(path, &["secrets", "merchant", "--campaign", "crash"]).await;
    let mut referral_codes = Vec::new();
    for name in ["Anna", "Ben"] {
        referral_codes.push(join(&vouch.bff, name).await["referral_code"].as_str().unwrap().to_string());
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

    let status = |pool: &'static str| async move {
        let all = cli_json(path, &["codes", "status", "--campaign", "crash", "--format", "json"]).await;
        let p = all.as_array().unwrap().iter().find(|p| p["pool"] == pool).unwrap().clone();
        (p["assigned"].as_u64().unwrap() as usize, p["awaiting"].as_u64().unwrap() as usize)
    };
    let handed = entries.min(entry_codes);
    assert_eq!(status("entry").await, (handed, entries - handed), "every entry holds a code or waits");
    assert_eq!(status("referrer").await.0, orders);
    if handed < entries {
        let file = import(path, "entry", "B", entries);
        let out =
            cli_text(path, &["codes", "import", "--campaign", "crash", "--pool", "entry", file.to_str().unwrap()])
                .await;
        assert!(out.contains(&format!("{} code(s) mailed", entries - handed)), "{out}");
        assert_eq!(status("entry").await, (entries, 0));
    }

    let mails = cli_json(path, &["outbox"]).await;
    let mut by_key: HashMap<String, String> = HashMap::new();
    for m in mails.as_array().unwrap() {
        let key = m["dedup_key"].as_str().unwrap().to_string();
        assert!(by_key.insert(key.clone(), m["text"].as_str().unwrap().to_string()).is_none(), "{key} twice");
    }
    let codes_under = |prefix: &str| -> Vec<String> {
        by_key.iter().filter(|(k, _)| k.starts_with(prefix)).filter_map(|(_, t)| code_in(t)).collect()
    };
    let entry_codes_mailed: Vec<String> =
        codes_under("confirmation:").into_iter().chain(codes_under("code:crash:entry:")).collect();
    assert_eq!(entry_codes_mailed.len(), entries, "every entry mailed exactly one code");
    let reward_keys = by_key.keys().filter(|k| k.starts_with("code:crash:referrer:")).count();
    assert_eq!(reward_keys, orders, "one reward mail per approved credit");
    let reward_codes = codes_under("code:crash:referrer:");
    let all: Vec<&String> = entry_codes_mailed.iter().chain(&reward_codes).collect();
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len(), "a code was handed out twice");
    assert!(entry_codes_mailed.iter().all(|c| c.starts_with("ENTRY-")));
    assert!(reward_codes.iter().all(|c| c.starts_with("REFERRER-")));
}
