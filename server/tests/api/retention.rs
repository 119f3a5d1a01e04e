//! Retention with a moved clock: `demo` closes within the hour and keeps personal data a day,
//! `open` closes too but keeps it thirty. Swept as of two days later (`vouch retention sweep
//! --now`), demo's receipts (copies, thumbnails, orphan uploads) and people are gone from the
//! object store and the stores, byte for byte — with what points at them from beside their rows:
//! the friend's network on the conversion, an operator's audited note, the notes on a credit and
//! its payout; open's are untouched; the ledger and the counts are as they were. On SQLite and on
//! moto.

use std::path::Path;

use serde_json::{json, Value};
use vouch_server::campaigns::Campaigns;
use vouch_server::config::Config;
use vouch_server::crypto::{format_iso8601_ms, sha256_hex};
use vouch_server::privacy::retention_cli::{run, RetentionCommand};

use crate::helpers::{jpeg, TestApp};
use crate::referrals::{convert, join, SECRET};

const DAY_MS: i64 = 86_400_000;

/// demo's people: what must be nowhere after the sweep (the phone as normalised and as typed),
/// the friend's network, and the operators' notes (each with a word of its own).
const SWEPT: [&str; 8] =
    ["vexmoor", "quillonne", "15123459876", "2345 9876", "tarnwick", FRIEND_IP, "blurryphoto", "sepaxq"];
/// open's entrant and an operator's note about them: kept, since open is not past retention.
const KEPT: &str = "zorbelline";
const KEPT_NOTE: &str = "quaxnote";
/// The network the friend's conversion came from (through the one proxy the test trusts).
const FRIEND_IP: &str = "198.51.100.77";

