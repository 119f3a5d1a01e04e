//! SIGKILL of `vouch serve` while merchants and browsers report orders: every accepted conversion
//! has exactly one credit per side.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{cli_json, cli_text, join, serve, setup, wait_until_idle, ORIGIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_accepted_conversion_has_one_credit_per_side_after_a_sigkill() {
    let dir = setup();
    let mut vouch = serve(dir.path(), &[]).await;
    let secret = cli_text(dir.path(), &["secrets", "merchant", "--campaign", "crash"]).await;
    let mut codes = Vec::new();
    for name in ["Anna", "Ben", "Cleo"] {
        codes.push(join(&vouch.bff, name).await["referral_code"].as_str().unwrap().to_string());
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
