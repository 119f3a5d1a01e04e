//! Operator exports of a campaign's entries.

use std::io::Write;

use crate::backends::StoredEntry;

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

fn timestamp(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(crate::grant::format_iso8601)
        .unwrap_or_default()
}

pub fn write_csv(out: impl Write, entries: &[StoredEntry]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for e in entries {
        w.write_record([
            e.entry_id.as_str(),
            e.campaign.as_str(),
            e.status.as_str(),
            e.reason.map(|r| r.code()).unwrap_or(""),
            // A leading = + - @ makes spreadsheets run the cell as a formula (CSV injection).
            &defuse(&e.first_name),
            &defuse(&e.last_name),
            &defuse(&e.email),
            e.phone.as_deref().unwrap_or(""),
            e.postal_code.as_deref().unwrap_or(""),
            if e.marketing_consent { "true" } else { "false" },
            e.referral_code.as_deref().unwrap_or(""),
            e.receipt_key.as_deref().unwrap_or(""),
            &timestamp(e.accepted_at_ms),
            &timestamp(e.processed_at_ms),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vouch_core::wire::EntryStatus;

    fn entry(first_name: &str) -> StoredEntry {
        StoredEntry {
            entry_id: "ent_1".into(),
            campaign: "demo".into(),
            idempotency_key: "k".into(),
            first_name: first_name.into(),
            last_name: "Doe, Jr.".into(),
            email: "a@example.com".into(),
            phone: None,
            postal_code: Some("10115".into()),
            marketing_consent: true,
            referral_code: None,
            receipt_key: Some("receipts/demo/ent_1.jpg".into()),
            status: EntryStatus::Confirmed,
            reason: None,
            accepted_at_ms: 0,
            processed_at_ms: 1000,
        }
    }

    #[test]
    fn the_export_has_a_header_and_quotes_commas() {
        let mut out = Vec::new();
        write_csv(&mut out, &[entry("Anna")]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("entry_id,campaign,status"));
        assert_eq!(
            lines.next().unwrap(),
            "ent_1,demo,confirmed,,Anna,\"Doe, Jr.\",a@example.com,,10115,true,,receipts/demo/ent_1.jpg,1970-01-01T00:00:00.000Z,1970-01-01T00:00:01.000Z"
        );
    }

    #[test]
    fn a_formula_in_a_name_is_defused_for_spreadsheets() {
        let mut out = Vec::new();
        write_csv(&mut out, &[entry("=HYPERLINK(\"x\")")]).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("'=HYPERLINK"));
    }
}
