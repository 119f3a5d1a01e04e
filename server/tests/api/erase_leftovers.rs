//! The erase's proof, widened to what lies beyond the shopper's own rows, on both backends: an
//! entry in flight that the tombstone refuses (its fingerprints, review case and idempotency
//! record), a reviewer's note quoting the shopper in the audit log, a draw they won, and a
//! conversion they made as a friend. After the erase a byte search of the SQLite files and the
//! object folder, or a scan of the DynamoDB table, finds none of it.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use vouch_core::moderation::Decision;
use vouch_server::campaigns::Campaigns;
use vouch_server::clock::now_ms;
use vouch_server::codes::fulfil::Fulfil;
use vouch_server::config::Config;
use vouch_server::crypto::sha256_hex;
use vouch_server::draw::{self, DrawRequest};
use vouch_server::privacy::erase::erase;
use vouch_server::privacy::export::export;
use vouch_server::review::Reviews;

use crate::helpers::{jpeg, TestApp};
use crate::referrals::{convert, join, SECRET};
use crate::shopper_privacy::{body, files_under, participate, traces_in, EMAIL, TRACES};

/// Every entry waits for a person, and receipts are fingerprinted for duplicates.
fn reviewed(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(demo, format!("moderation = \"all\"\nduplicates = \"review\"\n{text}")).unwrap();
}

/// A reviewer's note that quotes the shopper, as people write them.
const NOTE: &str = "Called Quillonne Vexmoorian on +49 151 2345 9876 (q.vexmoor@example.org): a fuel receipt.";

fn reviews<'a>(app: &'a TestApp, campaigns: &'a Campaigns) -> Reviews<'a> {
    let b = &app.running.backends;
    // Leaked: the test's few reviews need the pools for as long as it runs.
    let fulfil = Box::leak(Box::new(Fulfil::new(b.codes.clone(), b.code_watch.clone())));
    Reviews { store: b.store.as_ref(), moderation: b.moderation.as_ref(), mailer: b.mailer.as_ref(), campaigns, fulfil }
}

/// Everything the store holds, lower-cased: the SQLite files (WAL checkpointed) and the object
/// folder, or every attribute of the DynamoDB table.
async fn raw(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    match &app.running.backends.aws {
        Some(aws) => {
            let scan = aws.dynamodb().scan().table_name(&app.config.store.table).send().await.unwrap();
            assert!(scan.last_evaluated_key().is_none(), "one page holds the test's table");
            let items = scan.items().iter().map(|i| format!("{i:?}").to_lowercase().into_bytes());
            items.enumerate().map(|(n, bytes)| (format!("item {n}"), bytes)).collect()
        }
        None => {
            let conn = rusqlite::Connection::open(app.config.db_path()).unwrap();
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
            let mut files = files_under(&app.config.data_dir);
            files.retain(|(name, _)| !name.ends_with("secrets.json"));
            files
        }
    }
}

fn holds(files: &[(String, Vec<u8>)], needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    files
        .iter()
        .filter(|(_, b)| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(n, _)| n.clone())
        .collect()
}

