//! Review cases, decisions and the audit log in SQLite.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use vouch_core::i18n::Locale;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::db::DbError;
use super::SqliteBackend;
use crate::backends::review::{AuditRecord, Decided, Moderation, ReviewCase};
use crate::backends::Result;

pub(super) fn append(conn: &Connection, r: &AuditRecord) -> std::result::Result<(), DbError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (id, campaign, at_ms, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![r.id, r.campaign, r.at_ms, r.actor, r.action, r.subject, r.detail])?;
    Ok(())
}

#[async_trait]
impl Moderation for SqliteBackend {
    async fn open_case(&self, case: &ReviewCase) -> Result<()> {
        let c = case.clone();
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO review_cases (campaign, entry_id, locale, signals, duplicate_of, opened_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    c.campaign,
                    c.entry_id,
                    c.locale.code(),
                    c.signals.join(","),
                    c.duplicate_of,
                    c.opened_at_ms
                ])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn case(&self, campaign: &str, entry_id: &str) -> Result<Option<ReviewCase>> {
        let (campaign, entry_id) = (campaign.to_string(), entry_id.to_string());
        let case = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT locale, signals, duplicate_of, opened_ms FROM review_cases
                         WHERE campaign = ?1 AND entry_id = ?2",
                    )?
                    .query_row(params![campaign, entry_id], |r| {
                        let signals: String = r.get(1)?;
                        Ok(ReviewCase {
                            campaign: campaign.clone(),
                            entry_id: entry_id.clone(),
                            locale: Locale::parse(&r.get::<_, String>(0)?).unwrap_or_default(),
                            signals: signals.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                            duplicate_of: r.get(2)?,
                            opened_at_ms: r.get(3)?,
                        })
                    })
                    .optional()?)
            })
            .await?;
        Ok(case)
    }

    async fn decide(
        &self,
        campaign: &str,
        entry_id: &str,
        status: EntryStatus,
        reason: Option<RejectReason>,
        audit: &AuditRecord,
    ) -> Result<Decided> {
        let (campaign, entry_id, audit) = (campaign.to_string(), entry_id.to_string(), audit.clone());
        let decided = self
            .db()
            .write(move |conn| {
                let changed = conn
                    .prepare_cached(
                        "UPDATE entries SET status = ?1, reason = ?2
                         WHERE entry_id = ?3 AND campaign = ?4 AND status = 'pending_review'",
                    )?
                    .execute(params![status.as_str(), reason.map(RejectReason::code), entry_id, campaign])?;
                if changed == 1 {
                    append(conn, &audit)?;
                    return Ok(Decided::Done);
                }
                let now: Option<String> = conn
                    .prepare_cached("SELECT status FROM entries WHERE entry_id = ?1 AND campaign = ?2")?
                    .query_row(params![entry_id, campaign], |r| r.get(0))
                    .optional()?;
                match now {
                    None => Ok(Decided::Unknown),
                    Some(s) => EntryStatus::parse(&s)
                        .map(Decided::NotPending)
                        .ok_or_else(|| DbError::Corrupt(format!("unknown entry status {s:?}"))),
                }
            })
            .await?;
        Ok(decided)
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<()> {
        let record = record.clone();
        self.db().write(move |conn| append(conn, &record)).await?;
        Ok(())
    }

    async fn list_audit(&self, campaign: &str) -> Result<Vec<AuditRecord>> {
        let campaign = campaign.to_string();
        let records = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, campaign, at_ms, actor, action, subject, detail FROM audit_log
                     WHERE campaign = ?1 ORDER BY at_ms, id",
                )?;
                let rows = stmt.query_map(params![campaign], |r| {
                    Ok(AuditRecord {
                        id: r.get(0)?,
                        campaign: r.get(1)?,
                        at_ms: r.get(2)?,
                        actor: r.get(3)?,
                        action: r.get(4)?,
                        subject: r.get(5)?,
                        detail: r.get(6)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(records)
    }
}
