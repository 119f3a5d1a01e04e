//! Operator exports of a campaign's entries. Codes handed out to entries are the shop's secrets:
//! an export carries them only when the operator asks (`--include-codes`).

use std::collections::HashMap;
use std::io::Write;

use vouch_core::codes::Pool;

use crate::backends::codes::Codes;
use crate::backends::{Store, StoredEntry};

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

/// `vouch entries export`: the campaign's entries as CSV or JSON, with the codes they hold only
/// when `include_codes`.
pub async fn export(
    store: &dyn Store,
    codes: &dyn Codes,
    campaign: &str,
    json: bool,
    include_codes: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let entries = store.list_entries(campaign).await?;
    let held = match include_codes {
        true => Some(entry_codes(codes, campaign, &entries).await?),
        false => None,
    };
    match json {
        true => write_json(&mut *out, &entries, held.as_ref())?,
        false => write_csv(&mut *out, &entries, held.as_ref())?,
    }
    out.flush()?;
    Ok(())
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
    let mut w = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(out);
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.into_iter().map(|cell| defuse(cell.as_ref())))?;
    }
    w.flush()?;
    Ok(())
}

/// The entries as CSV, with a last `code` column when `codes` are given.
pub fn write_csv(out: impl Write, entries: &[StoredEntry], codes: Option<&EntryCodes>) -> csv::Result<()> {
    let mut header = COLUMNS.to_vec();
    if codes.is_some() {
        header.push("code");
    }
    let rows = entries.iter().map(|e| {
        let mut row: Vec<String> = cells(e).into_iter().collect();
        if let Some(codes) = codes {
            row.push(codes.get(&e.entry_id).cloned().unwrap_or_default());
        }
        row
    });
    write_safe_csv(out, &header, rows)
}

/// Entries as CSV rows (the header first when `header`), safe as [`write_csv`]'s: for exports
/// streamed one page at a time.
pub fn csv_page(entries: &[StoredEntry], header: bool) -> csv::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
    if header {
        w.write_record(COLUMNS)?;
    }
    for e in entries {
        w.write_record(cells(e).iter().map(|cell| defuse(cell)))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
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
