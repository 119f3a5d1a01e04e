//! Who the draw takes, as the rest of the lifecycle decides it: an entry a person approved takes
//! part and one still under review does not; a referrer who entered holds 1 + their bonus entries;
//! the draw and a forfeit are in the campaign's audit log beside review decisions. Both backends.

use vouch_core::referral::identity_email;
use vouch_core::wire::EntryStatus;
use vouch_server::backends::StoredEntry;
use vouch_server::campaigns::Campaigns;
use vouch_server::clock::now_ms;
use vouch_server::crypto::sha256_hex;
use vouch_server::draw::{self, DrawRequest};
use vouch_server::referrals::bonus::bonus_entries;

use crate::bonus::{convert, two_per_conversion_up_to_five, SECRET};
use crate::helpers::{entry_body, jpeg, TestApp};
use crate::support::entrant;

fn decided(entry_id: &str, status: EntryStatus) -> StoredEntry {
    let mut person = entrant();
    person.email = format!("{entry_id}@example.com");
    StoredEntry {
        entry_id: entry_id.into(),
        campaign: "demo".into(),
        idempotency_key: format!("k-{entry_id}"),
        entrant: person,
        receipt_key: None,
        status,
        reason: None,
        accepted_at_ms: now_ms(),
        processed_at_ms: now_ms(),
        locale: None,
    }
}

async fn approved_and_bonus_entries_are_drawn_and_the_draw_is_audited(app: TestApp) {
    let backends = &app.running.backends;
    backends.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let join = serde_json::json!({"first_name": "Anna", "email": "anna@example.com", "consents": {"terms": true}});
    let anna: serde_json::Value =
        app.post_json("/v1/campaigns/demo/referrers", &join, None).await.json().await.unwrap();
    let code = anna["referral_code"].as_str().unwrap();
    let upload = app.uploaded("demo", &jpeg(64, 48), "image/jpeg").await;
    assert_eq!(app.entry("demo", &entry_body("anna@example.com", Some(&upload)), "k-anna").await.status(), 202);
    convert(&app, "o-1", "ben@example.com", code).await;
    convert(&app, "o-2", "cara@example.com", code).await;
    app.drain().await;
    let annas = backends.store.list_entries("demo").await.unwrap().remove(0);
    assert!(backends.store.record_entry(&decided("ent_approved", EntryStatus::Approved)).await.unwrap());
    assert!(backends.store.record_entry(&decided("ent_waiting", EntryStatus::PendingReview)).await.unwrap());

    let campaign = Campaigns::load_dir(&app.config.campaigns_dir).unwrap().get("demo").unwrap();
    let bonus = bonus_entries(backends.referrals.as_ref(), &campaign).await.unwrap();
    assert_eq!(bonus.get(&identity_email(&annas.entrant.email)), Some(&4), "two approved credits, two each");
    let request = DrawRequest {
        winners: 2,
        alternates: 0,
        beacon: "beacon".into(),
        beacon_source: None,
        force: true,
        actor: "mia".into(),
    };
    let record = draw::run(backends, &campaign, &request, &bonus, now_ms()).await.unwrap();
    assert_eq!(record.eligible, 2, "Anna's confirmed entry and the approved one; not the one under review");
    let mut winners = record.winners.clone();
    winners.sort();
    let mut expected = vec![annas.entry_id.clone(), "ent_approved".to_string()];
    expected.sort();
    assert_eq!(winners, expected);
    let weights: Vec<(String, u32)> = record.weights.iter().map(|(id, w)| (id.clone(), *w)).collect();
    assert_eq!(weights, [(annas.entry_id.clone(), 5)], "1 + 4 bonus entries");
    assert!(draw::verify(backends, &record.draw_id).await.unwrap().matches());

    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    draw::forfeit(backends, &campaigns, &record.draw_id, "ent_approved", "mia", now_ms()).await.unwrap();
    let audit = backends.moderation.list_audit("demo").await.unwrap();
    let trail: Vec<(&str, &str, &str)> =
        audit.iter().map(|a| (a.actor.as_str(), a.action.as_str(), a.subject.as_str())).collect();
    assert_eq!(trail, [("mia", "draw", record.draw_id.as_str()), ("mia", "draw.forfeit", record.draw_id.as_str())]);
    assert!(audit[1].detail.contains("ent_approved"), "{}", audit[1].detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_approved_and_bonus_entries_are_drawn_and_the_draw_is_audited() {
    let app = TestApp::spawn_with(two_per_conversion_up_to_five).await;
    approved_and_bonus_entries_are_drawn_and_the_draw_is_audited(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_approved_and_bonus_entries_are_drawn_and_the_draw_is_audited() {
    let app = TestApp::spawn_aws_with(two_per_conversion_up_to_five).await;
    approved_and_bonus_entries_are_drawn_and_the_draw_is_audited(app).await;
}
