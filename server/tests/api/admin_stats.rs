//! `GET /admin/v1/campaigns/{campaign}/stats` and `vouch stats`: known counters, recorded through
//! the analytics store as the worker records them, read back as the funnel report.

use serde_json::{json, Value};
use vouch_core::admin::Role;
use vouch_core::analytics::{server_event, Event, EventKind, ValidBatch};

use crate::helpers::TestApp;

/// Noon UTC of 2026-11-`day`.
fn at(day: i64) -> i64 {
    // 2026-11-01T00:00:00Z
    1_793_491_200_000 + (day - 1) * 86_400_000 + 12 * 3_600_000
}

fn page(batch: &str, session: &str, day: i64, events: &[(EventKind, &str)]) -> ValidBatch {
    ValidBatch {
        campaign: "demo".into(),
        batch_id: batch.into(),
        session: Some(session.into()),
        events: events.iter().map(|(kind, detail)| Event::one(*kind, *detail, at(day))).collect(),
    }
}

/// Sessions anna and ben on the 1st, cem on the 2nd (anna refers then), dora lands on the 3rd; one
/// impression on 31 October, outside the range the tests ask for.
async fn seed(app: &TestApp) {
    use EventKind::*;
    let anna =
        [(Impression, ""), (Impression, ""), (FormStart, ""), (UploadStarted, ""), (UploadDone, ""), (Submit, "")];
    let batches = vec![
        page("b-anna-1", "sess-anna", 1, &anna),
        page("b-ben-01", "sess-ben0", 1, &[(Impression, ""), (FormStart, "")]),
        page("b-cem-01", "sess-cem0", 2, &[(Impression, "")]),
        page("b-anna-2", "sess-anna", 2, &[(PanelOpen, ""), (Share, "whatsapp"), (Share, "whatsapp"), (Share, "qr")]),
        page("b-dora-1", "sess-dora", 3, &[(LinkLanding, "")]),
        page("b-old-01", "sess-old0", 0, &[(Impression, "")]),
        server_event("demo", EntryAccepted, "", "ent_1", at(1)),
        server_event("demo", EntryAccepted, "", "ent_2", at(2)),
        server_event("demo", EntryConfirmed, "", "ent_1", at(2)),
        server_event("demo", EntryRejected, "duplicate_receipt", "ent_2", at(2)),
        server_event("demo", Join, "", "ref_1", at(2)),
        server_event("demo", Conversion, "", "ord_1", at(3)),
        server_event("demo", CreditApproved, "referrer", "crd_1", at(3)),
    ];
    let analytics = &app.running.backends.analytics;
    for b in &batches {
        assert!(analytics.record_batch(b).await.unwrap(), "{}", b.batch_id);
    }
    // Delivered again: counted once.
    assert!(!analytics.record_batch(&batches[0]).await.unwrap());
}

fn steps(funnel: &Value) -> Vec<(String, String, u64, Option<u64>)> {
    funnel
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap().to_string();
            (text("event"), text("unit"), s["count"].as_u64().unwrap(), s["rate_permille"].as_u64())
        })
        .collect()
}

fn step(event: &str, unit: &str, count: u64, rate: Option<u64>) -> (String, String, u64, Option<u64>) {
    (event.into(), unit.into(), count, rate)
}

/// What the seeds make of 1 to 3 November, as the API and `vouch stats --format json` give it.
fn assert_known_report(s: &Value) {
    assert_eq!((&s["campaign"], &s["from"], &s["to"]), (&json!("demo"), &json!("2026-11-01"), &json!("2026-11-03")));
    assert_eq!(
        steps(&s["giveaway"]),
        vec![
            step("impression", "sessions", 3, None),
            step("form_start", "sessions", 2, Some(667)),
            step("upload_started", "sessions", 1, Some(500)),
            step("upload_done", "sessions", 1, Some(1000)),
            step("submit", "sessions", 1, Some(1000)),
            step("entry_accepted", "events", 2, Some(2000)),
            step("entry_confirmed", "events", 1, Some(500)),
        ]
    );
    assert_eq!(s["rejections"], json!([{"reason": "duplicate_receipt", "count": 1}]));
    assert_eq!(
        steps(&s["referral"]),
        vec![
            step("panel_open", "sessions", 1, None),
            step("join", "events", 1, Some(1000)),
            step("share", "sessions", 2, Some(2000)),
            step("link_landing", "sessions", 1, Some(500)),
            step("conversion", "events", 1, Some(1000)),
            step("credit_approved", "events", 1, Some(1000)),
        ]
    );
    let shares: Vec<(&str, u64, u64)> = s["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["channel"].as_str().unwrap(), c["shares"].as_u64().unwrap(), c["sessions"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        shares,
        vec![
            ("copy", 0, 0),
            ("email", 0, 0),
            ("whatsapp", 2, 1),
            ("facebook", 0, 0),
            ("x", 0, 0),
            ("sms", 0, 0),
            ("webshare", 0, 0),
            ("qr", 1, 1)
        ]
    );
    let daily = s["daily"].as_array().unwrap();
    let days: Vec<&str> = daily.iter().map(|d| d["day"].as_str().unwrap()).collect();
    assert_eq!(days, ["2026-11-01", "2026-11-02", "2026-11-03"]);
    let on = |i: usize, event: &str| daily[i]["counts"][event].as_u64().unwrap();
    assert_eq!([on(0, "impression"), on(1, "impression"), on(2, "impression")], [2, 1, 0]);
    assert_eq!([on(0, "entry_accepted"), on(1, "entry_accepted"), on(2, "link_landing")], [1, 1, 1]);
    assert_eq!(daily[2]["counts"].as_object().unwrap().len(), 14, "every event, zeros included");
}

