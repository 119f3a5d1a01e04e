//! The prize draw end to end, on both backends: entries go in through the API and the worker,
//! then draw → verify (match) → forfeit (the first alternate is promoted and mailed) → verify
//! still matches, a later draw leaves the earlier winners out, and bad requests change nothing.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vouch_core::wire::EntryStatus;
use vouch_server::backends::StoredEntry;
use vouch_server::campaigns::{Campaign, Campaigns};
use vouch_server::clock::now_ms;
use vouch_server::draw::{self, DrawFailure, DrawRequest};

use crate::helpers::{entry_body, jpeg, TestApp};
use crate::support::entrant;

const CONFIRMED: usize = 6;

/// The demo campaign as the operator's `vouch draw` sees it, closing `closes_in` seconds from now.
pub(crate) fn campaign_closing(app: &TestApp, closes_in: i64) -> std::sync::Arc<Campaign> {
    let demo = app.config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let ours = ["closes_at", "[draw]", "claim_days"];
    let text: String =
        text.lines().filter(|l| !ours.iter().any(|o| l.starts_with(o))).map(|l| format!("{l}\n")).collect();
    let at = (OffsetDateTime::now_utc() + time::Duration::seconds(closes_in)).format(&Rfc3339).unwrap();
    std::fs::write(&demo, format!("closes_at = \"{at}\"\n{text}[draw]\nclaim_days = 10\n")).unwrap();
    Campaigns::load_dir(&app.config.campaigns_dir).unwrap().get("demo").unwrap()
}

fn request(winners: usize, alternates: usize, beacon: &str) -> DrawRequest {
    DrawRequest {
        winners,
        alternates,
        beacon: beacon.into(),
        beacon_source: Some("drand mainnet round 4242".into()),
        force: false,
        actor: "test".into(),
    }
}

/// Six confirmed entries and one rejected (its "receipt" is not an image): entry ids by e-mail.
/// Entrants with an odd number enter in German.
async fn entries(app: &TestApp) -> HashMap<String, String> {
    for i in 0..=CONFIRMED {
        let bytes = if i == CONFIRMED { b"not an image at all".to_vec() } else { jpeg(64, 48) };
        let upload = app.uploaded("demo", &bytes, "image/jpeg").await;
        let mut body = entry_body(&format!("entrant{i}@example.com"), Some(&upload));
        if i % 2 == 1 {
            body["locale"] = "de".into();
        }
        let res = app.entry("demo", &body, &format!("k{i}")).await;
        assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    }
    app.drain().await;
    let stored = app.running.backends.store.list_entries("demo").await.unwrap();
    assert_eq!(stored.iter().filter(|e| e.status == EntryStatus::Confirmed).count(), CONFIRMED);
    stored.into_iter().map(|e| (e.entrant.email, e.entry_id)).collect()
}

/// A confirmed entry recorded straight into the store, as if it arrived after a draw.
fn late_entry() -> StoredEntry {
    StoredEntry {
        entry_id: "ent_late".into(),
        campaign: "demo".into(),
        idempotency_key: "k-late".into(),
        entrant: entrant(),
        receipt_key: None,
        status: EntryStatus::Confirmed,
        reason: None,
        accepted_at_ms: now_ms(),
        processed_at_ms: now_ms(),
        locale: None,
    }
}

/// Winner mails so far (texts that announce a win), by recipient.
async fn winner_mails(app: &TestApp) -> Vec<(String, String)> {
    let mut mails: Vec<_> = app
        .mails()
        .await
        .into_iter()
        .filter(|(_, text)| text.contains("drawn as a winner") || text.contains("als Gewinn"))
        .collect();
    mails.sort();
    mails
}

fn webhook_types(bodies: &[String]) -> Vec<String> {
    bodies.iter().map(|b| serde_json::from_str::<Value>(b).unwrap()["type"].as_str().unwrap().to_string()).collect()
}

