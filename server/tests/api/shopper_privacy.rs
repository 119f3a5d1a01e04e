//! `vouch shopper export|erase` over a real server: what an export holds, and the proof that an
//! erase leaves no trace of the e-mail, name or phone in the SQLite files, the object folder, the
//! DynamoDB table or S3; an entry in flight during the erase does not come back.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use vouch_server::privacy::erase::erase;
use vouch_server::privacy::export::{export, write};
use vouch_server::privacy::PrivacyError;

use vouch_server::consents::consents_of_mailbox;

use crate::consents::open_link;
use crate::helpers::{jpeg, TestApp};
use crate::referrals::join;

pub(crate) const EMAIL: &str = "Q.Vexmoor+giveaway@Example.org";
pub(crate) const FIRST: &str = "Quillonne";
pub(crate) const LAST: &str = "Vexmoorian";
pub(crate) const PHONE: &str = "+49 151 2345 9876";

/// What must be nowhere after an erase, in the forms the stores could keep it (the phone as
/// normalised and as typed).
pub(crate) const TRACES: [&str; 4] = ["vexmoor", "quillonne", "15123459876", "2345 9876"];

pub(crate) fn body(upload_id: &str) -> Value {
    json!({
        "fields": {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "phone": PHONE, "postal_code": "80331"},
        "consents": {"terms": true, "marketing": true},
        "receipt_upload_id": upload_id,
        "referral_code": null
    })
}

/// Two entries with receipts, decided by the worker, and a referrer sign-up.
pub(crate) async fn participate(app: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, side) in [(1, 300), (2, 320)] {
        let upload = app.uploaded("demo", &jpeg(side, 200), "image/jpeg").await;
        let res = app.entry("demo", &body(&upload), &format!("key-{i}")).await;
        assert_eq!(res.status(), 202);
        ids.push(res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string());
    }
    assert_eq!(join(app, "demo", FIRST, "q.vexmoor@example.org").await.0, 201);
    app.drain().await;
    ids
}

/// The opt-in links mailed to the shopper (however the address was spelled), as path and query.
async fn optin_links(app: &TestApp) -> Vec<String> {
    const PATH: &str = "/v1/consents/confirm?token=";
    let mails = app.mails().await;
    let theirs = mails.iter().filter(|(to, text)| to.to_lowercase().contains("vexmoor") && text.contains(PATH));
    theirs.map(|(_, text)| text[text.find(PATH).unwrap()..].split_whitespace().next().unwrap().to_string()).collect()
}

/// Every file under `dir`, as bytes, lower-cased.
pub(crate) fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap().to_ascii_lowercase()));
        }
    }
    out
}

pub(crate) fn traces_in(files: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut found = Vec::new();
    for (name, bytes) in files {
        for t in TRACES {
            if bytes.windows(t.len()).any(|w| w == t.as_bytes()) {
                found.push(format!("{t} in {name}"));
            }
        }
    }
    found
}

