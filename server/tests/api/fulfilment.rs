//! Fulfilment, on both backends: the shopper gets the code they are owed, in their mail and on
//! the status and progress routes, exactly once — also when a message is delivered again, and when
//! the pool was empty until an import.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use vouch_core::codes::Pool;
use vouch_core::moderation::Decision;
use vouch_core::rewards::CreditState;
use vouch_server::campaigns::Campaigns;
use vouch_server::codes::cli::{run_and_deliver, CodesCommand};
use vouch_server::codes::fulfil::{deliver_filled, Fulfil, Recipients};
use vouch_server::config::Config;
use vouch_server::crypto::sha256_hex;
use vouch_server::referrals::decisions::decide_credit;
use vouch_server::review::Reviews;

use crate::helpers::{entry_body, TestApp};
use crate::photos::receipt;
use crate::redelivery::endpoint;

const SECRET: &str = "vm_fulfilment_secret";

fn with(extra: &'static str) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap();
        // Top-level keys first (before any table), pools at the end.
        let (top, tables) = extra.split_once("\n[").map_or((extra, String::new()), |(t, r)| (t, format!("[{r}")));
        std::fs::write(demo, format!("{top}\n{text}\n{tables}\n")).unwrap();
    }
}

fn unique(name: &str) -> String {
    format!("{name}.{}@example.com", uuid::Uuid::new_v4().simple())
}

async fn import(app: &TestApp, pool: &str, codes: &[&str]) -> String {
    let file = app.config.data_dir.join(format!("codes-{}.txt", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, codes.join("\n")).unwrap();
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let command = CodesCommand::Import { campaign: "demo".into(), pool: pool.into(), file };
    let mut out = Vec::new();
    run_and_deliver(command, &campaigns, &app.running.backends, &mut out).await.unwrap();
    String::from_utf8(out).unwrap()
}

/// Posts an entry and returns its id without letting the worker at it.
async fn post_entry(app: &TestApp, email: &str, seed: u64) -> String {
    let upload = app.uploaded("demo", &receipt(seed), "image/jpeg").await;
    let res = app.entry("demo", &entry_body(email, Some(&upload)), &format!("k-{email}")).await;
    assert_eq!(res.status(), 202);
    res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string()
}

async fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails().await.into_iter().filter(|(t, _)| t == to).map(|(_, text)| text).collect()
}

/// The code after "Your code: " in `text`.
fn code_in(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("Your code: ")).map(str::to_string)
}

async fn entry_codes_reach_the_mail_and_the_status_once(app: TestApp) {
    import(&app, "entry", &["E-1", "E-2", "E-3"]).await;
    let (ana, ben) = (unique("ana"), unique("ben"));
    let first = post_entry(&app, &ana, 1).await;
    // The same message three times, as a queue may deliver it.
    let queue = app.queue("entries");
    let message = queue.receive(1, Duration::from_millis(1)).await.unwrap().remove(0);
    queue.send(message.body.clone()).await.unwrap();
    queue.send(message.body).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.drain().await;
    let second = post_entry(&app, &ben, 2).await;
    app.drain().await;

    let ana_mails = mails_to(&app, &ana).await;
    assert_eq!(ana_mails.len(), 1, "one confirmation: {ana_mails:?}");
    assert_eq!(code_in(&ana_mails[0]).as_deref(), Some("E-1"), "{}", ana_mails[0]);
    let ben_mails = mails_to(&app, &ben).await;
    assert_eq!(code_in(&ben_mails[0]).as_deref(), Some("E-2"));
    let status = app.status("demo", &first).await;
    assert_eq!((status["status"].as_str(), status["code"].as_str()), (Some("confirmed"), Some("E-1")));
    assert_eq!(app.status("demo", &second).await["code"], "E-2");
    let counts = app.running.backends.codes.status("demo").await.unwrap();
    assert_eq!((counts[0].1.assigned, counts[0].1.available), (2, 1), "the redeliveries took no code");
}

