//! Entries and their status in SQLite.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};
use vouch_core::form::Entrant;
use vouch_core::i18n::Locale;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::privacy::NOT_ERASED;
use super::SqliteBackend;
use crate::backends::embedded::db::DbError;
use crate::backends::{EntryState, Result, Store, StoredEntry};

fn status(s: &str) -> std::result::Result<EntryStatus, DbError> {
    EntryStatus::parse(s).ok_or_else(|| DbError::Corrupt(format!("unknown entry status {s:?}")))
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<(StoredEntry, String, Option<String>)> {
    let entry = StoredEntry {
        entry_id: r.get(0)?,
        campaign: r.get(1)?,
        idempotency_key: r.get(2)?,
        entrant: Entrant {
            first_name: r.get(3)?,
            last_name: r.get(4)?,
            email: r.get(5)?,
            phone: r.get(6)?,
            postal_code: r.get(7)?,
            marketing_consent: r.get(8)?,
            referral_code: r.get(9)?,
        },
        receipt_key: r.get(10)?,
        status: EntryStatus::Accepted,
        reason: None,
        accepted_at_ms: r.get(13)?,
        processed_at_ms: r.get(14)?,
        locale: r.get::<_, Option<String>>(15)?.as_deref().and_then(Locale::parse),
    };
    Ok((entry, r.get(11)?, r.get(12)?))
}

pub(super) const SELECT_ENTRY: &str =
    "SELECT entry_id, campaign, idem_key, first_name, last_name, email, phone, postal_code, marketing_consent,
        referral_code, receipt_key, status, reason, accepted_ms, processed_ms, locale FROM entries";

pub(super) fn query_entries(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> std::result::Result<Vec<StoredEntry>, DbError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, entry_from_row)?;
    rows.map(|row| {
        let (mut entry, s, reason) = row?;
        entry.status = status(&s)?;
        entry.reason = reason.as_deref().and_then(RejectReason::parse);
        Ok(entry)
    })
    .collect()
}

#[async_trait]
impl Store for SqliteBackend {
    async fn entry_state(&self, campaign: &str, entry_id: &str) -> Result<Option<EntryState>> {
        let (campaign, entry_id) = (campaign.to_string(), entry_id.to_string());
        let state = self
            .db()
            .read(move |conn| {
                let decided: Option<(String, Option<String>)> = conn
                    .prepare_cached("SELECT status, reason FROM entries WHERE entry_id = ?1 AND campaign = ?2")?
                    .query_row(params![entry_id, campaign], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((s, reason)) = decided {
                    return Ok(Some(EntryState {
                        status: status(&s)?,
                        reason: reason.as_deref().and_then(RejectReason::parse),
                    }));
                }
                let accepted = conn
                    .prepare_cached("SELECT 1 FROM submissions WHERE entry_id = ?1 AND campaign = ?2")?
                    .exists(params![entry_id, campaign])?;
                Ok(accepted.then_some(EntryState { status: EntryStatus::Accepted, reason: None }))
            })
            .await?;
        Ok(state)
    }

    /// Refused (`false`, nothing written) when the person was erased after the entry was accepted.
    async fn record_entry(&self, e: &StoredEntry) -> Result<bool> {
        let tag = self.erasure.as_ref().map(|k| k.tag_of_email(&e.entrant.email));
        let e = e.clone();
        let inserted = self
            .db()
            .write(move |conn| {
                let n = conn
                    .prepare_cached(
                        &format!("INSERT INTO entries (entry_id, campaign, idem_key, first_name, last_name, email, phone, postal_code,
                            marketing_consent, referral_code, receipt_key, status, reason, accepted_ms, processed_ms,
                            locale)
                         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16 WHERE {NOT_ERASED}
                         ON CONFLICT DO NOTHING"),
                    )?
                    .execute(params![
                        e.entry_id,
                        e.campaign,
                        e.idempotency_key,
                        e.entrant.first_name,
                        e.entrant.last_name,
                        e.entrant.email,
                        e.entrant.phone,
                        e.entrant.postal_code,
                        e.entrant.marketing_consent,
                        e.entrant.referral_code,
                        e.receipt_key,
                        e.status.as_str(),
                        e.reason.map(RejectReason::code),
                        e.accepted_at_ms,
                        e.processed_at_ms,
                        e.locale.map(Locale::code),
                        tag
                    ])?;
                Ok(n == 1)
            })
            .await?;
        Ok(inserted)
    }

    async fn get_entry(&self, campaign: &str, entry_id: &str) -> Result<Option<StoredEntry>> {
        let (campaign, entry_id) = (campaign.to_string(), entry_id.to_string());
        let sql = format!("{SELECT_ENTRY} WHERE campaign = ?1 AND entry_id = ?2");
        let mut entries = self.db().read(move |conn| query_entries(conn, &sql, params![campaign, entry_id])).await?;
        Ok(entries.pop())
    }

    async fn list_entries(&self, campaign: &str) -> Result<Vec<StoredEntry>> {
        let campaign = campaign.to_string();
        let sql = format!("{SELECT_ENTRY} WHERE campaign = ?1 ORDER BY accepted_ms, entry_id");
        Ok(self.db().read(move |conn| query_entries(conn, &sql, params![campaign])).await?)
    }

    async fn ping(&self) -> Result<()> {
        self.db().read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?)).await?;
        Ok(())
    }
}
