//! Operator exports of a campaign's entries. Codes handed out to entries are the shop's secrets:
//! an export carries them only when the operator asks (`--include-codes`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use vouch_core::codes::Pool;

use crate::backends::codes::Codes;
use crate::backends::entry_search::{Cursor, EntryQuery, EntrySearch};
use crate::backends::{BackendError, Store, StoredEntry};

/// Entry id → the code it holds from the campaign's `entry` pool.
pub type EntryCodes = HashMap<String, String>;

const COLUMNS: [&str; 14] = [
    "entry_id",
    "campaign",
    "status",
    "reason",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postal_code",
    "marketing_consent",
    "referral_code",
    "receipt_key",
    "accepted_at",
    "processed_at",
];

/// Entries one chunk of a streamed export reads: memory holds one page, whatever the total.
pub const EXPORT_PAGE: u32 = 1_000;

/// `vouch entries export`: the campaign's entries as CSV (streamed page by page, newest first)
/// or JSON (oldest first), with the codes they hold only when `include_codes`.
pub async fn export(
    store: &dyn Store,
    search: &dyn EntrySearch,
    codes: &dyn Codes,
    campaign: &str,
    json: bool,
    include_codes: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let codes = include_codes.then_some(codes);
    if json {
        let entries = store.list_entries(campaign).await?;
        let held = match codes {
            Some(codes) => Some(entry_codes(codes, campaign, &entries).await?),
            None => None,
        };
        write_json(&mut *out, &entries, held.as_ref())?;
    } else {
        let (query, mut next) = (EntryQuery::default(), Some(None));
        while let Some(cursor) = next {
            let chunk;
            (chunk, next) = csv_chunk(search, codes, campaign, &query, cursor, EXPORT_PAGE).await?;
            out.write_all(&chunk)?;
        }
    }
    out.flush()?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] BackendError),
    #[error("reading the entries' codes: {0}")]
    Codes(#[from] anyhow::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// The next chunk of a CSV export of `query`: the header when `cursor` is `None` (the first
/// chunk), then up to `page` rows; and where the chunk after it starts (`None`: no chunk after).
pub async fn csv_chunk(
    search: &dyn EntrySearch,
    codes: Option<&dyn Codes>,
    campaign: &str,
    query: &EntryQuery,
    cursor: Option<Cursor>,
    page: u32,
) -> Result<(Bytes, Option<Option<Cursor>>), ExportError> {
    let page = search.search_entries(campaign, query, cursor.as_ref(), page).await?;
    let held = match codes {
        Some(codes) => Some(entry_codes(codes, campaign, &page.entries).await?),
        None => None,
    };
    let mut w = safe_writer(Vec::new());
    if cursor.is_none() {
        w.write_record(header(codes.is_some()))?;
    }
    for e in &page.entries {
        w.write_record(row(e, held.as_ref()))?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    let next = page.next_cursor.as_deref().and_then(Cursor::decode).map(Some);
    Ok((Bytes::from(bytes), next))
}

/// The CSV export of `query` as a stream of chunks (for a streamed HTTP body): header first, then
/// one chunk per `page` entries read ([`EXPORT_PAGE`] suits), newest first, so memory stays at one
/// page however many entries match. With `codes`, a last column holds each entry's code from the
/// `entry` pool.
pub fn csv_stream(
    search: Arc<dyn EntrySearch>,
    codes: Option<Arc<dyn Codes>>,
    campaign: String,
    query: EntryQuery,
    page: u32,
) -> impl Stream<Item = Result<Bytes, ExportError>> + Send + 'static {
    futures_util::stream::try_unfold(Some(None), move |next: Option<Option<Cursor>>| {
        let (search, codes, campaign, query) = (search.clone(), codes.clone(), campaign.clone(), query.clone());
        async move {
            let Some(cursor) = next else { return Ok(None) };
            let (chunk, next) = csv_chunk(search.as_ref(), codes.as_deref(), &campaign, &query, cursor, page).await?;
            Ok(Some((chunk, next)))
        }
    })
    .try_filter(|chunk| std::future::ready(!chunk.is_empty()))
}

/// The codes `entries` hold from the `entry` pool (entries without one are left out).
pub async fn entry_codes(codes: &dyn Codes, campaign: &str, entries: &[StoredEntry]) -> anyhow::Result<EntryCodes> {
    let mut held = EntryCodes::new();
    for e in entries {
        if let Some((_, code)) = codes.assigned(campaign, Pool::Entry, &e.entry_id).await? {
            held.insert(e.entry_id.clone(), code);
        }
    }
    Ok(held)
}

/// Writes `rows` under `header` as CSV that is safe to open in a spreadsheet: every cell is
/// quoted and every one that a spreadsheet would read as a formula is defused (OWASP CSV
/// injection): shoppers type the names and e-mails, operators open the file in Excel.
pub fn write_safe_csv<R>(out: impl Write, header: &[&str], rows: impl IntoIterator<Item = R>) -> csv::Result<()>
where
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut w = safe_writer(out);
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.into_iter().map(|cell| defuse(cell.as_ref())))?;
    }
    w.flush()?;
    Ok(())
}

fn safe_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(out)
}

/// The export's columns, with a last `code` column when codes are included.
fn header(codes: bool) -> Vec<&'static str> {
    let mut header = COLUMNS.to_vec();
    if codes {
        header.push("code");
    }
    header
}