async fn an_empty_pool_makes_entries_wait_and_an_import_delivers_in_order(app: TestApp) {
    let people = [unique("a"), unique("b"), unique("c")];
    let mut ids = Vec::new();
    for (i, email) in people.iter().enumerate() {
        ids.push(post_entry(&app, email, 10 + i as u64).await);
        app.drain().await;
    }
    for (email, id) in people.iter().zip(&ids) {
        let mails = mails_to(&app, email).await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].contains("Your code follows in a separate e-mail"), "{}", mails[0]);
        let status = app.status("demo", id).await;
        assert_eq!((status["status"].as_str(), &status["code_pending"]), (Some("confirmed"), &json!(true)));
    }

    let out = import(&app, "entry", &["E-1", "E-2"]).await;
    assert!(out.contains("2 waiting item(s) got a code") && out.contains("2 code(s) mailed"), "{out}");
    for (email, code) in people.iter().zip(["E-1", "E-2"]) {
        let mails = mails_to(&app, email).await;
        assert_eq!(mails.len(), 2, "the confirmation, then the code");
        assert_eq!(mails.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), [code]);
    }
    assert_eq!(app.status("demo", &ids[1]).await["code"], "E-2");
    assert_eq!(app.status("demo", &ids[2]).await["code_pending"], true, "still in line");
    assert_eq!(mails_to(&app, &people[2]).await.len(), 1);

    let out = import(&app, "entry", &["E-1", "E-3"]).await;
    assert!(out.contains("new 1, duplicate 1") && out.contains("1 code(s) mailed"), "{out}");
    assert_eq!(app.status("demo", &ids[2]).await["code"], "E-3");
    let third = mails_to(&app, &people[2]).await;
    assert_eq!(third.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["E-3"]);
    import(&app, "entry", &["E-4"]).await;
    assert_eq!(mails_to(&app, &people[0]).await.len(), 2, "nobody is mailed twice");

    // The spare code goes to the next entry at once, in its confirmation.
    let next = unique("d");
    post_entry(&app, &next, 14).await;
    app.drain().await;
    assert_eq!(mails_to(&app, &next).await.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["E-4"]);

    // An import that died between the fill and the mail: the janitor's pass mails it, once.
    let late = unique("e");
    let id = post_entry(&app, &late, 13).await;
    app.drain().await;
    assert_eq!(app.status("demo", &id).await["code_pending"], true);
    let b = &app.running.backends;
    b.codes.import("demo", Pool::Entry, &["E-5".to_string()]).await.unwrap();
    assert_eq!(b.codes.fill_awaiting("demo", Pool::Entry).await.unwrap().len(), 1);
    assert_eq!(mails_to(&app, &late).await.len(), 1, "only the confirmation so far");
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let recipients = Recipients { store: b.store.as_ref(), referrals: b.referrals.as_ref(), webhooks: &b.webhooks };
    for _ in 0..2 {
        deliver_filled(b.codes.as_ref(), b.mailer.as_ref(), &recipients, &campaigns).await.unwrap();
    }
    let mails = mails_to(&app, &late).await;
    assert_eq!(mails.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["E-5"]);
    assert_eq!(app.status("demo", &id).await["code"], "E-5");
}

async fn an_approved_entry_gets_its_code_in_the_approval(app: TestApp) {
    import(&app, "entry", &["A-1"]).await;
    let email = unique("mia");
    let id = post_entry(&app, &email, 21).await;
    app.drain().await;
    assert_eq!(app.status("demo", &id).await["status"], "pending_review");
    assert!(app.status("demo", &id).await.get("code").is_none(), "no code before the review");
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let b = &app.running.backends;
    let fulfil = Fulfil::new(b.codes.clone(), b.code_watch.clone());
    let reviews = Reviews {
        store: b.store.as_ref(),
        moderation: b.moderation.as_ref(),
        mailer: b.mailer.as_ref(),
        campaigns: &campaigns,
        fulfil: &fulfil,
    };
    reviews.decide(&id, &Decision::Approve, "mia").await.unwrap();
    reviews.decide(&id, &Decision::Approve, "mia").await.unwrap();
    let mails = mails_to(&app, &email).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(code_in(&mails[0]).as_deref(), Some("A-1"), "{}", mails[0]);
    assert_eq!(app.status("demo", &id).await["code"], "A-1");
}

async fn join(app: &TestApp, email: &str) -> (String, String) {
    let body = json!({"first_name": "Anna", "email": email, "consents": {"terms": true}});
    let joined: Value = app.post_json("/v1/campaigns/demo/referrers", &body, None).await.json().await.unwrap();
    (joined["referral_code"].as_str().unwrap().into(), joined["progress_token"].as_str().unwrap().into())
}

async fn convert(app: &TestApp, order: &str, email: &str, code: &str) {
    let body = json!({"campaign": "demo", "order_id": order, "email": email, "referral_code": code});
    let res = app.client.post(app.url("/v1/conversions")).bearer_auth(SECRET).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 202);
}

/// The credit pools, and the campaign's webhook pointed at `url`.
fn credit_pools(url: String) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap().replace("# WEBHOOK", &format!("webhook_url = \"{url}\""));
        std::fs::write(demo, format!("{text}\n{CREDIT_POOLS}")).unwrap();
    }
}