async fn nothing_of_the_shopper_is_left(app: TestApp) {
    let backends = &app.running.backends;
    backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let ids = participate(&app).await;
    // A reviewer approves one entry and rejects the other with a note quoting the shopper.
    reviews(&app, &campaigns).decide(&ids[0], &Decision::Approve, "mia").await.unwrap();
    let reject = Decision::reject("wrong_store", Some(NOTE)).unwrap();
    reviews(&app, &campaigns).decide(&ids[1], &reject, "mia").await.unwrap();
    // The shopper buys as Ben's friend: the merchant reports the order.
    let (status, ben) = join(&app, "demo", "Ben", "ben@example.com").await;
    assert_eq!(status, 201);
    let code = ben["referral_code"].as_str().unwrap();
    assert_eq!(convert(&app, "order-q1", EMAIL, code, Some(SECRET)).await.status(), 202);
    app.drain().await;
    // A draw the approved entry wins (the only one that can).
    let campaign = campaigns.get("demo").unwrap();
    let req = DrawRequest {
        winners: 1,
        alternates: 0,
        beacon: "beacon".into(),
        beacon_source: None,
        force: true,
        actor: "mia".into(),
    };
    let drawn = draw::run(backends, &campaign, &req, &HashMap::new(), now_ms()).await.unwrap();
    assert_eq!(drawn.winners, [ids[0].clone()]);

    // The export shows all of it.
    let doc = serde_json::to_value(export(backends, EMAIL, None, "cli").await.unwrap().document).unwrap();
    assert_eq!(doc["wins"][0]["entry_id"], ids[0].as_str());
    assert_eq!(doc["wins"][0]["draw_id"], drawn.draw_id.as_str());
    let conversions = doc["conversions"].as_array().unwrap();
    assert_eq!(conversions.len(), 1, "{conversions:?}");
    assert_eq!(
        (conversions[0]["order_id"].as_str(), conversions[0]["client"].as_str()),
        (Some("order-q1"), Some("127.0.0.1"))
    );
    let quoted: Vec<&Value> =
        doc["audit"].as_array().unwrap().iter().filter(|r| r["action"] == "review.reject").collect();
    assert_eq!(quoted[0]["detail"], format!("wrong_store {NOTE}").as_str());

    // A third entry, held by a worker while the erase runs, then handed back.
    let upload = app.uploaded("demo", &jpeg(340, 200), "image/jpeg").await;
    let res = app.entry("demo", &body(&upload), "key-3").await;
    let in_flight = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    let queue = app.queue("entries");
    let held = queue.receive(1, Duration::from_secs(60)).await.unwrap();
    assert_eq!(held.len(), 1);
    let before = raw(&app).await;
    assert!(!traces_in(&before).is_empty());
    tokio::time::sleep(Duration::from_millis(5)).await;

    let report = erase(backends, EMAIL, None, "cli").await.unwrap();
    assert_eq!((report.audit_records, report.conversions), (1, 1), "{report:?}");
    queue.send(held[0].body.clone()).await.unwrap();
    app.drain().await;

    let after = raw(&app).await;
    assert_eq!(traces_in(&after), Vec::<String>::new());
    assert_eq!(holds(&after, &in_flight), Vec::<String>::new(), "the refused entry left nothing");
    // The conversion keeps its order, not the shopper's client (Ben's own join keeps his).
    let conversion_id = &backends.referrals.list_credits("demo").await.unwrap()[0].conversion_id;
    let conversions = backends.privacy.conversions_of(std::slice::from_ref(conversion_id)).await.unwrap();
    assert_eq!(conversions[0].order_id, "order-q1");
    assert!(
        conversions.iter().all(|c| c.client.as_deref().is_none_or(|ip| ip.starts_with("anon_"))),
        "{conversions:?}"
    );
    // The refused entry answers as unknown, and its key is free again.
    assert_eq!(backends.store.entry_state("demo", &in_flight).await.unwrap(), None);
    assert_eq!(backends.intake.earlier("demo", "key-3").await.unwrap(), None);
    assert_eq!(backends.moderation.case("demo", &in_flight).await.unwrap(), None);
    // The audit record stays, with the quotes replaced.
    let log = backends.moderation.list_audit("demo").await.unwrap();
    let rejected: Vec<_> = log.iter().filter(|r| r.action == "review.reject").collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        (rejected[0].subject.as_str(), rejected[0].detail.as_str()),
        (ids[1].as_str(), "wrong_store Called [erased] [erased] on [erased] ([erased]): a fuel receipt.")
    );
    // The draw stands; its winner is the anonymous entry.
    let kept = backends.draws.get_draw(&drawn.draw_id).await.unwrap().unwrap();
    assert_eq!(kept.winners, [ids[0].clone()]);
    assert_eq!(backends.store.get_entry("demo", &ids[0]).await.unwrap().unwrap().entrant.first_name, "");
    assert!(TRACES.iter().all(|t| !format!("{kept:?}").to_lowercase().contains(t)));
}