/// Both campaigns close an hour from now; demo keeps data a day after, open thirty. One proxy in
/// front, so a conversion's client is the address it names.
fn schedule(config: &mut Config) {
    config.http.trusted_proxy_hops = 1;
    let closes = format_iso8601_ms(vouch_server::clock::now_ms() + 3_600_000);
    for (campaign, days) in [("demo", 1), ("open", 30)] {
        let path = config.campaigns_dir.join(format!("{campaign}.toml"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("closes_at = \"{closes}\"\nretention_days = {days}\n{text}")).unwrap();
    }
}

fn body(first: &str, last: &str, email: &str, phone: Option<&str>, upload: &str) -> Value {
    json!({
        "fields": {"first_name": first, "last_name": last, "email": email, "phone": phone.unwrap_or(""), "postal_code": "80331"},
        "consents": {"terms": true, "marketing": true},
        "receipt_upload_id": upload,
        "referral_code": null
    })
}

/// demo: two entries with receipts, an upload no entry claimed, a referrer and a conversion
/// crediting both sides, an operator's note on an entry, the credits paid with a note;
/// open: one entry with a receipt and a note on it. Returns demo's entry ids.
async fn participate(app: &TestApp) -> Vec<String> {
    let b = &app.running.backends;
    b.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let mut ids = Vec::new();
    for (i, side) in [(1, 300), (2, 320)] {
        let upload = app.uploaded("demo", &jpeg(side, 200), "image/jpeg").await;
        let entry = body("Quillonne", "Vexmoorian", "q.vexmoor@example.org", Some("+49 151 2345 9876"), &upload);
        let res = app.entry("demo", &entry, &format!("key-{i}")).await;
        assert_eq!(res.status(), 202);
        ids.push(res.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_string());
    }
    app.uploaded("demo", &jpeg(200, 200), "image/jpeg").await;
    let (status, joined) = join(app, "demo", "Quillonne", "q.vexmoor@example.org").await;
    assert_eq!(status, 201);
    let code = joined["referral_code"].as_str().unwrap();
    let conversion = json!({"campaign": "demo", "order_id": "o-1", "email": "ben.tarnwick@example.org",
        "referral_code": code, "amount": 49.9, "currency": "EUR"});
    let res = app
        .client
        .post(app.url("/v1/conversions"))
        .header("x-forwarded-for", FRIEND_IP)
        .bearer_auth(SECRET)
        .json(&conversion)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let upload = app.uploaded("open", &jpeg(340, 200), "image/jpeg").await;
    let entry = body("Zorbelline", "Quaxton", "zorbelline@example.net", None, &upload);
    let res = app.entry("open", &entry, "key-open").await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    app.drain().await;
    // A thumbnail, as the console makes one the first time a receipt is shown.
    let thumb = vouch_server::uploads::keys::thumbnail_key(&format!("receipts/demo/{}.jpg", ids[0]));
    b.objects.put(&thumb, jpeg(60, 40), "image/jpeg").await.unwrap();
    notes(app, &ids).await;
    ids
}

/// What operators write about people: a moderation note in each campaign's audit log, and on
/// demo's credits a payout's reference.
async fn notes(app: &TestApp, ids: &[String]) {
    let b = &app.running.backends;
    let now = vouch_server::clock::now_ms();
    let note = "Quillonne Vexmoorian sent a blurryphoto, called from 0151 2345 9876";
    b.moderation.audit("demo", "mia", "review.note", &ids[0], note, now).await.unwrap();
    let open = b.store.list_entries("open").await.unwrap();
    let kept = format!("Zorbelline asked about her receipt ({KEPT_NOTE})");
    b.moderation.audit("open", "mia", "review.note", &open[0].entry_id, &kept, now).await.unwrap();
    // Credits without a flag are approved at once: the operator's note is the payout's reference.
    for c in b.referrals.list_credits("demo").await.unwrap() {
        let reference = "SEPA sepaxq to Quillonne Vexmoorian";
        b.payouts.mark_paid("demo", std::slice::from_ref(&c.credit_id), reference, "mia", now).await.unwrap();
    }
}

/// What a sweep must leave as it was: entry counts per status, the ledger, the funnel's counters.
async fn books(app: &TestApp, campaign: &str) -> Value {
    let b = &app.running.backends;
    let mut credits: Vec<Value> = b
        .referrals
        .list_credits(campaign)
        .await
        .unwrap()
        .into_iter()
        .map(|c| json!([c.credit_id, c.side.as_str(), c.state.as_str(), c.reward, c.referrer_id]))
        .collect();
    credits.sort_by_key(|c| c.to_string());
    let stats = b.analytics.counters(campaign, "2000-01-01", "2999-12-31").await.unwrap();
    json!({
        "counts": b.search.entry_counts(campaign).await.unwrap(),
        "credits": credits,
        "stats": format!("{stats:?}"),
    })
}

async fn objects(app: &TestApp, campaign: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for folder in ["uploads", "receipts", "thumbnails"] {
        keys.extend(app.running.backends.objects.list(&format!("{folder}/{campaign}"), 1000).await.unwrap());
    }
    keys.sort();
    keys
}

/// Sweeps as of `days` from now through the CLI; returns its report.
async fn sweep(app: &TestApp, days: i64) -> Value {
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let now = format_iso8601_ms(vouch_server::clock::now_ms() + days * DAY_MS);
    let mut out = Vec::new();
    run(&app.running.backends, &campaigns, RetentionCommand::Sweep { campaign: None, now: Some(now) }, &mut out)
        .await
        .unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn traces(bytes: &[u8], needles: &[&str]) -> Vec<String> {
    let lower = bytes.to_ascii_lowercase();
    needles.iter().filter(|t| lower.windows(t.len()).any(|w| w == t.as_bytes())).map(|t| t.to_string()).collect()
}

/// Every file under `dir`, concatenated.
fn bytes_under(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(bytes_under(&path));
        } else if !path.ends_with("secrets.json") {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

/// The moved-clock scenario from the sweep on, shared by both backends.
async fn sweep_past_retention(app: &TestApp, ids: &[String]) {
    let (demo_books, open_books) = (books(app, "demo").await, books(app, "open").await);
    assert_eq!(demo_books["credits"].as_array().unwrap().len(), 2, "both sides credited: {demo_books}");
    assert!(objects(app, "demo").await.len() >= 4, "two receipts, a thumbnail, an orphan upload");
    let open_objects = objects(app, "open").await;

    // Before retention runs out nothing is swept.
    assert_eq!(sweep(app, 0).await, json!([]));
    assert!(objects(app, "demo").await.len() >= 4);

    let report = sweep(app, 2).await;
    let swept: Vec<&str> = report.as_array().unwrap().iter().map(|r| r["campaign"].as_str().unwrap()).collect();
    assert_eq!(swept, ["demo"], "open keeps data thirty days: {report}");
    let counts = &report[0]["counts"];
    assert_eq!((counts["entries"].as_u64(), counts["referrers"].as_u64()), (Some(2), Some(1)), "{report}");
    assert_eq!(counts["credits"], 2);
    assert_eq!(counts["conversions"], 1, "the merchant's report of the friend's order: {report}");
    assert_eq!(counts["credit_notes"], 1, "the referrer's payout reference: {report}");
    assert!(counts["audit_notes"].as_u64() >= Some(1), "{report}");

    assert_eq!(objects(app, "demo").await, Vec::<String>::new(), "receipts, thumbnails and orphans are gone");
    assert_eq!(objects(app, "open").await, open_objects);
    assert_eq!(books(app, "demo").await, demo_books, "counts, ledger and stats stay");
    assert_eq!(books(app, "open").await, open_books);
    let b = &app.running.backends;
    let kept = b.store.get_entry("demo", &ids[0]).await.unwrap().unwrap();
    assert_eq!((kept.entrant.first_name.as_str(), kept.entrant.phone, kept.receipt_key), ("", None, None));
    // The audit trail keeps who did what to which entry and when, not what they wrote.
    let audit = b.moderation.list_audit("demo").await.unwrap();
    let note = audit.iter().find(|a| a.action == "review.note").unwrap();
    assert_eq!(
        (note.actor.as_str(), note.subject.as_str(), note.detail.as_str()),
        ("mia", ids[0].as_str(), "[erased]")
    );
    // Swept once: a later round leaves it alone.
    assert_eq!(sweep(app, 3).await, json!([]));
}

#[tokio::test]
async fn past_retention_a_campaigns_receipts_and_people_are_gone_byte_for_byte() {
    let app = TestApp::spawn_with(schedule).await;
    let data = || {
        let conn = rusqlite::Connection::open(app.config.db_path()).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        bytes_under(&app.config.data_dir)
    };
    let ids = participate(&app).await;
    let found = traces(&data(), &SWEPT);
    for t in ["vexmoor", "quillonne", "15123459876", "tarnwick", FRIEND_IP, "blurryphoto", "sepaxq"] {
        assert!(found.iter().any(|f| f == t), "the search finds {t} before the sweep: {found:?}");
    }
    sweep_past_retention(&app, &ids).await;
    let after = data();
    assert_eq!(traces(&after, &SWEPT), Vec::<String>::new(), "no byte of demo's people is left");
    assert_eq!(traces(&after, &[KEPT, KEPT_NOTE]), [KEPT, KEPT_NOTE], "open's entrant and note are still there");
    for id in &ids {
        assert!(!app.object_path(&format!("receipts/demo/{id}.jpg")).exists());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_retention_on_aws_the_table_and_the_bucket_hold_nobody_of_the_campaign() {
    let app = TestApp::spawn_aws_with(schedule).await;
    let ids = participate(&app).await;
    let table = || async {
        let aws = app.running.backends.aws.as_ref().unwrap();
        let scan = aws.dynamodb().scan().table_name(&app.config.store.table).send().await.unwrap();
        assert!(scan.last_evaluated_key().is_none(), "one page holds the test's table");
        scan.items().iter().map(|item| format!("{item:?}\n")).collect::<String>()
    };
    let before = traces(table().await.as_bytes(), &SWEPT);
    for t in ["vexmoor", FRIEND_IP, "blurryphoto", "sepaxq"] {
        assert!(before.iter().any(|f| f == t), "the scan finds {t} before the sweep: {before:?}");
    }
    sweep_past_retention(&app, &ids).await;
    let raw = table().await;
    assert_eq!(traces(raw.as_bytes(), &SWEPT), Vec::<String>::new(), "no trace of demo's people in the table");
    assert_eq!(traces(raw.as_bytes(), &[KEPT, KEPT_NOTE]), [KEPT, KEPT_NOTE]);
    let endpoint = &app.moto.as_ref().unwrap().endpoint;
    let dump = crate::support::moto_data(endpoint).await;
    // Other tests share this moto and their campaigns are called demo too: this test's bucket only.
    let ours = format!("arn:aws:s3:::{}/", app.config.objects.bucket);
    let live: Vec<String> = live_keys(&dump["s3"]).into_iter().filter(|k| k.starts_with(&ours)).collect();
    assert!(live.iter().all(|k| !k.contains("/demo/")), "no object of demo is left in S3: {live:?}");
    assert!(live.iter().any(|k| k.contains("receipts/open/")), "open's receipt stays: {live:?}");
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

/// demo closed three days ago and keeps data a day: it is past retention now.
fn swept_long_ago(config: &mut Config) {
    let closed = format_iso8601_ms(vouch_server::clock::now_ms() - 3 * DAY_MS);
    let path = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("closes_at = \"{closed}\"\nretention_days = 1\n{text}")).unwrap();
}

#[tokio::test]
async fn past_retention_no_entry_join_or_conversion_brings_a_person_back() {
    let app = TestApp::spawn_with(swept_long_ago).await;
    let b = &app.running.backends;
    b.referrals.add_merchant_secret("demo", &sha256_hex(SECRET)).await.unwrap();
    let entry = body("Quillonne", "Vexmoorian", "q.vexmoor@example.org", None, "upl_none");
    let (status, error) = crate::helpers::error_code(app.entry("demo", &entry, "late").await).await;
    assert_eq!((status, error["code"].as_str()), (422, Some("campaign_closed")), "{error}");
    let (status, error) = join(&app, "demo", "Quillonne", "q.vexmoor@example.org").await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("campaign_closed")), "{error}");
    let (status, error) =
        crate::helpers::error_code(convert(&app, "o-9", "ben.tarnwick@example.org", "ABCDEFG2", Some(SECRET)).await)
            .await;
    assert_eq!((status, error["code"].as_str()), (422, Some("campaign_closed")), "{error}");
    app.drain().await;
    assert!(b.store.list_entries("demo").await.unwrap().is_empty());
    assert_eq!(b.referrals.count_referrers("demo").await.unwrap(), 0);
    assert!(b.referrals.list_credits("demo").await.unwrap().is_empty());
    // The sweep of a campaign with nothing left finds nothing and records that it ran.
    let report = sweep(&app, 0).await;
    assert_eq!(report[0]["campaign"], "demo");
    assert_eq!(report[0]["counts"]["entries"], 0);
}