/// One entry's row, defused, with its code (or an empty cell) when `codes` are given.
fn row(e: &StoredEntry, codes: Option<&EntryCodes>) -> Vec<String> {
    let mut row: Vec<String> = cells(e).iter().map(|c| defuse(c)).collect();
    if let Some(codes) = codes {
        row.push(defuse(codes.get(&e.entry_id).map_or("", String::as_str)));
    }
    row
}

/// The entries as CSV, with a last `code` column when `codes` are given.
pub fn write_csv(out: impl Write, entries: &[StoredEntry], codes: Option<&EntryCodes>) -> csv::Result<()> {
    let mut w = safe_writer(out);
    w.write_record(header(codes.is_some()))?;
    for e in entries {
        w.write_record(row(e, codes))?;
    }
    w.flush()?;
    Ok(())
}

/// The entries as JSON, each with a `code` (or null) when `codes` are given.
pub fn write_json(out: impl Write, entries: &[StoredEntry], codes: Option<&EntryCodes>) -> serde_json::Result<()> {
    let Some(codes) = codes else { return serde_json::to_writer_pretty(out, entries) };
    let mut all = Vec::with_capacity(entries.len());
    for e in entries {
        let mut value = serde_json::to_value(e)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("code".into(), codes.get(&e.entry_id).cloned().into());
        }
        all.push(value);
    }
    serde_json::to_writer_pretty(out, &all)
}

fn cells(e: &StoredEntry) -> [String; 14] {
    [
        e.entry_id.as_str(),
        e.campaign.as_str(),
        e.status.as_str(),
        e.reason.map(|r| r.code()).unwrap_or(""),
        &e.entrant.first_name,
        &e.entrant.last_name,
        &e.entrant.email,
        e.entrant.phone.as_deref().unwrap_or(""),
        e.entrant.postal_code.as_deref().unwrap_or(""),
        if e.entrant.marketing_consent { "true" } else { "false" },
        e.entrant.referral_code.as_deref().unwrap_or(""),
        e.receipt_key.as_deref().unwrap_or(""),
        &crate::crypto::format_iso8601_ms(e.accepted_at_ms),
        &crate::crypto::format_iso8601_ms(e.processed_at_ms),
    ]
    .map(str::to_string)
}

/// A cell starting with = + - @ TAB or CR is run as a formula by spreadsheets; a leading single
/// quote makes it text. Phone numbers (`+49…`) get one too: a spreadsheet would otherwise turn
/// them into numbers and drop the plus.
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vouch_core::form::Entrant;
    use vouch_core::wire::EntryStatus;

    fn entry(first_name: &str) -> StoredEntry {
        StoredEntry {
            entry_id: "ent_1".into(),
            campaign: "demo".into(),
            idempotency_key: "k".into(),
            entrant: Entrant {
                first_name: first_name.into(),
                last_name: "Doe, Jr.".into(),
                email: "a@example.com".into(),
                phone: None,
                postal_code: Some("10115".into()),
                marketing_consent: true,
                referral_code: None,
            },
            receipt_key: Some("receipts/demo/ent_1.jpg".into()),
            status: EntryStatus::Confirmed,
            reason: None,
            accepted_at_ms: 0,
            processed_at_ms: 1000,
            locale: None,
        }
    }

    #[test]
    fn the_export_has_a_header_and_quotes_commas() {
        let mut out = Vec::new();
        write_csv(&mut out, &[entry("Anna")], None).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with(r#""entry_id","campaign","status""#));
        assert_eq!(
            lines.next().unwrap(),
            r#""ent_1","demo","confirmed","","Anna","Doe, Jr.","a@example.com","","10115","true","","receipts/demo/ent_1.jpg","1970-01-01T00:00:00.000Z","1970-01-01T00:00:01.000Z""#
        );
    }

    /// The cells of the one entry row, as a spreadsheet's CSV import reads them.
    fn exported_row(e: StoredEntry) -> Vec<String> {
        let mut out = Vec::new();
        write_csv(&mut out, &[e], None).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        reader.records().next().unwrap().unwrap().iter().map(String::from).collect()
    }

    #[test]
    fn every_text_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused() {
        let payloads =
            ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+2", "\r=1+2"];
        for p in payloads {
            let e = StoredEntry {
                entrant: Entrant {
                    first_name: p.into(),
                    last_name: p.into(),
                    email: p.into(),
                    phone: Some(p.into()),
                    postal_code: Some(p.into()),
                    marketing_consent: true,
                    referral_code: Some(p.into()),
                },
                receipt_key: Some(p.into()),
                ..entry("Anna")
            };
            let row = exported_row(e);
            for column in ["first_name", "last_name", "email", "phone", "postal_code", "referral_code", "receipt_key"] {
                let i = COLUMNS.iter().position(|c| *c == column).unwrap();
                assert_eq!(row[i], format!("'{p}"), "{column} with {p:?}");
            }
        }
    }

    #[test]
    fn every_cell_is_quoted_so_a_payload_cannot_open_a_cell_of_its_own() {
        let mut out = Vec::new();
        write_csv(&mut out, &[entry("Anna\",=1+2,\"x")], None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines().nth(1).unwrap().starts_with(r#""ent_1","demo","confirmed","","Anna"",=1+2,""x","#),
            "{text}"
        );
        assert_eq!(exported_row(entry("Anna\",=1+2,\"x"))[4], "Anna\",=1+2,\"x");
    }
}
