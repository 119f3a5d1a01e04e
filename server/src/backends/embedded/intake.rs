//! Accepting a submission: the idempotency record (which claims the receipt upload) and the queue
//! row commit together.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::queue::enqueue;
use super::SqliteBackend;
use crate::backends::embedded::db::DbError;
use crate::backends::{Accepted, Intake, Quota, Result, Submission, ENTRIES_TOPIC};
use crate::clock::now_ms;

#[async_trait]
impl Intake for SqliteBackend {
    async fn accept(&self, sub: Submission) -> Result<Accepted> {
        let body = serde_json::to_string(&sub.message).map_err(|e| DbError::Corrupt(e.to_string()))?;
        let outcome = self
            .db()
            .write(move |conn| {
                if let Some((hash, entry_id)) = lookup(conn, &sub.campaign, &sub.idempotency_key)? {
                    return Ok(if hash == sub.body_hash { Accepted::Replay { entry_id } } else { Accepted::KeyReused });
                }
                if let Some(key) = &sub.message.receipt_key {
                    if let Some(refusal) = upload_taken(conn, key)? {
                        return Ok(refusal);
                    }
                }
                if let Some(q) = &sub.quota {
                    if !count_entry(conn, &sub.campaign, q)? {
                        return Ok(Accepted::LimitReached);
                    }
                }
                let now = now_ms();
                conn.prepare_cached(
                    "INSERT INTO submissions (campaign, idem_key, body_hash, entry_id, receipt_key, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    sub.campaign,
                    sub.idempotency_key,
                    sub.body_hash,
                    sub.message.entry_id,
                    sub.message.receipt_key,
                    now
                ])?;
                enqueue(conn, ENTRIES_TOPIC, &body)?;
                Ok(Accepted::New { entry_id: sub.message.entry_id })
            })
            .await?;
        Ok(outcome)
    }

    async fn earlier(&self, campaign: &str, idempotency_key: &str) -> Result<Option<(Vec<u8>, String)>> {
        let (campaign, key) = (campaign.to_string(), idempotency_key.to_string());
        Ok(self.db().read(move |conn| lookup(conn, &campaign, &key)).await?)
    }

    async fn sweep_unclaimed(&self, keys: Vec<String>) -> Result<Vec<String>> {
        // Unclaimed uploads get their tombstone in the same transaction that finds them unclaimed.
        let doomed = self
            .db()
            .write(move |conn| {
                let now = now_ms();
                conn.prepare_cached("DELETE FROM swept_uploads WHERE swept_ms < ?1")?
                    .execute(params![now - TOMBSTONE_MS])?;
                let mut claimed = conn.prepare_cached("SELECT 1 FROM submissions WHERE receipt_key = ?1")?;
                let mut tombstone =
                    conn.prepare_cached("INSERT OR IGNORE INTO swept_uploads (receipt_key, swept_ms) VALUES (?1, ?2)")?;
                let mut doomed = Vec::new();
                for key in keys {
                    if !claimed.exists(params![key])? {
                        tombstone.execute(params![key, now])?;
                        doomed.push(key);
                    }
                }
                Ok(doomed)
            })
            .await?;
        Ok(doomed)
    }
}

/// A tombstone only has to outlive an entry request that checked the file just before it went.
const TOMBSTONE_MS: i64 = 24 * 3600 * 1000;

/// Why the upload at `key` cannot back a new entry, if it cannot: the submissions' `receipt_key`
/// is the claim; the orphan sweep leaves a tombstone before it deletes a file.
fn upload_taken(conn: &Connection, key: &str) -> std::result::Result<Option<Accepted>, DbError> {
    if conn.prepare_cached("SELECT 1 FROM submissions WHERE receipt_key = ?1")?.exists(params![key])? {
        return Ok(Some(Accepted::UploadClaimed));
    }
    let swept = conn.prepare_cached("SELECT 1 FROM swept_uploads WHERE receipt_key = ?1")?.exists(params![key])?;
    Ok(swept.then_some(Accepted::UploadSwept))
}

/// Counts one more entry for the person in the period, unless that would pass the limit: `false`
/// then, and nothing changes. Inside the intake's transaction, so concurrent entries cannot both
/// take the last place.
fn count_entry(conn: &Connection, campaign: &str, q: &Quota) -> std::result::Result<bool, DbError> {
    let counted = conn
        .prepare_cached(
            "INSERT INTO entry_counts (campaign, identity, period, n) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (campaign, identity, period) DO UPDATE SET n = n + 1 WHERE n < ?4",
        )?
        .execute(params![campaign, q.identity, q.period, q.limit])?;
    Ok(counted == 1)
}

fn lookup(conn: &Connection, campaign: &str, key: &str) -> std::result::Result<Option<(Vec<u8>, String)>, DbError> {
    Ok(conn
        .prepare_cached("SELECT body_hash, entry_id FROM submissions WHERE campaign = ?1 AND idem_key = ?2")?
        .query_row(params![campaign, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}