async fn approved_credits_get_codes_once_and_the_referrer_sees_them(app: TestApp, hooks: Arc<Mutex<Vec<Value>>>) {
    app.running.backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    app.running.backends.referrals.set_webhook_secret("demo", "whsec_fulfilment").await.unwrap();
    import(&app, "referrer", &["R-1", "R-2"]).await;
    import(&app, "friend", &["F-1"]).await;
    let referrer = unique("anna");
    let (code, token) = join(&app, &referrer).await;
    let friend = unique("fred");
    convert(&app, "o-1", &friend, &code).await;
    let queue = app.queue("conversions");
    let message = queue.receive(1, Duration::from_millis(1)).await.unwrap().remove(0);
    queue.send(message.body.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.drain().await;
    app.drain().await;

    let mails = mails_to(&app, &referrer).await;
    assert_eq!(mails.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["R-1"], "{mails:?}");
    let friend_mails = mails_to(&app, &friend).await;
    assert_eq!(friend_mails.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["F-1"], "{friend_mails:?}");
    let progress = app.progress(&code, &token).await;
    assert_eq!(progress["reward_codes"], json!(["R-1"]));
    let fulfilled: Vec<Value> =
        hooks.lock().unwrap().iter().filter(|e| e["type"] == "reward.fulfilled").cloned().collect();
    let ids: std::collections::HashSet<&str> = fulfilled.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "one event per credit (repeats share the id): {fulfilled:?}");
    let side = |s: &str| fulfilled.iter().find(|e| e["data"]["side"] == s).unwrap()["data"].clone();
    assert!(side("referrer")["code_id"].is_string() && side("referrer").get("code").is_none(), "the id, not the code");
    assert_eq!(side("friend")["code"], "F-1", "the friend pool opted in to the code");

    // A flagged conversion (a throwaway mailbox) waits; the operator's approval hands out the code.
    convert(&app, "o-2", "x@mailinator.com", &code).await;
    app.drain().await;
    let pending = app.running.backends.referrals.list_credits("demo").await.unwrap();
    let waiting = pending.iter().find(|c| c.state == CreditState::Pending && c.recipient == referrer).unwrap();
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let b = &app.running.backends;
    let decided = decide_credit(b.referrals.as_ref(), &campaigns, &waiting.credit_id, CreditState::Approved, None)
        .await
        .unwrap()
        .unwrap();
    vouch_server::codes::credits::fulfil_decided(b, &campaigns, &decided).await.unwrap();
    // `vouch rewards approve` again (after a run that stopped before the code): the same code.
    let again = vouch_server::codes::credits::fulfil_approved(b, &campaigns, &waiting.credit_id).await.unwrap();
    assert!(again);
    let friend_side = pending.iter().find(|c| c.state == CreditState::Pending && c.recipient != referrer).unwrap();
    let not_approved = vouch_server::codes::credits::fulfil_approved(b, &campaigns, &friend_side.credit_id).await;
    assert!(!not_approved.unwrap(), "a pending credit gets no code");
    let progress = app.progress(&code, &token).await;
    assert_eq!(progress["reward_codes"], json!(["R-1", "R-2"]));
    let mails = mails_to(&app, &referrer).await;
    assert_eq!(mails.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["R-1", "R-2"]);
    let status = b.codes.status("demo").await.unwrap();
    let referrer_pool = status.iter().find(|(p, _)| *p == Pool::Referrer).unwrap().1;
    assert_eq!((referrer_pool.assigned, referrer_pool.available), (2, 0));

    // The pool is dry: the next referrer's reward waits, then an import mails and announces it.
    let second = unique("bea");
    let (code_b, token_b) = join(&app, &second).await;
    convert(&app, "o-3", &unique("gus"), &code_b).await;
    app.drain().await;
    let progress = app.progress(&code_b, &token_b).await;
    assert_eq!((progress.get("reward_codes"), &progress["reward_codes_pending"]), (None, &json!(1)));
    assert!(mails_to(&app, &second).await.is_empty());
    let out = import(&app, "referrer", &["R-3"]).await;
    assert!(out.contains("1 code(s) mailed"), "{out}");
    app.drain().await;
    assert_eq!(app.progress(&code_b, &token_b).await["reward_codes"], json!(["R-3"]));
    let mails = mails_to(&app, &second).await;
    assert_eq!(mails.iter().filter_map(|m| code_in(m)).collect::<Vec<_>>(), ["R-3"]);
    let announced = hooks.lock().unwrap().iter().filter(|e| e["type"] == "reward.fulfilled").count();
    assert!(announced >= 4, "R-1, F-1, R-2 and R-3 announced: {announced}");
}

