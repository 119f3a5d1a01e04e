//! Consent records in SQLite.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};
use vouch_core::consent::ConsentKind;
use vouch_core::i18n::Locale;

use super::db::DbError;
use super::SqliteBackend;
use crate::backends::consents::{Confirmation, ConsentRecord, ConsentStore};
use crate::backends::Result;

pub(super) const SELECT: &str =
    "SELECT record_id, identity, campaign, source, kind, given_ms, version, label, locale, origin,
    confirmed_ms FROM consents";

pub(super) fn record(r: &Row<'_>) -> rusqlite::Result<std::result::Result<ConsentRecord, DbError>> {
    let kind: String = r.get(4)?;
    let locale: String = r.get(8)?;
    let (Some(kind), Some(locale)) = (ConsentKind::parse(&kind), Locale::parse(&locale)) else {
        return Ok(Err(DbError::Corrupt(format!("consent record with kind {kind} and locale {locale}"))));
    };
    Ok(Ok(ConsentRecord {
        record_id: r.get(0)?,
        identity: r.get(1)?,
        campaign: r.get(2)?,
        source: r.get(3)?,
        kind,
        given_at_ms: r.get(5)?,
        version: r.get(6)?,
        label: r.get(7)?,
        locale,
        origin: r.get(9)?,
        confirmed_at_ms: r.get(10)?,
    }))
}

pub(super) fn collect(
    rows: Vec<std::result::Result<ConsentRecord, DbError>>,
) -> std::result::Result<Vec<ConsentRecord>, DbError> {
    rows.into_iter().collect()
}

#[async_trait]
impl ConsentStore for SqliteBackend {
    async fn record_consents(&self, records: &[ConsentRecord]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let records = records.to_vec();
        self.db()
            .write(move |conn| {
                let mut insert = conn.prepare_cached(
                    "INSERT INTO consents (record_id, identity, campaign, source, kind, given_ms, version, label,
                        locale, origin, confirmed_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING",
                )?;
                for c in &records {
                    insert.execute(params![
                        c.record_id,
                        c.identity,
                        c.campaign,
                        c.source,
                        c.kind.as_str(),
                        c.given_at_ms,
                        c.version,
                        c.label,
                        c.locale.code(),
                        c.origin,
                        c.confirmed_at_ms
                    ])?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn consents_of(&self, identity: &str, campaign: Option<&str>) -> Result<Vec<ConsentRecord>> {
        let (identity, campaign) = (identity.to_string(), campaign.map(str::to_string));
        let rows = self
            .db()
            .read(move |conn| {
                let sql = format!(
                    "{SELECT} WHERE identity = ?1 AND (?2 IS NULL OR campaign = ?2) ORDER BY given_ms, record_id"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![identity, campaign], record)?.collect::<rusqlite::Result<_>>()?;
                collect(rows)
            })
            .await?;
        let mut rows = rows;
        rows.sort_by(ConsentRecord::order);
        Ok(rows)
    }

    async fn consent(&self, record_id: &str) -> Result<Option<ConsentRecord>> {
        let record_id = record_id.to_string();
        let found = self
            .db()
            .read(move |conn| {
                let found = conn
                    .prepare_cached(&format!("{SELECT} WHERE record_id = ?1"))?
                    .query_row(params![record_id], record)
                    .optional()?;
                found.transpose()
            })
            .await?;
        Ok(found)
    }

    async fn confirm_marketing(&self, record_id: &str, at_ms: i64) -> Result<Confirmation> {
        let record_id = record_id.to_string();
        let outcome = self
            .db()
            .write(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "UPDATE consents SET confirmed_ms = ?2
                         WHERE record_id = ?1 AND kind = 'marketing' AND confirmed_ms IS NULL",
                    )?
                    .execute(params![record_id, at_ms])?;
                if changed == 1 {
                    return Ok(Confirmation::Confirmed(at_ms));
                }
                let before: Option<Option<i64>> = conn
                    .prepare_cached("SELECT confirmed_ms FROM consents WHERE record_id = ?1 AND kind = 'marketing'")?
                    .query_row(params![record_id], |r| r.get(0))
                    .optional()?;
                Ok(match before.flatten() {
                    Some(at) => Confirmation::AlreadyConfirmed(at),
                    None => Confirmation::Unknown,
                })
            })
            .await?;
        Ok(outcome)
    }

    async fn erase_consents(&self, records: &[ConsentRecord]) -> Result<u64> {
        if records.is_empty() {
            return Ok(0);
        }
        let ids: Vec<String> = records.iter().map(|r| r.record_id.clone()).collect();
        let erased = self
            .db()
            .write(move |conn| {
                let mut delete = conn.prepare_cached("DELETE FROM consents WHERE record_id = ?1")?;
                let mut erased = 0;
                for id in &ids {
                    erased += delete.execute(params![id])? as u64;
                }
                Ok(erased)
            })
            .await?;
        Ok(erased)
    }
}
