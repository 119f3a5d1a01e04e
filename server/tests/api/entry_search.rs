//! What operators get from the entry search: the streamed CSV export of a filter (more entries
//! than one page, on both backends) and `vouch entries list` / `export` as processes.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use vouch_core::form::Entrant;
use vouch_core::wire::EntryStatus;
use vouch_server::backends::entry_search::EntryQuery;
use vouch_server::backends::StoredEntry;
use vouch_server::entries::export::csv_stream;

use crate::helpers::TestApp;
use crate::support::entrant;

/// `n` entries of `demo` recorded as the worker records them: every third pending review, the
/// rest confirmed; entry 7 typed a formula as its first name. Newest first by id.
async fn recorded(app: &TestApp, n: i64) -> Vec<StoredEntry> {
    let store = &app.running.backends.store;
    let mut all = Vec::new();
    for i in 0..n {
        let first_name = if i == 7 { "=HYPERLINK(\"http://x\")".to_string() } else { format!("Name{i}") };
        let e = StoredEntry {
            entry_id: format!("ent_{i:05}"),
            campaign: "demo".into(),
            idempotency_key: format!("k{i}"),
            entrant: Entrant { first_name, email: format!("p{i}@example.com"), ..entrant() },
            receipt_key: None,
            status: if i % 3 == 0 { EntryStatus::PendingReview } else { EntryStatus::Confirmed },
            reason: None,
            accepted_at_ms: 1_700_000_000_000 + i * 1000,
            processed_at_ms: 1_700_000_000_000 + i * 1000 + 5,
            locale: None,
        };
        assert!(store.record_entry(&e).await.unwrap());
        all.push(e);
    }
    all.reverse();
    all
}

async fn the_csv_export_streams_a_filter_one_page_at_a_time(app: TestApp, n: i64, page: u32) {
    let all = recorded(&app, n).await;
    let backends = &app.running.backends;
    let confirmed = EntryQuery { status: Some(EntryStatus::Confirmed), ..Default::default() };
    let stream = csv_stream(backends.search.clone(), None, "demo".into(), confirmed, page);
    let chunks: Vec<bytes::Bytes> = stream.try_collect().await.unwrap();
    assert!(chunks.len() >= 2, "the export came as one piece, not page by page");
    for chunk in &chunks {
        let rows = chunk.iter().filter(|b| **b == b'\n').count();
        assert!(rows <= page as usize + 1, "a chunk of {rows} rows: more than a page in memory");
    }
    let text: Vec<u8> = chunks.concat();
    let mut reader = csv::Reader::from_reader(text.as_slice());
    assert_eq!(&reader.headers().unwrap()[0], "entry_id");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let expected: Vec<&str> =
        all.iter().filter(|e| e.status == EntryStatus::Confirmed).map(|e| e.entry_id.as_str()).collect();
    assert_eq!(ids, expected, "every confirmed entry once, newest first, and nothing else");
    let formula = rows.iter().find(|r| &r[0] == "ent_00007").unwrap();
    assert_eq!(&formula[4], "'=HYPERLINK(\"http://x\")", "a formula typed into the form stays text");
    assert!(!String::from_utf8_lossy(&text).contains("pending_review"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_the_csv_export_streams_a_filter_one_page_at_a_time() {
    the_csv_export_streams_a_filter_one_page_at_a_time(TestApp::spawn().await, 2_345, 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_the_csv_export_streams_a_filter_one_page_at_a_time() {
    // Moto writes slowly: fewer entries, smaller pages.
    the_csv_export_streams_a_filter_one_page_at_a_time(TestApp::spawn_aws().await, 95, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_list_pages_a_filter_and_export_has_every_entry_once() {
    let app = TestApp::spawn().await;
    let all = recorded(&app, 30).await;
    // Pending review (every third), two a page, followed by cursor to the end.
    let (mut seen, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let mut args =
            vec!["entries", "list", "--campaign", "demo", "--status", "pending_review", "--limit", "2", "--json"];
        if let Some(c) = &cursor {
            args.extend(["--cursor", c.as_str()]);
        }
        let (ok, out, err) = app.cli(&args);
        assert!(ok, "{err}");
        let page: serde_json::Value = serde_json::from_str(&out).unwrap();
        seen.extend(page["entries"].as_array().unwrap().iter().map(|e| e["entry_id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let pending: Vec<String> =
        all.iter().filter(|e| e.status == EntryStatus::PendingReview).map(|e| e.entry_id.clone()).collect();
    assert_eq!(seen, pending);

    // Text: one line per entry, the way on to the next page on standard error.
    let (ok, out, err) = app.cli(&["entries", "list", "--campaign", "demo", "--q", "P12@Example.COM"]);
    assert!(ok && out.lines().count() == 1 && out.starts_with("ent_00012  pending_review"), "{out}{err}");
    let (ok, out, err) = app.cli(&["entries", "list", "--campaign", "demo", "--q", "name2", "--limit", "3"]);
    assert!(ok && out.lines().count() == 3 && err.contains("more: --cursor "), "{out}{err}");

    // Bad input is named and changes nothing.
    for (args, says) in [
        (["--status", "won"], "status must be one of"),
        (["--limit", "0"], "limit must be between 1 and 500"),
        (["--cursor", "bm9wZQ"], "cursor is not one this list handed out"),
        (["--from", "yesterday"], "from must be an RFC 3339 time"),
    ] {
        let (ok, _, err) = app.cli(&[&["entries", "list", "--campaign", "demo"][..], &args[..]].concat());
        assert!(!ok && err.contains(says), "{args:?}: {err}");
    }
    let (ok, _, err) = app.cli(&["entries", "list"]);
    assert!(!ok && err.contains("which campaign? --campaign one of"), "{err}");

    // The CSV export streams every entry once, newest first, under one header.
    let (ok, out, err) = app.cli(&["entries", "export", "--campaign", "demo"]);
    assert!(ok, "{err}");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let ids: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
    assert_eq!(ids, all.iter().map(|e| e.entry_id.clone()).collect::<Vec<_>>());
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 30);
}
