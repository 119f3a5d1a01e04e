//! SIGKILL of `vouch serve` while shoppers click their marketing opt-in links: every click that
//! got a 200 `confirmed` is still confirmed after the restart (a second click answers
//! `already_confirmed` with the same time), and the clicks cut off by the kill can be repeated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{cli_json, serve, setup, wait_until_idle, ORIGIN};

const SHOPPERS: usize = 40;

async fn confirm(client: &reqwest::Client, bff: &str, link: &str) -> Option<(u16, Value)> {
    let res = client.get(format!("{bff}{link}")).header("Accept", "application/json").send().await.ok()?;
    let status = res.status().as_u16();
    Some((status, res.json().await.ok()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_answered_confirmation_survives_a_sigkill() {
    let dir = setup();
    let file = dir.path().join("campaigns/crash.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("[form.upload]\n", "[form.upload]\nrequired = false\n");
    std::fs::write(&file, text).unwrap();
    let vouch = serve(dir.path(), &[]).await;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    for i in 0..SHOPPERS {
        let body = json!({
            "fields": {"first_name": "Opt", "last_name": "In", "email": format!("optin{i}@example.com"), "postal_code": "10115"},
            "consents": {"terms": true, "marketing": true},
        });
        let res = client
            .post(format!("{}/v1/campaigns/crash/entries", vouch.bff))
            .header("Origin", ORIGIN)
            .header("Idempotency-Key", format!("optin-{i}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    wait_until_idle(&vouch.metrics).await;
    let outbox = cli_json(dir.path(), &["outbox"]).await;
    let links: Vec<String> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| {
            let text = m["text"].as_str()?;
            let at = text.find("/v1/consents/confirm?token=")?;
            Some(text[at..].split_whitespace().next()?.to_string())
        })
        .collect();
    assert_eq!(links.len(), SHOPPERS, "one opt-in mail per shopper");

    let mut vouch = vouch;
    let answered: Arc<Mutex<HashMap<usize, (u16, Value)>>> = Arc::default();
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..4 {
        let (bff, links, answered, client) = (vouch.bff.clone(), links.clone(), answered.clone(), client.clone());
        tasks.spawn(async move {
            for i in (lane..SHOPPERS).step_by(4) {
                let Some(answer) = confirm(&client, &bff, &links[i]).await else { break };
                answered.lock().unwrap().insert(i, answer);
            }
        });
    }
    while answered.lock().unwrap().len() < SHOPPERS / 4 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    vouch.child.start_kill().unwrap(); // SIGKILL: no shutdown code runs
    vouch.child.wait().await.unwrap();
    while tasks.join_next().await.is_some() {}
    let before = answered.lock().unwrap().clone();
    eprintln!("{} of {SHOPPERS} confirmations answered before the SIGKILL", before.len());
    assert!(before.len() < SHOPPERS, "the kill should land while shoppers are still clicking");
    assert!(before.values().all(|(s, a)| *s == 200 && a["status"] == "confirmed"), "{before:?}");

    let vouch = serve(dir.path(), &[]).await;
    for (i, link) in links.iter().enumerate() {
        let (status, again) = confirm(&client, &vouch.bff, link).await.expect("an answer");
        assert_eq!(status, 200, "{again}");
        match before.get(&i) {
            Some((_, first)) => {
                assert_eq!(again["status"], "already_confirmed", "confirmation {i} answered 200 was lost");
                assert_eq!(again["confirmed_at"], first["confirmed_at"], "the first confirmation's time stands");
            }
            // Cut off by the kill: either it was written before the kill, or it is now.
            None => assert!(again["status"] == "confirmed" || again["status"] == "already_confirmed", "{again}"),
        }
    }
    drop(vouch);
}