#[tokio::test]
async fn an_export_holds_entries_consents_receipts_referrer_and_mails_and_no_analytics() {
    let app = TestApp::spawn().await;
    let ids = participate(&app).await;
    let backends = &app.running.backends;
    let done = export(backends, "q.vexmoor@EXAMPLE.org", None, "cli").await.unwrap();
    let doc = serde_json::to_value(&done.document).unwrap();
    assert_eq!(doc["format"], "vouch.shopper-export/1");
    assert_eq!(doc["identity"], "q.vexmoor@example.org");
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.iter().map(|e| e["entry_id"].as_str().unwrap()).collect::<Vec<_>>(), ids);
    assert_eq!(
        (entries[0]["first_name"].as_str(), entries[0]["phone"].as_str()),
        (Some(FIRST), Some("+4915123459876"))
    );
    // The consent records: terms and marketing with each entry, terms with the sign-up.
    let consents = doc["consents"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> =
        consents.iter().map(|c| (c["kind"].as_str().unwrap(), c["given_with"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [("terms", "entry"), ("marketing", "entry"), ("terms", "entry"), ("marketing", "entry"), ("terms", "referrer")]
    );
    assert_eq!(consents[0]["source"], ids[0].as_str());
    let marketing = &consents[1];
    assert!(marketing["label"].as_str().is_some_and(|l| !l.is_empty()), "the words shown: {marketing}");
    assert_eq!(marketing["version"], vouch_core::consent::wording_version(marketing["label"].as_str().unwrap()));
    assert_eq!((marketing["locale"].as_str(), marketing["campaign"].as_str()), (Some("en"), Some("demo")));
    assert!(marketing["given_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(marketing["marketing"], "pending", "not confirmed through the mailed link yet");
    assert!(marketing.get("confirmed_at").is_none());
    assert!(consents[0].get("marketing").is_none(), "terms have no opt-in");
    assert_eq!(doc["referrers"][0]["first_name"], FIRST);
    assert_eq!(doc["mails"].as_array().unwrap().len(), 4, "both confirmations and both opt-in mails");
    assert_eq!(doc["analytics"]["records"], json!([]));
    assert_eq!(done.receipts.len(), 2);
    assert!(done.receipts.iter().all(|r| r.bytes.starts_with(&[0xFF, 0xD8])), "JPEG images");
    let out = tempfile::tempdir().unwrap();
    write(&done, out.path()).unwrap();
    let written: Value = serde_json::from_slice(&std::fs::read(out.path().join("shopper.json")).unwrap()).unwrap();
    let file = written["entries"][0]["receipt_file"].as_str().unwrap();
    assert_eq!(std::fs::read(out.path().join(file)).unwrap(), done.receipts[0].bytes);
    // Limited to a campaign the shopper is not in: nothing.
    let other = export(backends, EMAIL, Some("other"), "cli").await.unwrap();
    assert!(other.document.entries.is_empty() && other.receipts.is_empty());
    let audit = backends.moderation.list_audit("*").await.unwrap();
    assert_eq!(audit.iter().filter(|r| r.action == "shopper.export" && r.actor == "cli").count(), 1);
    assert!(audit.iter().all(|r| !r.subject.to_lowercase().contains("vexmoor")));
}

#[tokio::test]
async fn after_an_erase_no_byte_of_the_sqlite_files_or_the_object_folder_holds_the_person() {
    let app = TestApp::spawn().await;
    let ids = participate(&app).await;
    // A third entry still queued (not yet taken by a worker).
    let upload = app.uploaded("demo", &jpeg(340, 200), "image/jpeg").await;
    assert_eq!(app.entry("demo", &body(&upload), "key-3").await.status(), 202);
    let backends = &app.running.backends;
    let data_files = || {
        let conn = rusqlite::Connection::open(app.config.db_path()).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        let mut files = files_under(&app.config.data_dir);
        files.retain(|(name, _)| !name.ends_with("secrets.json"));
        files
    };
    let found = traces_in(&data_files());
    for t in &TRACES[..3] {
        assert!(found.iter().any(|f| f.starts_with(t)), "the search finds {t} before the erase: {found:?}");
    }
    // Marketing given with both entries: one confirmed through its mailed link, one pending.
    let links = optin_links(&app).await;
    assert_eq!(links.len(), 2, "an opt-in mail per entry");
    assert_eq!(open_link(&app, &links[0], true).await.0, 200);
    let records = consents_of_mailbox(backends.consents.as_ref(), EMAIL, None).await.unwrap();
    assert_eq!(records.len(), 5, "terms and marketing per entry, terms with the sign-up");
    assert_eq!(records.iter().filter(|r| r.confirmed_at_ms.is_some()).count(), 1);
    let credits_before = backends.referrals.list_credits("demo").await.unwrap().len();
    let counts_before = backends.store.list_entries("demo").await.unwrap().len();

    let report = erase(backends, EMAIL, None, "cli").await.unwrap();
    assert!(!report.nothing_held && report.erased_before.is_empty());
    assert_eq!((report.entries, report.referrers, report.queued, report.mails), (2, 1, 1, 4));
    assert_eq!(report.consents, 5);
    assert!(report.objects >= 3, "two receipts and the queued upload: {report:?}");

    let files = data_files();
    assert!(files.iter().any(|(n, _)| n.ends_with("vouch.db")));
    assert_eq!(traces_in(&files), Vec::<String>::new());
    // The opt-in links mailed before the erase: invalid now, and nothing is written back.
    for link in &links {
        let (status, answer) = open_link(&app, link, true).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer.contains("opt_in_link_invalid"), "{answer}");
    }
    assert!(consents_of_mailbox(backends.consents.as_ref(), EMAIL, None).await.unwrap().is_empty());
    assert_eq!(traces_in(&data_files()), Vec::<String>::new());
    for id in &ids {
        assert!(!app.object_path(&format!("receipts/demo/{id}.jpg")).exists());
    }
    // The campaign's counts and the ledger stand; the entries are there, anonymous.
    assert_eq!(backends.store.list_entries("demo").await.unwrap().len(), counts_before);
    assert_eq!(backends.referrals.list_credits("demo").await.unwrap().len(), credits_before);
    assert_eq!(backends.store.get_entry("demo", &ids[0]).await.unwrap().unwrap().entrant.first_name, "");

    // Again: harmless, and recognised as a repeat.
    let again = erase(backends, EMAIL, None, "cli").await.unwrap();
    assert_eq!((again.erased_before.len(), again.entries, again.consents, again.objects), (1, 0, 0, 0));
    assert!(again.nothing_held);
    let audit = backends.moderation.list_audit("*").await.unwrap();
    assert_eq!(audit.iter().filter(|r| r.action == "shopper.erase" && r.actor == "cli").count(), 2);
}

#[tokio::test]
async fn an_unknown_address_is_nothing_held_and_a_malformed_one_changes_nothing() {
    let app = TestApp::spawn().await;
    participate(&app).await;
    let backends = &app.running.backends;
    let unknown = erase(backends, "nobody@example.net", None, "cli").await.unwrap();
    assert!(unknown.nothing_held);
    assert_eq!((unknown.entries, unknown.referrers, unknown.objects), (0, 0, 0));
    let audit = backends.moderation.list_audit("*").await.unwrap().len();
    let err = erase(backends, "not-an-address", None, "cli").await.unwrap_err();
    assert!(matches!(err, PrivacyError::MalformedEmail(vouch_core::FieldCode::InvalidEmail)), "{err}");
    assert!(!err.to_string().contains("not-an-address"), "the input is not echoed: {err}");
    assert!(matches!(export(backends, "", None, "cli").await, Err(PrivacyError::MalformedEmail(_))));
    assert_eq!(backends.moderation.list_audit("*").await.unwrap().len(), audit, "nothing written");
    assert_eq!(
        backends
            .privacy
            .entries_of(&vouch_server::privacy::shopper(backends, EMAIL, None).unwrap())
            .await
            .unwrap()
            .len(),
        2
    );
}

/// The worker holds the shopper's entry while the erase runs, then records it: refused, and what
/// it wrote (the receipt's copy) and the original upload go. `redeliver` puts the held message
/// back as the queue would after the worker's visibility runs out.
async fn an_entry_in_flight_stays_erased(app: TestApp) {
    let upload = app.uploaded("demo", &jpeg(300, 200), "image/jpeg").await;
    let res = app.entry("demo", &body(&upload), "key-1").await;
    let entry_id = res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string();
    let queue = app.queue("entries");
    let held = queue.receive(1, Duration::from_secs(60)).await.unwrap();
    assert_eq!(held.len(), 1);
    // Tests move the clock forward past the acceptance (the same millisecond would not be after).
    tokio::time::sleep(Duration::from_millis(5)).await;
    let backends = &app.running.backends;
    erase(backends, EMAIL, Some("demo"), "cli").await.unwrap();
    queue.send(held[0].body.clone()).await.unwrap();
    app.drain().await;
    assert_eq!(backends.store.get_entry("demo", &entry_id).await.unwrap(), None);
    let who = vouch_server::privacy::shopper(backends, EMAIL, None).unwrap();
    assert!(backends.privacy.entries_of(&who).await.unwrap().is_empty());
    let normalised = format!("receipts/demo/{entry_id}.jpg");
    assert_eq!(backends.objects.head(&normalised).await.unwrap(), None);
    let original: Value = serde_json::from_str(&held[0].body).unwrap();
    assert_eq!(backends.objects.head(original["receipt_key"].as_str().unwrap()).await.unwrap(), None);
    assert!(app.mails().await.iter().all(|(to, _)| !to.to_lowercase().contains("vexmoor")), "no confirmation");
    let consents = backends.consents.as_ref();
    assert!(consents_of_mailbox(consents, EMAIL, None).await.unwrap().is_empty(), "no consent record comes back");
    // A new entry after the erase is the shopper's new participation: recorded.
    let upload = app.uploaded("demo", &jpeg(310, 200), "image/jpeg").await;
    assert_eq!(app.entry("demo", &body(&upload), "key-2").await.status(), 202);
    app.drain().await;
    assert_eq!(backends.privacy.entries_of(&who).await.unwrap().len(), 1);
}

/// A message redelivered after its entry was recorded and the shopper erased (the worker's ack was
/// lost): the anonymised entry stands, and neither the consent records nor an opt-in mail return.
async fn a_redelivery_after_the_erase_brings_no_consent_back(app: TestApp) {
    let upload = app.uploaded("demo", &jpeg(300, 200), "image/jpeg").await;
    assert_eq!(app.entry("demo", &body(&upload), "key-1").await.status(), 202);
    let queue = app.queue("entries");
    let held = queue.receive(1, Duration::from_secs(60)).await.unwrap();
    queue.send(held[0].body.clone()).await.unwrap();
    app.drain().await;
    let backends = &app.running.backends;
    let consents = backends.consents.as_ref();
    assert_eq!(consents_of_mailbox(consents, EMAIL, None).await.unwrap().len(), 2, "terms and marketing");
    let report = erase(backends, EMAIL, None, "cli").await.unwrap();
    assert_eq!((report.entries, report.consents), (1, 2));
    let mails = app.mails().await.len();
    queue.send(held[0].body.clone()).await.unwrap();
    app.drain().await;
    assert!(consents_of_mailbox(consents, EMAIL, None).await.unwrap().is_empty(), "no consent record comes back");
    assert_eq!(app.mails().await.len(), mails, "no opt-in mail is sent again");
}

#[tokio::test]
async fn a_redelivery_after_an_erase_records_no_consent() {
    a_redelivery_after_the_erase_brings_no_consent_back(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_after_an_erase_records_no_consent_on_aws() {
    a_redelivery_after_the_erase_brings_no_consent_back(TestApp::spawn_aws().await).await;
}

#[tokio::test]
async fn an_entry_in_flight_during_an_erase_is_not_recorded_after_it() {
    an_entry_in_flight_stays_erased(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_in_flight_during_an_erase_is_not_recorded_after_it_on_aws() {
    an_entry_in_flight_stays_erased(TestApp::spawn_aws().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_an_erase_on_aws_a_scan_of_the_table_and_the_bucket_find_nothing() {
    let app = TestApp::spawn_aws().await;
    let ids = participate(&app).await;
    let backends = &app.running.backends;
    let endpoint = &app.moto.as_ref().unwrap().endpoint;
    let receipts: Vec<String> = ids.iter().map(|id| format!("receipts/demo/{id}.jpg")).collect();
    let before = live_keys(&crate::support::moto_data(endpoint).await["s3"]);
    assert!(receipts.iter().all(|r| before.iter().any(|k| k.contains(r.as_str()))), "the receipts were there");
    let links = optin_links(&app).await;
    assert_eq!(links.len(), 2, "an opt-in mail per entry");
    let report = erase(backends, EMAIL, None, "cli").await.unwrap();
    assert_eq!((report.entries, report.referrers, report.consents), (2, 1, 5));
    for link in &links {
        assert_eq!(open_link(&app, link, true).await.0, 400, "an opt-in after the erase confirms nothing");
    }
    let aws = backends.aws.as_ref().unwrap();
    let scan = aws.dynamodb().scan().table_name(&app.config.store.table).send().await.unwrap();
    let mut raw = String::new();
    for item in scan.items() {
        raw.push_str(&format!("{item:?}\n"));
    }
    assert!(scan.last_evaluated_key().is_none(), "one page holds the test's table");
    for t in TRACES {
        assert!(!raw.to_lowercase().contains(t), "{t} is still in the table");
    }
    let who = vouch_server::privacy::shopper(backends, EMAIL, None).unwrap();
    assert!(backends.privacy.entries_of(&who).await.unwrap().is_empty());
    assert!(backends.privacy.referrers_of(&who).await.unwrap().is_empty());
    assert!(consents_of_mailbox(backends.consents.as_ref(), EMAIL, None).await.unwrap().is_empty());
    for id in &ids {
        assert_eq!(backends.objects.head(&format!("receipts/demo/{id}.jpg")).await.unwrap(), None);
    }
    let after = live_keys(&crate::support::moto_data(endpoint).await["s3"]);
    assert!(receipts.iter().all(|r| !after.iter().any(|k| k.contains(r.as_str()))), "no receipt is left in S3");
}

/// The objects moto's dump holds that are not deleted (it keeps deleted keys, `disposed`).
fn live_keys(dump: &Value) -> Vec<String> {
    match dump {
        Value::Object(map) if map.contains_key("arn") && map.contains_key("disposed") => {
            match (map["arn"].as_str(), map["disposed"].as_bool()) {
                (Some(arn), Some(false)) => vec![arn.to_string()],
                _ => Vec::new(),
            }
        }
        Value::Object(map) => map.values().flat_map(live_keys).collect(),
        Value::Array(items) => items.iter().flat_map(live_keys).collect(),
        _ => Vec::new(),
    }
}