#[tokio::test]
async fn after_an_erase_no_leftover_of_the_shopper_is_in_the_sqlite_files_or_objects() {
    nothing_of_the_shopper_is_left(TestApp::spawn_with(reviewed).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_erase_no_leftover_of_the_shopper_is_in_the_dynamodb_table() {
    nothing_of_the_shopper_is_left(TestApp::spawn_aws_with(reviewed).await).await;
}

/// The shopper's purchase as Ben's friend is queued when the erase runs (SQS cannot be searched
/// for it): the worker credits Ben, and credits the friend to an anonymous id, mailing nobody.
async fn a_conversion_queued_before_the_erase_brings_nobody_back(app: TestApp) {
    let backends = &app.running.backends;
    backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let (_, ben) = join(&app, "demo", "Ben", "ben@example.com").await;
    let code = ben["referral_code"].as_str().unwrap();
    app.drain().await;
    assert_eq!(convert(&app, "order-q2", EMAIL, code, Some(SECRET)).await.status(), 202);
    let queue = app.queue("conversions");
    let held = queue.receive(1, Duration::from_secs(60)).await.unwrap();
    assert_eq!(held.len(), 1);
    tokio::time::sleep(Duration::from_millis(5)).await;
    erase(backends, EMAIL, None, "cli").await.unwrap();
    queue.send(held[0].body.clone()).await.unwrap();
    app.drain().await;

    let credits = backends.referrals.list_credits("demo").await.unwrap();
    let recipients: Vec<(&str, bool)> = credits
        .iter()
        .map(|c| (c.side.as_str(), vouch_server::backends::privacy::is_anonymous(&c.recipient)))
        .collect();
    assert_eq!(recipients.len(), 2, "{credits:?}");
    assert!(recipients.contains(&("referrer", false)) && recipients.contains(&("friend", true)), "{credits:?}");
    assert!(app.mails().await.iter().all(|(to, _)| !to.to_lowercase().contains("vexmoor")), "nothing is mailed");
    assert_eq!(traces_in(&raw(&app).await), Vec::<String>::new());
}

#[tokio::test]
async fn a_conversion_queued_before_an_erase_credits_an_anonymous_friend() {
    a_conversion_queued_before_the_erase_brings_nobody_back(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_queued_before_an_erase_credits_an_anonymous_friend_on_aws() {
    a_conversion_queued_before_the_erase_brings_nobody_back(TestApp::spawn_aws().await).await;
}

/// A dead letter of the shopper (their entry kept failing) goes with the erase, on SQS too, where
/// the dead-letter queue is looked through; someone else's stays.
async fn a_dead_letter_of_the_shopper_goes_with_the_erase(app: TestApp) {
    use crate::dead_letters::{break_processing, drain_until_dead, enter};
    let backends = &app.running.backends;
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    assert_eq!(app.entry("demo", &body(&upload), "key-dead").await.status(), 202);
    enter(&app, "ben@example.com", "key-ben").await;
    let _outage = break_processing(&app).await;
    drain_until_dead(&app, 2).await;
    let doc = serde_json::to_value(export(backends, EMAIL, None, "cli").await.unwrap().document).unwrap();
    let queued = doc["queued"].as_array().unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!((queued[0]["topic"].as_str(), queued[0]["dead"].as_bool()), (Some("entries"), Some(true)));

    let report = erase(backends, EMAIL, None, "cli").await.unwrap();
    assert_eq!(report.queued, 1, "{report:?}");
    let dead = vouch_server::queues::dead_letters(backends, "entries", 50).await.unwrap();
    assert_eq!(dead.len(), 1, "Ben's dead letter stays: {dead:?}");
    let again = serde_json::to_value(export(backends, EMAIL, None, "cli").await.unwrap().document).unwrap();
    assert_eq!(again["queued"], serde_json::json!([]));
}

#[tokio::test]
async fn a_dead_letter_of_the_shopper_goes_with_the_erase_embedded() {
    a_dead_letter_of_the_shopper_goes_with_the_erase(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_of_the_shopper_goes_with_the_erase_on_aws() {
    a_dead_letter_of_the_shopper_goes_with_the_erase(TestApp::spawn_aws().await).await;
}
