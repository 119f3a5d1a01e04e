//! The Shoppers page's routes as an owner uses them: a shopper's data exported (summary, document,
//! receipt links that work) and erased (the receipt gone, a second export holds nothing), an
//! unknown mailbox answered "nothing held", a malformed one refused by name and changing nothing,
//! other roles refused, every use audited under the owner with no mailbox in the log. On both
//! backends.

use serde_json::{json, Value};
use vouch_core::admin::Role;

use crate::admin_helpers::AdminClient;
use crate::dead_letters::enter;
use crate::helpers::TestApp;

const EMAIL: &str = "lena.vogt@example.com";
const EXPORT: &str = "/admin/v1/shoppers/export";
const ERASE: &str = "/admin/v1/shoppers/erase";

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The shopper.* records of an audit log, oldest first, as (actor, action, subject).
async fn shopper_audit(owner: &AdminClient, path: &str) -> Vec<(String, String, String)> {
    let (status, log) = json_of(owner.get(path).await).await;
    assert_eq!(status, 200, "{log}");
    assert!(!log.to_string().contains(EMAIL), "the mailbox is in the audit log: {log}");
    let mut seen: Vec<(String, String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"].as_str().unwrap().starts_with("shopper."))
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap().to_string();
            (field("actor"), field("action"), field("subject"))
        })
        .collect();
    seen.reverse();
    seen
}

async fn an_owner_exports_and_erases_a_shopper_through_the_admin_api(app: TestApp) {
    let owner = app.operator(Role::Owner, &[]).await;
    let entry = enter(&app, EMAIL, "k-1").await;
    app.drain().await;

    // Other roles are refused and nothing is audited for them.
    for (role, scope) in [(Role::Moderator, ["demo"]), (Role::Viewer, ["demo"])] {
        let other = app.operator(role, &scope).await;
        for path in [EXPORT, ERASE] {
            let (status, body) = json_of(other.post(path, json!({"email": EMAIL})).await).await;
            assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "{role:?} {path}");
        }
    }
    // A malformed address is refused by name, before anything is read or written.
    for path in [EXPORT, ERASE] {
        for bad in ["lena.vogt(at)example.com", ""] {
            let (status, body) = json_of(owner.post(path, json!({"email": bad})).await).await;
            assert_eq!((status, body["error"]["code"].as_str()), (422, Some("validation_failed")), "{path} {body}");
            assert_eq!(body["error"]["fields"][0]["field"], "email", "{body}");
            assert!(body["error"]["message"].as_str().unwrap().starts_with("email "), "{body}");
        }
    }
    let (status, body) = json_of(owner.post(EXPORT, json!({"email": EMAIL, "campaign": "no-such"})).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("campaign_not_found")), "{body}");
    assert_eq!(shopper_audit(&owner, "/admin/v1/audit").await, vec![], "refusals are not uses");

    let (status, export) = json_of(owner.post(EXPORT, json!({"email": EMAIL})).await).await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["nothing_held"], false);
    assert_eq!((export["held"]["entries"].as_u64(), export["held"]["consents"].as_u64()), (Some(1), Some(1)));
    assert_eq!(export["marketing_consent"], false, "the entry did not agree to marketing");
    let document = &export["document"];
    assert_eq!(
        (document["identity"].as_str(), document["format"].as_str()),
        (Some(EMAIL), Some("vouch.shopper-export/1"))
    );
    assert_eq!(document["entries"][0]["entry_id"], entry.as_str());
    let receipts = export["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 1, "{export}");
    assert_eq!(export["held"]["receipts"], 1);
    assert_eq!(document["entries"][0]["receipt_file"], receipts[0]["file"], "the document names the linked file");
    let url = receipts[0]["url"].as_str().unwrap().to_string();
    let image = app.client.get(&url).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(&image.bytes().await.unwrap()[..2], &[0xFF, 0xD8], "the receipt, a JPEG");

    // Limited to another campaign's scope would hold nothing; limited to demo holds the entry.
    let (_, scoped) = json_of(owner.post(EXPORT, json!({"email": EMAIL, "campaign": "demo"})).await).await;
    assert_eq!(
        (scoped["nothing_held"].as_bool(), scoped["document"]["campaign"].as_str()),
        (Some(false), Some("demo"))
    );

    let (status, report) = json_of(owner.post(ERASE, json!({"email": EMAIL})).await).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["nothing_held"].as_bool(), report["entries"].as_u64()), (Some(false), Some(1)), "{report}");
    assert!(report["objects"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["erased_before"], json!([]));
    assert_ne!(app.client.get(&url).send().await.unwrap().status(), 200, "the receipt is gone from the store");

    let (_, after) = json_of(owner.post(EXPORT, json!({"email": EMAIL})).await).await;
    assert_eq!(after["nothing_held"], true, "{after}");
    assert_eq!((after["held"]["entries"].as_u64(), after["held"]["erasures"].as_u64()), (Some(0), Some(1)));
    assert_eq!(after["marketing_consent"], Value::Null);
    let (_, again) = json_of(owner.post(ERASE, json!({"email": EMAIL})).await).await;
    assert_eq!(
        (again["nothing_held"].as_bool(), again["erased_before"].as_array().map(Vec::len)),
        (Some(true), Some(1))
    );

    // A mailbox never seen: an explicit answer, not an error.
    let stranger = json!({"email": "never.seen@example.org"});
    let (status, unknown) = json_of(owner.post(EXPORT, stranger.clone()).await).await;
    assert_eq!((status, unknown["nothing_held"].as_bool()), (200, Some(true)), "{unknown}");
    let (status, unknown) = json_of(owner.post(ERASE, stranger).await).await;
    assert_eq!((status, unknown["nothing_held"].as_bool(), unknown["entries"].as_u64()), (200, Some(true), Some(0)));

    // Every use audited under the owner; the shopper by hash or erasure id, never the mailbox.
    let seen = shopper_audit(&owner, "/admin/v1/audit").await;
    let actions: Vec<(&str, &str)> = seen.iter().map(|(a, b, _)| (a.as_str(), b.as_str())).collect();
    let who = owner.email.as_str();
    assert_eq!(
        actions,
        vec![
            (who, "shopper.export"),
            (who, "shopper.erase"),
            (who, "shopper.export"),
            (who, "shopper.erase"),
            (who, "shopper.export"),
            (who, "shopper.erase"),
        ]
    );
    assert_eq!(seen[1].2, report["erasure_id"].as_str().unwrap(), "the erase names its erasure");
    assert!(seen[0].2.starts_with("shopper:") && seen[0].2 == seen[2].2, "one hashed subject per mailbox: {seen:?}");
    let in_demo = shopper_audit(&owner, "/admin/v1/campaigns/demo/audit").await;
    assert_eq!(in_demo.iter().map(|(_, b, _)| b.as_str()).collect::<Vec<_>>(), vec!["shopper.export"]);
}

#[tokio::test]
async fn embedded_an_owner_exports_and_erases_a_shopper_through_the_admin_api() {
    an_owner_exports_and_erases_a_shopper_through_the_admin_api(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_an_owner_exports_and_erases_a_shopper_through_the_admin_api() {
    an_owner_exports_and_erases_a_shopper_through_the_admin_api(TestApp::spawn_aws().await).await;
}
