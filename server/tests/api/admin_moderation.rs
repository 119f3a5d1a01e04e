//! The moderation queue over the admin API, on both backends: waiting entries oldest first a page
//! at a time with why each waits, decisions by a moderator (mailed once, audited, the opposite
//! decision refused), and bad decisions refused without changing anything.

use serde_json::{json, Value};
use vouch_core::admin::Role;
use vouch_server::config::Config;

use crate::admin_helpers::AdminClient;
use crate::helpers::{entry_body, TestApp};
use crate::photos::{receipt, rephotographed};

fn prepend(line: &'static str) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        let demo = config.campaigns_dir.join("demo.toml");
        let text = std::fs::read_to_string(&demo).unwrap();
        std::fs::write(demo, format!("{line}\n{text}")).unwrap();
    }
}

async fn enter(app: &TestApp, email: &str, photo: &[u8]) -> String {
    let upload = app.uploaded("demo", photo, "image/jpeg").await;
    let res = app.entry("demo", &entry_body(email, Some(&upload)), &format!("k-{email}")).await;
    assert_eq!(res.status(), 202);
    let entry_id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    app.drain().await;
    entry_id
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// Every page of the queue with `limit`: the items in the order they came.
async fn whole_queue(client: &AdminClient, limit: u32) -> Vec<Value> {
    let (mut items, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (status, page) =
            json_of(client.get(&format!("/admin/v1/campaigns/demo/review?limit={limit}{after}")).await).await;
        assert_eq!(status, 200, "{page}");
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
}

async fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails().await.into_iter().filter(|(t, _)| t == to).map(|(_, text)| text).collect()
}

async fn a_moderator_works_the_queue_oldest_first(app: TestApp) {
    let ana = enter(&app, "ana@example.com", &receipt(21)).await;
    let ben = enter(&app, "ben@example.com", &receipt(22)).await;
    let cem = enter(&app, "cem@example.com", &receipt(23)).await;
    let moderator = app.operator(Role::Moderator, &["demo"]).await;

    let first = json_of(moderator.get("/admin/v1/campaigns/demo/review?limit=2").await).await.1;
    let ids: Vec<&str> =
        first["items"].as_array().unwrap().iter().map(|i| i["entry"]["entry_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ana.as_str(), ben.as_str()], "oldest first");
    assert!(first["next_cursor"].is_string(), "a third waits");
    let item = &first["items"][0];
    assert_eq!(item["entry"]["email"], "ana@example.com");
    assert_eq!(item["entry"]["status"], "pending_review");
    assert_eq!(item["entry"]["has_receipt"], true);
    assert_eq!(item["case"]["duplicate_of"], Value::Null);
    assert_eq!(item["duplicate_receipt_url"], Value::Null);
    let receipt = app.client.get(item["receipt_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(receipt.status(), 200, "the receipt loads on this backend too");
    assert!(item["entry"]["accepted_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 in UTC");
    let all: Vec<String> =
        whole_queue(&moderator, 1).await.iter().map(|i| i["entry"]["entry_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(all, [ana.clone(), ben.clone(), cem.clone()]);

    let (status, reasons) = json_of(moderator.get("/admin/v1/campaigns/demo/review/reasons").await).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = reasons.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unreadable", "wrong_store", "outside_dates", "duplicate", "other"]);
    assert_eq!(reasons[4]["note_required"], true);
    assert_eq!(reasons[0]["note_required"], false);

    let decide = |id: &str| format!("/admin/v1/campaigns/demo/entries/{id}/decision");
    let (status, approved) = json_of(moderator.post(&decide(&ana), json!({"decision": "approve"})).await).await;
    assert_eq!((status, approved["status"].as_str()), (200, Some("approved")), "{approved}");
    // A retry after a lost answer is harmless; the opposite decision is refused.
    assert_eq!(moderator.post(&decide(&ana), json!({"decision": "approve"})).await.status(), 200);
    let (status, refused) =
        json_of(moderator.post(&decide(&ana), json!({"decision": "reject", "reason": "duplicate"})).await).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("conflict")));
    assert_eq!(mails_to(&app, "ana@example.com").await.len(), 1, "one mail with the outcome");

    // Bad decisions change nothing.
    for bad in [
        json!({"decision": "reject", "reason": "other"}),
        json!({"decision": "reject", "reason": "blurry"}),
        json!({"decision": "maybe"}),
    ] {
        let (status, body) = json_of(moderator.post(&decide(&ben), bad.clone()).await).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")), "{bad}");
    }
    let (status, body) = json_of(moderator.post(&decide("ent_nobody"), json!({"decision": "approve"})).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
    assert!(mails_to(&app, "ben@example.com").await.is_empty());

    let reject = json!({"decision": "reject", "reason": "wrong_store", "note": "A petrol station receipt."});
    let (status, rejected) = json_of(moderator.post(&decide(&ben), reject).await).await;
    assert_eq!(
        (status, rejected["status"].as_str(), rejected["reason"].as_str()),
        (200, Some("rejected"), Some("receipt_wrong_store"))
    );
    let mails = mails_to(&app, "ben@example.com").await;
    assert!(mails.len() == 1 && mails[0].contains("A petrol station receipt."), "{mails:?}");
    assert_eq!(app.status("demo", &ben).await["status"], "rejected", "the shopper sees it");

    let left: Vec<String> =
        whole_queue(&moderator, 5).await.iter().map(|i| i["entry"]["entry_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(left, [cem]);
    let audit = json_of(moderator.get("/admin/v1/campaigns/demo/audit").await).await.1;
    let decisions: Vec<(&str, &str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["actor"].as_str().unwrap(), r["action"].as_str().unwrap(), r["subject"].as_str().unwrap()))
        .collect();
    let me = moderator.email.as_str();
    assert_eq!(decisions, [(me, "review.reject", ben.as_str()), (me, "review.approve", ana.as_str())], "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_moderator_works_the_queue_oldest_first() {
    a_moderator_works_the_queue_oldest_first(TestApp::spawn_with(prepend("moderation = \"all\"")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_a_moderator_works_the_queue_oldest_first() {
    a_moderator_works_the_queue_oldest_first(TestApp::spawn_aws_with(prepend("moderation = \"all\"")).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_near_duplicate_is_shown_with_the_entry_it_copies() {
    let app = TestApp::spawn_with(prepend("duplicates = \"review\"")).await;
    let original = enter(&app, "ana@example.com", &receipt(31)).await;
    let copy = enter(&app, "ben@example.com", &rephotographed(31)).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    let items = whole_queue(&viewer, 10).await;
    assert_eq!(items.len(), 1, "only the copy waits");
    assert_eq!(items[0]["entry"]["entry_id"], copy.as_str());
    assert_eq!(items[0]["case"]["signals"], json!(["near_duplicate"]));
    assert_eq!(items[0]["case"]["duplicate_of"], original.as_str());
    assert_eq!(items[0]["case"]["duplicate_has_receipt"], true);
    // Both receipts load without credentials, as in a browser, and are the two photos entered.
    let mut images = Vec::new();
    for key in ["receipt_url", "duplicate_receipt_url"] {
        let url = items[0][key].as_str().unwrap_or_else(|| panic!("{key} in {}", items[0]));
        let res = app.client.get(url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{key}");
        images.push(image::load_from_memory(&res.bytes().await.unwrap()).unwrap());
    }
    let (copy_image, original_image) = (&images[0], &images[1]);
    assert_ne!(copy_image.to_rgb8().into_raw(), original_image.to_rgb8().into_raw(), "two different photos");
    // A cursor the route did not hand out, or a limit out of range, is refused.
    for query in ["cursor=not-a-cursor", "limit=0", "limit=101"] {
        let (status, body) = json_of(viewer.get(&format!("/admin/v1/campaigns/demo/review?{query}")).await).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")), "{query}");
    }
}