async fn a_viewer_reads_the_funnel_of_known_counters(app: TestApp) {
    seed(&app).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    let res = viewer.get("/admin/v1/campaigns/demo/stats?from=2026-11-01&to=2026-11-03").await;
    assert_eq!(res.status(), 200);
    assert_known_report(&res.json().await.unwrap());

    // Without dates: the 30 days to today, every one of them listed.
    let all: Value = viewer.get("/admin/v1/campaigns/demo/stats").await.json().await.unwrap();
    let today = vouch_core::analytics::day_of(vouch_server::clock::now_ms());
    assert_eq!((all["to"].as_str(), all["daily"].as_array().unwrap().len()), (Some(today.as_str()), 30));
    // Another campaign's report counts none of demo's.
    let other: Value = app
        .operator(Role::Owner, &[])
        .await
        .get("/admin/v1/campaigns/other/stats?from=2026-11-01&to=2026-11-03")
        .await
        .json()
        .await
        .unwrap();
    assert!(other["giveaway"].as_array().unwrap().iter().all(|s| s["count"] == 0), "{other}");
}

async fn bad_dates_are_refused_by_name(app: TestApp) {
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    for (query, param) in [
        ("from=2026-02-30", "from"),
        ("to=30.11.2026", "to"),
        ("from=2026-11-05&to=2026-11-04", "from"),
        ("from=2025-01-01&to=2026-01-02", "from"),
    ] {
        let res = viewer.get(&format!("/admin/v1/campaigns/demo/stats?{query}")).await;
        assert_eq!(res.status(), 422, "{query}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed", "{query}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{param} ")), "{query}: {message}");
    }
    let res = viewer.get("/admin/v1/campaigns/demo/stats?from=2026-11-01&from=2026-11-02").await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_query");
    // A campaign outside the viewer's scope.
    assert_eq!(viewer.get("/admin/v1/campaigns/other/stats").await.status(), 403);
}

#[tokio::test]
async fn a_viewer_reads_the_funnel_of_known_counters_embedded() {
    a_viewer_reads_the_funnel_of_known_counters(TestApp::spawn().await).await;
}

#[tokio::test]
async fn a_viewer_reads_the_funnel_of_known_counters_aws() {
    a_viewer_reads_the_funnel_of_known_counters(TestApp::spawn_aws().await).await;
}

#[tokio::test]
async fn bad_dates_are_refused_by_name_embedded() {
    bad_dates_are_refused_by_name(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouch_stats_prints_the_report_as_a_table_csv_and_json() {
    let app = TestApp::spawn().await;
    seed(&app).await;
    let range = ["stats", "--campaign", "demo", "--from", "2026-11-01", "--to", "2026-11-03"];
    let run = |format: &str| {
        let args: Vec<&str> = range.iter().copied().chain(["--format", format]).collect();
        let (ok, out, err) = app.cli(&args);
        assert!(ok, "{format}: {err}");
        out
    };
    assert_known_report(&serde_json::from_str(&run("json")).unwrap());

    let csv = run("csv");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "section,day,event,detail,unit,count,rate");
    for row in [
        "giveaway,,impression,,sessions,3,",
        "giveaway,,form_start,,sessions,2,0.667",
        "giveaway,,entry_accepted,,events,2,2.000",
        "referral,,share,,sessions,2,2.000",
        "rejections,,entry_rejected,duplicate_receipt,events,1,",
        "shares,,share,whatsapp,events,2,",
        "shares,,share,email,events,0,",
        "daily,2026-11-01,impression,,sessions,2,",
        "daily,2026-11-03,link_landing,,sessions,1,",
    ] {
        assert!(rows.contains(&row), "{row} missing:\n{csv}");
    }

    // The default format is the table.
    let (ok, table, err) = app.cli(&range);
    assert!(ok, "{err}");
    let words = |start: &str| -> Vec<String> {
        let line = table.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start}:\n{table}"));
        line.split_whitespace().map(String::from).collect()
    };
    assert_eq!(words("form_start"), ["form_start", "2", "sessions", "66.7%"]);
    assert_eq!(words("entry_confirmed"), ["entry_confirmed", "1", "events", "50.0%"]);
    assert_eq!(words("whatsapp"), ["whatsapp", "2", "1"]);
    assert_eq!(words("2026-11-02")[1], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouch_stats_refuses_bad_input_with_a_clear_error() {
    let app = TestApp::spawn().await;
    for (args, says) in [
        (vec!["--campaign", "nope"], "no campaign \"nope\""),
        (vec!["--campaign", "demo", "--from", "2026-11-31"], "from must be a date, YYYY-MM-DD"),
        (vec!["--campaign", "demo", "--to", "yesterday"], "to must be a date, YYYY-MM-DD"),
        (vec!["--campaign", "demo", "--from", "2026-11-05", "--to", "2026-11-04"], "from must not be after to"),
        (vec!["--campaign", "demo", "--from", "2024-01-01", "--to", "2025-01-01"], "at most 366 days"),
        (vec!["--campaign", "demo", "--format", "xml"], "invalid value 'xml'"),
    ] {
        let args: Vec<&str> = std::iter::once("stats").chain(args).collect();
        let (ok, out, err) = app.cli(&args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed: {out}");
    }
}