async fn draw_verify_forfeit_redraw(app: TestApp) {
    let ids = entries(&app).await;
    let rejected = &ids["entrant6@example.com"];
    let backends = &app.running.backends;
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let hooks = app.queue("webhooks");
    hooks.receive(100, Duration::from_secs(60)).await.unwrap(); // whatever the entries queued

    // Bad requests first: each is refused and leaves no draw, mail or webhook behind.
    let open = campaign_closing(&app, 3600);
    let refused = draw::run(backends, &open, &request(2, 0, "b"), &HashMap::new(), now_ms()).await;
    assert!(matches!(refused, Err(DrawFailure::NotClosed { .. })), "{refused:?}");
    let closed = campaign_closing(&app, -60);
    let refused = draw::run(backends, &closed, &request(CONFIRMED + 1, 0, "b"), &HashMap::new(), now_ms()).await;
    assert!(
        matches!(refused, Err(DrawFailure::TooFewEntries { eligible: CONFIRMED, winners: 7 })),
        "the rejected entry is not eligible: {refused:?}"
    );
    assert!(backends.draws.list_draws("demo").await.unwrap().is_empty());
    assert!(winner_mails(&app).await.is_empty());

    // The draw.
    let first = draw::run(backends, &closed, &request(2, 2, "beacon-1"), &HashMap::new(), now_ms()).await.unwrap();
    assert_eq!((first.winners.len(), first.alternates.len(), first.eligible), (2, 2, CONFIRMED as u64));
    assert!(!first.winners.contains(rejected) && !first.alternates.contains(rejected));
    assert_eq!(first.beacon_source.as_deref(), Some("drand mainnet round 4242"));
    let day = 24 * 3600 * 1000;
    assert!((first.claim_deadline_ms - first.created_at_ms - 10 * day).abs() < 1000);
    let v = draw::verify(backends, &first.draw_id).await.unwrap();
    assert!(v.matches(), "{:?}", v.differences);
    let mailed = winner_mails(&app).await;
    assert_eq!(mailed.len(), 2);
    for w in &first.winners {
        assert!(mailed.iter().any(|(_, text)| text.contains(w.as_str())), "{w} mailed: {mailed:?}");
    }
    // Notifying again (as after an interrupted run) mails no one twice.
    draw::notify(backends, &closed, &first).await.unwrap();
    assert_eq!(winner_mails(&app).await.len(), 2);
    let events: Vec<String> =
        hooks.receive(10, Duration::from_secs(60)).await.unwrap().into_iter().map(|d| d.body).collect();
    assert_eq!(webhook_types(&events), ["draw.completed"]);
    let event: Value = serde_json::from_str(&events[0]).unwrap();
    assert_eq!(event["data"]["seed"], first.seed.as_str());
    assert!(!events[0].contains("@example.com"), "no mailboxes in the webhook: {}", events[0]);

    // Forfeit: the first alternate takes the place, is mailed, and the draw still verifies.
    let (after, promoted) =
        draw::forfeit(backends, &campaigns, &first.draw_id, &first.winners[0], "test", now_ms()).await.unwrap();
    assert_eq!(promoted.as_ref(), Some(&first.alternates[0]));
    assert_eq!(after.current_winners(), [first.alternates[0].clone(), first.winners[1].clone()]);
    let mailed = winner_mails(&app).await;
    assert_eq!(mailed.len(), 3);
    assert!(mailed.iter().any(|(_, text)| text.contains(first.alternates[0].as_str())));
    assert!(draw::verify(backends, &first.draw_id).await.unwrap().matches());

    // A non-winner's forfeit and an unknown draw: refused, nothing changed.
    let stored = backends.draws.get_draw(&first.draw_id).await.unwrap().unwrap();
    let not_winner = draw::forfeit(backends, &campaigns, &first.draw_id, rejected, "test", now_ms()).await;
    assert!(matches!(not_winner, Err(DrawFailure::NotAWinner { .. })), "{not_winner:?}");
    let unknown = draw::forfeit(backends, &campaigns, "drw_nope", &first.winners[1], "test", now_ms()).await;
    assert!(matches!(unknown, Err(DrawFailure::UnknownDraw(_))), "{unknown:?}");
    assert!(matches!(draw::verify(backends, "drw_nope").await, Err(DrawFailure::UnknownDraw(_))));
    assert_eq!(backends.draws.get_draw(&first.draw_id).await.unwrap().unwrap(), stored);
    assert_eq!(winner_mails(&app).await.len(), 3);

    // A later draw leaves out everyone who held a win, mails no one twice, and the first draw
    // still verifies afterwards.
    let second = draw::run(backends, &closed, &request(3, 0, "beacon-2"), &HashMap::new(), now_ms()).await.unwrap();
    assert_eq!(second.eligible, (CONFIRMED - 3) as u64);
    for w in first.winners.iter().chain([&first.alternates[0]]) {
        assert!(!second.winners.contains(w) && second.excluded.contains(w));
    }
    assert_eq!(winner_mails(&app).await.len(), 6);
    assert!(draw::verify(backends, &first.draw_id).await.unwrap().matches());
    assert!(draw::verify(backends, &second.draw_id).await.unwrap().matches());
    let too_many = draw::run(backends, &closed, &request(1, 0, "beacon-3"), &HashMap::new(), now_ms()).await;
    assert!(matches!(too_many, Err(DrawFailure::TooFewEntries { eligible: 0, winners: 1 })), "{too_many:?}");

    // An entry that appears after the draw makes it fail verification, and says how.
    backends.store.record_entry(&late_entry()).await.unwrap();
    let v = draw::verify(backends, &second.draw_id).await.unwrap();
    assert!(!v.matches());
    assert!(v.differences.iter().any(|d| d.contains("eligible entries: recorded 3, now 4")), "{:?}", v.differences);
}

