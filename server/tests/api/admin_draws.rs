//! Prize draws over the admin API, on both backends: an open campaign is refused as `vouch draw`
//! refuses it, then a forced draw mails its winners, verifies, takes a forfeit (the alternate is
//! promoted and mailed), shows each winner's contact status and audits every write.

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vouch_core::admin::Role;
use vouch_server::backends::draws::DrawRecord;
use vouch_server::config::Config;

use crate::helpers::{entry_body, jpeg, TestApp};

/// The demo campaign closing an hour from now: still open.
fn closing_later(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let at = (OffsetDateTime::now_utc() + time::Duration::hours(1)).format(&Rfc3339).unwrap();
    std::fs::write(demo, format!("closes_at = \"{at}\"\n{text}")).unwrap();
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

async fn draws_are_run_verified_and_forfeited(app: TestApp) {
    for i in 0..5 {
        let upload = app.uploaded("demo", &jpeg(64 + i, 48), "image/jpeg").await;
        let res =
            app.entry("demo", &entry_body(&format!("winner{i}@example.com"), Some(&upload)), &format!("k{i}")).await;
        assert_eq!(res.status(), 202);
    }
    app.drain().await;
    let moderator = app.operator(Role::Moderator, &["demo"]).await;
    let draws = "/admin/v1/campaigns/demo/draws";
    let ask = json!({"winners": 2, "alternates": 1, "beacon": "drand 4242: 9f1c0b", "beacon_source": "drand mainnet round 4242"});

    let (status, refused) = json_of(moderator.post(draws, ask.clone()).await).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("conflict")), "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("still open"), "{refused}");
    assert_eq!(json_of(moderator.get(draws).await).await.1, json!([]), "nothing was drawn");
    for bad in [
        json!({"winners": 0, "beacon": "b", "force": true}),
        json!({"winners": 9, "beacon": "b", "force": true}),
        json!({"winners": 1, "beacon": " ", "force": true}),
    ] {
        let (status, body) = json_of(moderator.post(draws, bad.clone()).await).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")), "{bad}");
    }

    let mut forced = ask.clone();
    forced["force"] = json!(true);
    let (status, draw) = json_of(moderator.post(draws, forced).await).await;
    assert_eq!(status, 201, "{draw}");
    let (winners, alternates) = (ids(&draw["winners"]), ids(&draw["alternates"]));
    assert_eq!((winners.len(), alternates.len(), draw["eligible"].as_u64()), (2, 1, Some(5)));
    assert_eq!(draw["beacon"], "drand 4242: 9f1c0b");
    assert_eq!(draw["actor"], moderator.email.as_str());
    for c in draw["contacts"].as_array().unwrap() {
        assert!(c["notified"] == true && c["notified_at"].as_str().unwrap().ends_with('Z'), "winners are mailed: {c}");
    }
    let draw_id = draw["draw_id"].as_str().unwrap().to_string();
    let one = format!("{draws}/{draw_id}");
    assert_eq!(json_of(moderator.get(&one).await).await.1["draw_id"], draw_id.as_str());
    assert_eq!(json_of(moderator.get(draws).await).await.1.as_array().unwrap().len(), 1);
    let (status, missing) = json_of(moderator.get(&format!("{draws}/drw_nothing")).await).await;
    assert_eq!((status, missing["error"]["code"].as_str()), (404, Some("not_found")));

    // A viewer may verify: it changes nothing.
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    let (status, verified) = json_of(viewer.post(&format!("{one}/verify"), json!({})).await).await;
    assert_eq!((status, verified["matches"].as_bool()), (200, Some(true)), "{verified}");

    let forfeit = format!("{one}/forfeit");
    let (status, after) = json_of(moderator.post(&forfeit, json!({"entry_id": winners[0]})).await).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(ids(&after["current_winners"]), [alternates[0].clone(), winners[1].clone()]);
    let contact =
        |id: &str| after["contacts"].as_array().unwrap().iter().find(|c| c["entry_id"] == id).unwrap().clone();
    let gone = contact(&winners[0]);
    assert_eq!((gone["current"].as_bool(), gone["forfeited"].as_bool()), (Some(false), Some(true)));
    let promoted = contact(&alternates[0]);
    assert_eq!(
        (promoted["current"].as_bool(), promoted["promoted"].as_bool(), promoted["notified"].as_bool()),
        (Some(true), Some(true), Some(true))
    );
    let (status, again) = json_of(moderator.post(&forfeit, json!({"entry_id": winners[0]})).await).await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("conflict")), "no longer a winner");
    assert_eq!(json_of(moderator.post(&format!("{one}/verify"), json!({})).await).await.1["matches"], true);

    // Notifying again mails nobody twice.
    let before = app.mails().await.len();
    let (status, _) = json_of(moderator.post(&format!("{one}/notify"), json!({})).await).await;
    assert_eq!(status, 200);
    assert_eq!(app.mails().await.len(), before);

    let audit = json_of(moderator.get("/admin/v1/campaigns/demo/audit").await).await.1;
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["actor"].as_str().unwrap()))
        .collect();
    let me = moderator.email.as_str();
    assert_eq!(actions, [("draw.notify", me), ("draw.forfeit", me), ("draw", me)], "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_draws_are_run_verified_and_forfeited() {
    draws_are_run_verified_and_forfeited(TestApp::spawn_with(closing_later).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_draws_are_run_verified_and_forfeited() {
    draws_are_run_verified_and_forfeited(TestApp::spawn_aws_with(closing_later).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_that_never_closes_is_refused_without_force() {
    let app = TestApp::spawn().await;
    let owner = app.operator(Role::Owner, &[]).await;
    let (status, body) =
        json_of(owner.post("/admin/v1/campaigns/demo/draws", json!({"winners": 1, "beacon": "b"})).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")), "demo never closes: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("force"), "{body}");
}

/// A draw stored by a run killed before its mails: the console shows the winner as not notified
/// until `notify` mails it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_winner_left_unmailed_is_shown_and_notify_mails_it() {
    let app = TestApp::spawn().await;
    let upload = app.uploaded("demo", &jpeg(80, 60), "image/jpeg").await;
    let res = app.entry("demo", &entry_body("late@example.com", Some(&upload)), "k-late").await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    app.drain().await;
    let entry_id = app.running.backends.store.list_entries("demo").await.unwrap()[0].entry_id.clone();
    let record = DrawRecord {
        draw_id: "drw_interrupted".into(),
        campaign: "demo".into(),
        sequence: 1,
        algorithm: vouch_core::draw::ALGORITHM.into(),
        inputs_digest: "00".into(),
        eligible: 1,
        beacon: "b".into(),
        beacon_source: None,
        seed: "00".into(),
        winners: vec![entry_id.clone()],
        alternates: Vec::new(),
        excluded: Vec::new(),
        weights: Vec::new(),
        created_at_ms: vouch_server::clock::now_ms(),
        actor: "cli:ops".into(),
        claim_deadline_ms: vouch_server::clock::now_ms() + 86_400_000,
        history: Vec::new(),
    };
    assert!(app.running.backends.draws.save_draw(&record, &[]).await.unwrap());
    let moderator = app.operator(Role::Moderator, &["demo"]).await;
    let one = "/admin/v1/campaigns/demo/draws/drw_interrupted";
    let shown = json_of(moderator.get(one).await).await.1;
    assert_eq!(shown["contacts"][0]["entry_id"], entry_id.as_str());
    assert_eq!(
        (shown["contacts"][0]["notified"].as_bool(), &shown["contacts"][0]["notified_at"]),
        (Some(false), &Value::Null)
    );
    let winner_mails = || async { app.mails().await.into_iter().filter(|(to, _)| to == "late@example.com").count() };
    let before = winner_mails().await;

    let (status, after) = json_of(moderator.post(&format!("{one}/notify"), json!({})).await).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["contacts"][0]["notified"], true);
    assert!(after["contacts"][0]["notified_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(winner_mails().await, before + 1, "the winner is mailed once");
    moderator.post(&format!("{one}/notify"), json!({})).await;
    assert_eq!(winner_mails().await, before + 1, "and not again");
}
