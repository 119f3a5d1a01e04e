//! Draw records and the lean entry read a draw needs, in SQLite.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use vouch_core::wire::EntryStatus;

use super::queue::enqueue;
use super::SqliteBackend;
use crate::backends::draws::{DrawRecord, Draws, Forfeited, PoolEntry};
use crate::backends::embedded::db::DbError;
use crate::backends::referrals::OutboxEvent;
use crate::backends::{Result, WEBHOOKS_TOPIC};

fn parse(json: &str) -> std::result::Result<DrawRecord, DbError> {
    serde_json::from_str(json).map_err(|e| DbError::Corrupt(format!("draw record: {e}")))
}

fn to_json(draw: &DrawRecord) -> std::result::Result<String, DbError> {
    serde_json::to_string(draw).map_err(|e| DbError::Corrupt(format!("draw record: {e}")))
}

fn read_draw(conn: &Connection, draw_id: &str) -> std::result::Result<Option<DrawRecord>, DbError> {
    let json: Option<String> = conn
        .prepare_cached("SELECT record FROM draws WHERE draw_id = ?1")?
        .query_row(params![draw_id], |r| r.get(0))
        .optional()?;
    json.as_deref().map(parse).transpose()
}

#[async_trait]
impl Draws for SqliteBackend {
    async fn pool_entries(&self, campaign: &str) -> Result<Vec<PoolEntry>> {
        let campaign = campaign.to_string();
        let entries = self
            .db()
            .read(move |conn| {
                let mut stmt =
                    conn.prepare_cached("SELECT entry_id, email, status FROM entries WHERE campaign = ?1")?;
                let rows = stmt.query_map(params![campaign], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
                })?;
                let mut entries = rows
                    .map(|row| {
                        let (entry_id, email, status) = row?;
                        let status = EntryStatus::parse(&status)
                            .ok_or_else(|| DbError::Corrupt(format!("unknown entry status {status:?}")))?;
                        Ok(PoolEntry { entry_id, email, status })
                    })
                    .collect::<std::result::Result<Vec<_>, DbError>>()?;
                // Sorted here rather than by SQL: the campaign index is by time, and a sort in
                // memory beats a temporary B-tree over a million rows.
                entries.sort_unstable_by(|a, b| a.entry_id.cmp(&b.entry_id));
                Ok(entries)
            })
            .await?;
        Ok(entries)
    }

    async fn save_draw(&self, draw: &DrawRecord, events: &[OutboxEvent]) -> Result<bool> {
        let (draw, events) = (draw.clone(), events.to_vec());
        let saved = self
            .db()
            .write(move |conn| {
                let n = conn
                    .prepare_cached(
                        "INSERT INTO draws (draw_id, campaign, sequence, record) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![draw.draw_id, draw.campaign, draw.sequence, to_json(&draw)?])?;
                if n == 1 {
                    for e in &events {
                        enqueue(conn, WEBHOOKS_TOPIC, &e.body)?;
                    }
                }
                Ok(n == 1)
            })
            .await?;
        Ok(saved)
    }

    async fn get_draw(&self, draw_id: &str) -> Result<Option<DrawRecord>> {
        let draw_id = draw_id.to_string();
        Ok(self.db().read(move |conn| read_draw(conn, &draw_id)).await?)
    }

    async fn list_draws(&self, campaign: &str) -> Result<Vec<DrawRecord>> {
        let campaign = campaign.to_string();
        let draws = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare_cached("SELECT record FROM draws WHERE campaign = ?1 ORDER BY sequence")?;
                let rows = stmt.query_map(params![campaign], |r| r.get::<_, String>(0))?;
                rows.map(|json| parse(&json?)).collect()
            })
            .await?;
        Ok(draws)
    }

    async fn forfeit(&self, draw_id: &str, entry_id: &str, actor: &str, at_ms: i64) -> Result<Forfeited> {
        let (draw_id, entry_id, actor) = (draw_id.to_string(), entry_id.to_string(), actor.to_string());
        let outcome = self
            .db()
            .write(move |conn| {
                // Read and write in the writer's transaction: no other forfeit can come between.
                let Some(mut draw) = read_draw(conn, &draw_id)? else { return Ok(Forfeited::UnknownDraw) };
                if !draw.forfeit(&entry_id, &actor, at_ms) {
                    return Ok(Forfeited::NotAWinner);
                }
                conn.prepare_cached("UPDATE draws SET record = ?2 WHERE draw_id = ?1")?
                    .execute(params![draw_id, to_json(&draw)?])?;
                Ok(Forfeited::Done(Box::new(draw)))
            })
            .await?;
        Ok(outcome)
    }
}
