//! The API flows again, with every backend on AWS (moto): S3 uploads with the same presigned
//! POST grants, SQS queues with dead-letter queues, DynamoDB records, SES mail.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{json, Value};
use vouch_server::backends::referrals::{Joined, NewReferrer, Referrals};
use vouch_server::backends::QueueStats;
use vouch_server::crypto::sha256_hex;

use crate::helpers::{entry_body, jpeg, new_referrer, TestApp};
use crate::support::moto;

fn unique_email(name: &str) -> String {
    format!("{name}.{}@example.com", uuid::Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_travels_through_s3_sqs_dynamodb_and_ses() {
    let app = TestApp::spawn_aws().await;
    let email = unique_email("zoe");
    let upload_id = app.uploaded("demo", &jpeg(320, 240), "image/jpeg").await;
    let res = app.entry("demo", &entry_body(&email, Some(&upload_id)), "key-1").await;
    assert_eq!(res.status(), 202);
    let entry_id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    assert_eq!(app.status("demo", &entry_id).await["status"], "accepted");

    assert_eq!(app.drain().await, 3, "the entry and its two funnel facts");
    assert_eq!(app.status("demo", &entry_id).await["status"], "confirmed");
    let entries = app.running.backends.store.list_entries("demo").await.unwrap();
    assert_eq!(entries.len(), 1);
    let receipt = entries[0].receipt_key.clone().unwrap();
    let stored = app.running.backends.objects.get(&receipt).await.unwrap().expect("the normalised receipt in S3");
    assert_eq!(vouch_core::upload::sniff_image_type(&stored), Some("image/jpeg"));
    let mails: Vec<_> = app.mails().await.into_iter().filter(|(to, _)| *to == email).collect();
    assert_eq!(mails.len(), 1, "one confirmation through SES");
    assert!(mails[0].1.contains(&entry_id));

    // The same key and body again: the first answer, nothing queued.
    let again = app.entry("demo", &entry_body(&email, Some(&upload_id)), "key-1").await;
    assert_eq!(again.json::<Value>().await.unwrap()["entry_id"], entry_id);
    assert_eq!(app.drain().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_keeps_failing_lands_in_the_sqs_dead_letter_queue() {
    let app = TestApp::spawn_aws().await;
    app.queue("entries").send("{not an entry".into()).await.unwrap();
    let upload_id = app.uploaded("demo", &jpeg(40, 40), "image/jpeg").await;
    let good = app.entry("demo", &entry_body(&unique_email("ok"), Some(&upload_id)), "k").await;
    let good_id = good.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    for _ in 0..30 {
        app.drain().await;
        if app.queue("entries").stats().await.unwrap().dead == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.status("demo", &good_id).await["status"], "confirmed");
    assert_eq!(app.queue("entries").stats().await.unwrap(), QueueStats { ready: 0, in_flight: 0, dead: 1 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_replayed_concurrently_is_credited_once_on_dynamodb() {
    let app = TestApp::spawn_aws().await;
    let secret = "vm_aws_secret";
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(secret)).await.unwrap();
    let join = json!({"first_name": "Anna", "email": unique_email("anna"), "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let code = joined["referral_code"].as_str().unwrap().to_string();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (client, url, code) = (app.client.clone(), app.url("/v1/conversions"), code.clone());
        tasks.spawn(async move {
            let body =
                json!({"campaign": "demo", "order_id": "o-1", "email": "ben@example.com", "referral_code": code});
            let res = client.post(url).bearer_auth(secret).json(&body).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        });
    }
    let mut ids = HashSet::new();
    while let Some(r) = tasks.join_next().await {
        let (status, body) = r.unwrap();
        // Concurrent duplicates are told to come back (409); the rest get the one conversion id.
        assert!(status == 202 || status == 409, "{status} {body}");
        if status == 202 {
            ids.insert(body["conversion_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 1);
    app.drain().await;
    let credits = app.running.backends.referrals.list_credits("demo").await.unwrap();
    assert_eq!(credits.len(), 2, "one credit per side");
    let progress = app.progress(&code, joined["progress_token"].as_str().unwrap()).await;
    assert_eq!((progress["conversions"].as_u64(), progress["rewards_earned"].as_u64()), (Some(1), Some(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_event_sqs_refused_is_relayed_from_dynamodb_once() {
    let app = TestApp::spawn_aws().await;
    // A BFF on the same table whose queue names lead nowhere: SQS refuses its every send.
    let mut cut_off = app.config.clone();
    cut_off.queue.prefix = format!("{}gone-", cut_off.queue.prefix);
    let cut_off = vouch_server::backends::aws::Aws::connect(&cut_off).await.unwrap().store();
    let new = NewReferrer {
        webhook: Some("the join event".into()),
        ..new_referrer("ref_stranded", "STRAND2D", "anna@example.com")
    };
    assert!(matches!(cut_off.join(new).await.unwrap(), Joined::Created(_)), "the join stands");

    let events = app.queue("webhooks");
    assert!(events.receive(10, Duration::from_secs(30)).await.unwrap().is_empty());
    let store = &app.running.backends.referrals;
    assert_eq!(store.relay_stranded_events(Duration::from_secs(60)).await.unwrap(), 0, "too fresh to relay");
    assert_eq!(store.relay_stranded_events(Duration::ZERO).await.unwrap(), 1);
    let queued = events.receive(10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(queued.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(), ["the join event"]);
    assert_eq!(store.relay_stranded_events(Duration::ZERO).await.unwrap(), 0, "relayed once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bff_on_dynamodb_refuses_to_start_without_a_shared_signing_key() {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let own = data_dir.clone();
    let adjust = move |c: &mut vouch_server::config::Config| {
        c.signing_key = None;
        c.data_dir = own;
    };
    let refused = TestApp::try_spawn_aws(moto(), None, adjust).await.err().expect("refused to start");
    assert!(format!("{refused:#}").contains("VOUCH_SIGNING_KEY"), "{refused:#}");
    assert!(!data_dir.join("secrets.json").exists(), "no key of its own was generated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_granted_by_one_bff_is_accepted_by_another() {
    let first = TestApp::spawn_aws().await;
    let second = TestApp::spawn_beside(&first).await;
    let upload_id = first.uploaded("demo", &jpeg(320, 240), "image/jpeg").await;
    let res = second.entry("demo", &entry_body(&unique_email("two"), Some(&upload_id)), "two-bffs").await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
}
