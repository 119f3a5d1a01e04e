//! Crash tests: the real `vouch` binary is killed with SIGKILL while clients are sending, then
//! restarted on the same data folder. Every entry that got a 202 must be stored exactly once, with
//! exactly one confirmation mail.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crash_support::{cli_json, cli_text, command, data_dir, serve, wait_until_idle};
use serde_json::{json, Value};

mod crash_support;

const ORIGIN: &str = "https://shop.example";
const CAMPAIGN: &str = r#"id = "crash"
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

fn setup() -> tempfile::TempDir {
    data_dir("crash", CAMPAIGN)
}

fn body(n: usize, upload_id: Option<&str>) -> Value {
    json!({
        "fields": {"first_name": "Crash", "last_name": "Test", "email": format!("c{n}@example.com"), "postal_code": "10115"},
        "consents": {"terms": true},
        "receipt_upload_id": upload_id,
    })
}

fn tiny_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// Grant + direct upload, as the widget does.
async fn upload(client: &reqwest::Client, bff: &str, bytes: &[u8]) -> Option<String> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_accepted_conversion_has_one_credit_per_side_after_a_sigkill() {
    let dir = setup();
    let mut vouch = serve(dir.path(), &[]).await;
    let secret = cli_text(dir.path(), &["secrets", "merchant", "--campaign", "crash"]).await;
    let client = reqwest::Client::new();
    let mut codes = Vec::new();
    for name in ["Anna", "Ben", "Cleo"] {
        let res = client
            .post(format!("{}/v1/campaigns/crash/referrers", vouch.bff))
            .header("Origin", ORIGIN)
            .json(&json!({"first_name": name, "email": format!("{name}@example.com"), "consents": {"terms": true}}))
            .send()
            .await
            .unwrap();
        codes.push(res.json::<Value>().await.unwrap()["referral_code"].as_str().unwrap().to_string());
    }

    // Every other order is reported by the shopper's browser first, then by the merchant.
    let accepted = Arc::new(Mutex::new(HashMap::<String, String>::new()));
    let from_browsers = Arc::new(Mutex::new(HashMap::<String, String>::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..8 {
        let (bff, secret, codes) = (vouch.bff.clone(), secret.clone(), codes.clone());
        let (accepted, from_browsers) = (accepted.clone(), from_browsers.clone());
        tasks.spawn(async move {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
            let conversion_id = |answer: Value| answer["conversion_id"].as_str().unwrap().to_string();
            for i in 0.. {
                let order = format!("order-{c}-{i}");
                let body = json!({"campaign": "crash", "order_id": order, "email": format!("friend{c}x{i}@example.com"),
                                  "referral_code": codes[i % codes.len()], "amount": 20.0, "currency": "EUR"});
                if i % 2 == 1 {
                    let url = format!("{bff}/v1/campaigns/crash/conversions");
                    let Ok(res) = client.post(url).header("Origin", ORIGIN).json(&body).send().await else { break };
                    if res.status() != 202 {
                        break;
                    }
                    let Ok(answer) = res.json::<Value>().await else { break };
                    from_browsers.lock().unwrap().insert(order.clone(), conversion_id(answer));
                }
                let Ok(res) =
                    client.post(format!("{bff}/v1/conversions")).bearer_auth(&secret).json(&body).send().await
                else {
                    break;
                };
                if res.status() != 202 {
                    break;
                }
                let Ok(answer) = res.json::<Value>().await else { break };
                accepted.lock().unwrap().insert(order, conversion_id(answer));
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    vouch.child.start_kill().unwrap();
    vouch.child.wait().await.unwrap();
    while tasks.join_next().await.is_some() {}
    let accepted = accepted.lock().unwrap().clone();
    let from_browsers = from_browsers.lock().unwrap().clone();
    eprintln!("{} merchant and {} browser reports accepted before the SIGKILL", accepted.len(), from_browsers.len());
    assert!(accepted.len() > 20, "{}", accepted.len());
    assert!(from_browsers.len() > 10, "{}", from_browsers.len());

    let vouch = serve(dir.path(), &[]).await;
    wait_until_idle(&vouch.metrics).await;
    let credits = cli_json(dir.path(), &["rewards", "list", "--campaign", "crash"]).await;
    let mut per_conversion: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    for credit in credits.as_array().unwrap() {
        per_conversion
            .entry(credit["conversion_id"].as_str().unwrap().to_string())
            .or_default()
            .push((credit["side"].as_str().unwrap().to_string(), credit["from_browser"].as_bool().unwrap()));
    }
    let sides = |conversion_id: &str| {
        let mut sides = per_conversion.get(conversion_id).cloned().unwrap_or_default();
        sides.sort();
        sides
    };
    for (order, conversion_id) in &accepted {
        // One credit per side, from the merchant's report, whoever reported the order first.
        let merchants = [("friend".to_string(), false), ("referrer".to_string(), false)];
        assert_eq!(sides(conversion_id), merchants, "order {order}, conversion {conversion_id}");
        if let Some(browsers) = from_browsers.get(order) {
            assert_eq!(browsers, conversion_id, "order {order}: one conversion for both reports");
        }
    }
    for (order, conversion_id) in from_browsers.iter().filter(|(order, _)| !accepted.contains_key(*order)) {
        let names: Vec<String> = sides(conversion_id).into_iter().map(|(side, _)| side).collect();
        assert_eq!(names, ["friend", "referrer"], "browser-only order {order}");
    }
    assert!(per_conversion.values().all(|s| s.len() == 2), "a conversion was credited twice");
}
