//! Code pools in SQLite. Every operation is one write transaction on the single writer, so two
//! claims never see the same free code, and a claim is committed with the code it took.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use vouch_core::codes::Pool;

use super::db::{Db, DbError};
use crate::backends::codes::{prepare, Claim, CodeKeys, Codes, ImportReport, PoolCounts};
use crate::backends::Result;
use crate::clock::now_ms;

type DbResult<T> = std::result::Result<T, DbError>;

#[derive(Debug, Clone)]
pub struct SqliteCodes {
    db: Db,
    keys: CodeKeys,
}

impl SqliteCodes {
    pub fn new(db: Db, keys: CodeKeys) -> Self {
        Self { db, keys }
    }
}

/// The code `owed_id` holds from `pool`: `(code_id, sealed)`.
fn held(conn: &Connection, campaign: &str, pool: Pool, owed_id: &str) -> DbResult<Option<(String, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT code_id, sealed FROM codes WHERE campaign = ?1 AND pool = ?2 AND owed_id = ?3")?
        .query_row(params![campaign, pool.as_str(), owed_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Hands the pool's first free code to `owed_id`; `None` when the pool has none left.
fn take_next(conn: &Connection, campaign: &str, pool: Pool, owed_id: &str) -> DbResult<Option<(String, Vec<u8>)>> {
    let next: Option<(String, String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT hash, code_id, sealed FROM codes
             WHERE campaign = ?1 AND pool = ?2 AND owed_id IS NULL ORDER BY seq LIMIT 1",
        )?
        .query_row(params![campaign, pool.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((hash, code_id, sealed)) = next else { return Ok(None) };
    conn.prepare_cached("UPDATE codes SET owed_id = ?3, assigned_ms = ?4 WHERE campaign = ?1 AND hash = ?2")?
        .execute(params![campaign, hash, owed_id, now_ms()])?;
    Ok(Some((code_id, sealed)))
}

fn next_seq(conn: &Connection, table: &str, campaign: &str, pool: Pool) -> DbResult<i64> {
    let sql = format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE campaign = ?1 AND pool = ?2");
    Ok(conn.prepare_cached(&sql)?.query_row(params![campaign, pool.as_str()], |r| r.get(0))?)
}

enum Claimed {
    Code(String, Vec<u8>),
    Waiting,
}

#[async_trait]
impl Codes for SqliteCodes {
    async fn import(&self, campaign: &str, pool: Pool, codes: &[String]) -> Result<ImportReport> {
        let (valid, mut report) = prepare(codes);
        let rows = valid
            .into_iter()
            .map(|code| {
                let hash = self.keys.hash(campaign, code);
                let code_id = CodeKeys::code_id(&hash);
                let sealed = self.keys.seal(&code_id, code)?;
                Ok((hash, code_id, sealed))
            })
            .collect::<Result<Vec<_>>>()?;
        let campaign = campaign.to_string();
        let (new, duplicate) = self
            .db
            .write(move |conn| {
                let mut seq = next_seq(conn, "codes", &campaign, pool)?;
                let (mut new, mut duplicate) = (0, 0);
                let mut insert = conn.prepare_cached(
                    "INSERT INTO codes (campaign, hash, pool, seq, code_id, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (campaign, hash) DO NOTHING",
                )?;
                for (hash, code_id, sealed) in rows {
                    if insert.execute(params![campaign, hash, pool.as_str(), seq, code_id, sealed])? == 1 {
                        new += 1;
                        seq += 1;
                    } else {
                        duplicate += 1;
                    }
                }
                Ok((new, duplicate))
            })
            .await?;
        report.new = new;
        report.duplicate += duplicate;
        Ok(report)
    }

    async fn claim(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Claim> {
        let (campaign, owed_id) = (campaign.to_string(), owed_id.to_string());
        let claimed = self
            .db
            .write(move |conn| {
                if let Some((code_id, sealed)) = held(conn, &campaign, pool, &owed_id)? {
                    return Ok(Claimed::Code(code_id, sealed));
                }
                let waiting: bool = conn
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM code_waits WHERE campaign = ?1 AND pool = ?2 AND owed_id = ?3)",
                    )?
                    .query_row(params![campaign, pool.as_str(), owed_id], |r| r.get(0))?;
                if waiting {
                    return Ok(Claimed::Waiting);
                }
                // Items already waiting go first: a newcomer joins the end of the line.
                let line: bool = conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM code_waits WHERE campaign = ?1 AND pool = ?2)")?
                    .query_row(params![campaign, pool.as_str()], |r| r.get(0))?;
                if !line {
                    if let Some((code_id, sealed)) = take_next(conn, &campaign, pool, &owed_id)? {
                        return Ok(Claimed::Code(code_id, sealed));
                    }
                }
                let seq = next_seq(conn, "code_waits", &campaign, pool)?;
                conn.prepare_cached(
                    "INSERT INTO code_waits (campaign, owed_id, pool, seq, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![campaign, owed_id, pool.as_str(), seq, now_ms()])?;
                Ok(Claimed::Waiting)
            })
            .await?;
        match claimed {
            Claimed::Code(code_id, sealed) => {
                let code = self.keys.open(&code_id, &sealed)?;
                Ok(Claim::Assigned { code_id, code })
            }
            Claimed::Waiting => Ok(Claim::AwaitingCode),
        }
    }

    async fn fill_awaiting(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>> {
        let campaign = campaign.to_string();
        Ok(self
            .db
            .write(move |conn| {
                let waiting: Vec<String> = conn
                    .prepare_cached("SELECT owed_id FROM code_waits WHERE campaign = ?1 AND pool = ?2 ORDER BY seq")?
                    .query_map(params![campaign, pool.as_str()], |r| r.get(0))?
                    .collect::<std::result::Result<_, _>>()?;
                let mut filled = Vec::new();
                for owed_id in waiting {
                    let Some((code_id, _)) = take_next(conn, &campaign, pool, &owed_id)? else { break };
                    conn.prepare_cached("DELETE FROM code_waits WHERE campaign = ?1 AND pool = ?2 AND owed_id = ?3")?
                        .execute(params![campaign, pool.as_str(), owed_id])?;
                    let seq = next_seq(conn, "code_fills", &campaign, pool)?;
                    conn.prepare_cached(
                        "INSERT INTO code_fills (campaign, pool, owed_id, seq, code_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![campaign, pool.as_str(), owed_id, seq, code_id])?;
                    filled.push((owed_id, code_id));
                }
                Ok(filled)
            })
            .await?)
    }

    async fn undelivered(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>> {
        let campaign = campaign.to_string();
        Ok(self
            .db
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT owed_id, code_id FROM code_fills WHERE campaign = ?1 AND pool = ?2 ORDER BY seq",
                    )?
                    .query_map(params![campaign, pool.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<std::result::Result<_, _>>()?)
            })
            .await?)
    }

    async fn delivered(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<()> {
        let (campaign, owed_id) = (campaign.to_string(), owed_id.to_string());
        Ok(self
            .db
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM code_fills WHERE campaign = ?1 AND pool = ?2 AND owed_id = ?3")?
                    .execute(params![campaign, pool.as_str(), owed_id])?;
                Ok(())
            })
            .await?)
    }

    async fn assigned(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Option<(String, String)>> {
        let (campaign, owed_id) = (campaign.to_string(), owed_id.to_string());
        let held = self.db.read(move |conn| held(conn, &campaign, pool, &owed_id)).await?;
        held.map(|(code_id, sealed)| Ok((code_id.clone(), self.keys.open(&code_id, &sealed)?))).transpose()
    }

    async fn status(&self, campaign: &str) -> Result<Vec<(Pool, PoolCounts)>> {
        let campaign = campaign.to_string();
        let rows: Vec<(String, i64, i64, i64)> = self
            .db
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT pool, SUM(owed_id IS NULL), SUM(owed_id IS NOT NULL), 0 FROM codes
                         WHERE campaign = ?1 GROUP BY pool
                         UNION ALL
                         SELECT pool, 0, 0, COUNT(*) FROM code_waits WHERE campaign = ?1 GROUP BY pool",
                    )?
                    .query_map(params![campaign], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<std::result::Result<_, _>>()?)
            })
            .await?;
        let mut counts = std::collections::BTreeMap::<Pool, PoolCounts>::new();
        for (pool, available, assigned, awaiting) in rows {
            let pool = Pool::parse(&pool).ok_or_else(|| DbError::Corrupt(format!("unknown code pool {pool:?}")))?;
            let c = counts.entry(pool).or_default();
            c.available += available.max(0) as u64;
            c.assigned += assigned.max(0) as u64;
            c.awaiting += awaiting.max(0) as u64;
        }
        Ok(counts.into_iter().collect())
    }
}
