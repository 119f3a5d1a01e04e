//! What an erase reaches beyond the shopper's own rows, in SQLite (see `backends/leftovers.rs`).

use async_trait::async_trait;
use rusqlite::params;

use super::SqliteBackend;
use crate::backends::leftovers::{HeldConversion, Leftovers, Redact};
use crate::backends::review::AuditRecord;
use crate::backends::{EntryMessage, Result};

/// The two tables of conversion reports, and whether each holds the merchant's.
const REPORTS: [(&str, bool); 2] = [("conversions", true), ("browser_conversions", false)];

/// Operators' free text about a credit: how to read it (key, text) by credit id, and write it back.
const NOTES: [(&str, &str); 3] = [
    (
        "SELECT credit_id, reason FROM credits WHERE credit_id = ?1 AND reason IS NOT NULL",
        "UPDATE credits SET reason = ?2 WHERE credit_id = ?1",
    ),
    (
        "SELECT id, reason FROM credit_changes WHERE credit_id = ?1 AND reason IS NOT NULL",
        "UPDATE credit_changes SET reason = ?2 WHERE id = ?1",
    ),
    (
        "SELECT credit_id, reference FROM payouts WHERE credit_id = ?1",
        "UPDATE payouts SET reference = ?2 WHERE credit_id = ?1",
    ),
];

#[async_trait]
impl Leftovers for SqliteBackend {
    async fn forget_unrecorded(&self, msg: &EntryMessage) -> Result<()> {
        let (campaign, entry_id, key) = (msg.campaign.clone(), msg.entry_id.clone(), msg.idempotency_key.clone());
        self.db()
            .write(move |conn| {
                // In one transaction with the check: a recorded entry keeps all of it.
                if conn.prepare_cached("SELECT 1 FROM entries WHERE entry_id = ?1")?.exists(params![entry_id])? {
                    return Ok(());
                }
                for sql in [
                    "DELETE FROM receipt_exact WHERE campaign = ?1 AND entry_id = ?2",
                    "DELETE FROM receipt_bands WHERE campaign = ?1 AND entry_id = ?2",
                    "DELETE FROM review_cases WHERE campaign = ?1 AND entry_id = ?2",
                ] {
                    conn.prepare_cached(sql)?.execute(params![campaign, entry_id])?;
                }
                conn.prepare_cached("DELETE FROM submissions WHERE campaign = ?1 AND idem_key = ?2 AND entry_id = ?3")?
                    .execute(params![campaign, key, entry_id])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn erased_since(&self, email: &str, campaign: &str, at_ms: i64) -> Result<bool> {
        let tag = self.erasure.as_ref().map(|k| k.tag_of_email(email));
        let campaign = campaign.to_string();
        let erased = self
            .db()
            .read(move |conn| Ok(super::privacy::erased_since(conn, tag.as_deref(), &campaign, at_ms)?))
            .await?;
        Ok(erased)
    }

    async fn rewrite_audit(&self, records: &[AuditRecord]) -> Result<u64> {
        let changes: Vec<(String, String)> = records.iter().map(|r| (r.id.clone(), r.detail.clone())).collect();
        let n = self
            .db()
            .write(move |conn| {
                let mut n = 0;
                for (id, detail) in &changes {
                    n += conn
                        .prepare_cached("UPDATE audit_log SET detail = ?2 WHERE id = ?1")?
                        .execute(params![id, detail])? as u64;
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    async fn redact_credit_notes(&self, credit_ids: &[String], redact: Redact) -> Result<u64> {
        let ids = credit_ids.to_vec();
        let n = self
            .db()
            .write(move |conn| {
                let mut n = 0;
                for (select, update) in NOTES {
                    let texts: Vec<(rusqlite::types::Value, String)> = {
                        let mut stmt = conn.prepare_cached(select)?;
                        let mut all = Vec::new();
                        for id in &ids {
                            let rows = stmt.query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                            all.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
                        }
                        all
                    };
                    for (key, text) in texts {
                        if let Some(redacted) = redact(&text) {
                            n += conn.prepare_cached(update)?.execute(params![key, redacted])? as u64;
                        }
                    }
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    async fn conversions_of(&self, conversion_ids: &[String]) -> Result<Vec<HeldConversion>> {
        let ids = conversion_ids.to_vec();
        let found = self
            .db()
            .read(move |conn| {
                let mut found = Vec::new();
                for (table, from_merchant) in REPORTS {
                    let sql = format!("SELECT campaign, order_id, client FROM {table} WHERE conversion_id = ?1");
                    let mut stmt = conn.prepare_cached(&sql)?;
                    for id in &ids {
                        let rows = stmt.query_map(params![id], |r| {
                            Ok(HeldConversion {
                                conversion_id: id.clone(),
                                campaign: r.get(0)?,
                                order_id: r.get(1)?,
                                client: Some(r.get(2)?),
                                from_merchant,
                            })
                        })?;
                        found.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
                    }
                }
                Ok(found)
            })
            .await?;
        Ok(found)
    }

    async fn anonymise_conversions(&self, conversion_ids: &[String], anon_id: &str) -> Result<u64> {
        let (ids, anon) = (conversion_ids.to_vec(), anon_id.to_string());
        let n = self
            .db()
            .write(move |conn| {
                let mut n = 0;
                for (table, _) in REPORTS {
                    let sql = format!("UPDATE {table} SET client = ?2 WHERE conversion_id = ?1 AND client <> ?2");
                    for id in &ids {
                        n += conn.prepare_cached(&sql)?.execute(params![id, anon])? as u64;
                    }
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }
}