const ENTRY_POOL: &str = "\n[codes.entry]\nlow_water = 1\n";
const REVIEWED: &str = "moderation = \"all\"\n[codes.entry]\n";
const CREDIT_POOLS: &str =
    "[codes.referrer]\n[codes.friend]\nhand_out = \"conversion\"\nwebhook_includes_code = true\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_entry_codes_reach_the_mail_and_the_status_once() {
    entry_codes_reach_the_mail_and_the_status_once(TestApp::spawn_with(with(ENTRY_POOL)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_entry_codes_reach_the_mail_and_the_status_once() {
    entry_codes_reach_the_mail_and_the_status_once(TestApp::spawn_aws_with(with(ENTRY_POOL)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_an_empty_pool_makes_entries_wait_and_an_import_delivers_in_order() {
    an_empty_pool_makes_entries_wait_and_an_import_delivers_in_order(TestApp::spawn_with(with(ENTRY_POOL)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_an_empty_pool_makes_entries_wait_and_an_import_delivers_in_order() {
    an_empty_pool_makes_entries_wait_and_an_import_delivers_in_order(TestApp::spawn_aws_with(with(ENTRY_POOL)).await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_an_approved_entry_gets_its_code_in_the_approval() {
    an_approved_entry_gets_its_code_in_the_approval(TestApp::spawn_with(with(REVIEWED)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_an_approved_entry_gets_its_code_in_the_approval() {
    an_approved_entry_gets_its_code_in_the_approval(TestApp::spawn_aws_with(with(REVIEWED)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_approved_credits_get_codes_once_and_the_referrer_sees_them() {
    let (hooks, url) = endpoint().await;
    let app = TestApp::spawn_with(credit_pools(url)).await;
    approved_credits_get_codes_once_and_the_referrer_sees_them(app, hooks).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_approved_credits_get_codes_once_and_the_referrer_sees_them() {
    let (hooks, url) = endpoint().await;
    let app = TestApp::spawn_aws_with(credit_pools(url)).await;
    approved_credits_get_codes_once_and_the_referrer_sees_them(app, hooks).await;
}

async fn draw_winners_get_prize_codes_once(app: TestApp) {
    import(&app, "winner", &["W-1"]).await;
    let people = [unique("w1"), unique("w2"), unique("w3")];
    for (i, email) in people.iter().enumerate() {
        post_entry(&app, email, 30 + i as u64).await;
    }
    app.drain().await;
    let closed = crate::draw::campaign_closing(&app, -1);
    let backends = &app.running.backends;
    let request = vouch_server::draw::DrawRequest {
        winners: 2,
        alternates: 0,
        beacon: "beacon".into(),
        beacon_source: None,
        force: false,
        actor: "test".into(),
    };
    let now = vouch_server::clock::now_ms();
    let drawn = vouch_server::draw::run(backends, &closed, &request, &Default::default(), now).await.unwrap();
    vouch_server::draw::notify(backends, &closed, &drawn).await.unwrap();
    let winner_mails = || async {
        let mut mails: Vec<String> =
            app.mails().await.into_iter().map(|(_, t)| t).filter(|t| t.contains("drawn as a winner")).collect();
        mails.sort_by_key(|t| !t.contains("Your code: "));
        mails
    };
    let mails = winner_mails().await;
    assert_eq!(mails.len(), 2);
    assert_eq!(code_in(&mails[0]).as_deref(), Some("W-1"), "{mails:?}");
    assert!(mails[1].contains("Your code follows"), "{}", mails[1]);
    let held = backends.codes.assigned("demo", Pool::Winner, &drawn.winners[0]).await.unwrap();
    let first = if held.is_some() { &drawn.winners[0] } else { &drawn.winners[1] };
    assert!(mails[0].contains(first.as_str()), "W-1 went to the winner who holds it");

    let out = import(&app, "winner", &["W-2"]).await;
    assert!(out.contains("1 code(s) mailed"), "{out}");
    let all: Vec<String> = app.mails().await.into_iter().filter_map(|(_, t)| code_in(&t)).collect();
    assert_eq!(all.iter().filter(|c| c.starts_with("W-")).count(), 2);
    assert!(all.contains(&"W-2".to_string()));
}

const WINNER_POOL: &str = "\n[codes.winner]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_draw_winners_get_prize_codes_once() {
    draw_winners_get_prize_codes_once(TestApp::spawn_with(with(WINNER_POOL)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_draw_winners_get_prize_codes_once() {
    draw_winners_get_prize_codes_once(TestApp::spawn_aws_with(with(WINNER_POOL)).await).await;
}