/// `vouch draw` killed right after its commit: the record (and its webhook) are stored, no winner
/// was mailed. The next run of the campaign's draw mails them, once.
async fn an_interrupted_draws_winners_are_mailed_once_by_the_next_run(app: TestApp) {
    let ids = entries(&app).await;
    let backends = &app.running.backends;
    let closed = campaign_closing(&app, -60);
    let mut stranded = draw::run(backends, &closed, &request(1, 0, "b"), &HashMap::new(), now_ms()).await.unwrap();
    // Stands in for the stored-but-not-mailed draw: same shape, other winners, never notified.
    stranded.draw_id = "drw_stranded".into();
    stranded.sequence = 2;
    // One who entered in English, one in German, neither the real draw's winner.
    let first_not_won = |parity: usize| {
        let candidates = (0..CONFIRMED).filter(|i| i % 2 == parity);
        candidates.map(|i| ids[&format!("entrant{i}@example.com")].clone()).find(|id| *id != stranded.winners[0])
    };
    stranded.winners = vec![first_not_won(0).unwrap(), first_not_won(1).unwrap()];
    assert!(backends.draws.save_draw(&stranded, &[]).await.unwrap());
    assert_eq!(winner_mails(&app).await.len(), 1);
    draw::run(backends, &closed, &request(1, 0, "c"), &HashMap::new(), now_ms()).await.unwrap();
    draw::notify(backends, &closed, &stranded).await.unwrap();
    let mailed = winner_mails(&app).await;
    assert_eq!(mailed.len(), 4, "{mailed:?}");
    for w in &stranded.winners {
        let theirs: Vec<_> = mailed.iter().filter(|(_, text)| text.contains(w.as_str())).collect();
        assert_eq!(theirs.len(), 1, "{w}: {mailed:?}");
        // In the language the winner entered in.
        let (to, text) = theirs[0];
        let german = to.trim_start_matches("entrant").trim_end_matches("@example.com").parse::<u32>().unwrap() % 2 == 1;
        assert_eq!(text.contains("Hallo"), german, "{to}: {text}");
        assert_eq!(text.contains("Hi "), !german, "{to}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_interrupted_draw_mails_once() {
    an_interrupted_draws_winners_are_mailed_once_by_the_next_run(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_interrupted_draw_mails_once() {
    an_interrupted_draws_winners_are_mailed_once_by_the_next_run(TestApp::spawn_aws().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_draw_verify_forfeit_and_redraw() {
    draw_verify_forfeit_redraw(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_draw_verify_forfeit_and_redraw() {
    draw_verify_forfeit_redraw(TestApp::spawn_aws().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_draw_commands_exit_non_zero_on_refusals_and_mismatches() {
    let app = TestApp::spawn().await;
    entries(&app).await;
    campaign_closing(&app, -60);

    let (ok, _, err) = app.cli(&["draw", "--campaign", "demo", "--winners", "7", "--beacon", "b"]);
    assert!(!ok && err.contains("only 6 entries are eligible"), "{err}");
    let (ok, out, err) =
        app.cli(&["draw", "--campaign", "demo", "--winners", "2", "--alternates", "1", "--beacon", "b"]);
    assert!(ok, "{err}");
    let drawn: Value = serde_json::from_str(&out).unwrap();
    let id = drawn["draw_id"].as_str().unwrap();
    let (ok, out, _) = app.cli(&["draw", "verify", id]);
    assert!(ok && out.contains("match"), "{out}");
    let (ok, _, err) = app.cli(&["draw", "forfeit", id, "ent_nobody"]);
    assert!(!ok && err.contains("not a current winner"), "{err}");
    let (ok, _, err) = app.cli(&["draw", "verify", "drw_nope"]);
    assert!(!ok && err.contains("no draw"), "{err}");
    let (ok, out, _) = app.cli(&["draw", "forfeit", id, drawn["winners"][1].as_str().unwrap()]);
    assert!(ok && out.contains(drawn["alternates"][0].as_str().unwrap()), "{out}");
    let (ok, out, _) = app.cli(&["draw", "list", "--campaign", "demo"]);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert!(ok && listed.as_array().unwrap().len() == 1 && listed[0]["history"].as_array().unwrap().len() == 1);

    // An entry recorded after the draw: verify says what differs and fails.
    app.running.backends.store.record_entry(&late_entry()).await.unwrap();
    let (ok, out, _) = app.cli(&["draw", "verify", id]);
    assert!(!ok && out.contains("MISMATCH") && out.contains("eligible entries: recorded 6, now 7"), "{out}");
}
