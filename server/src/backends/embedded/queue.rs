//! A durable at-least-once queue in SQLite, with the semantics of SQS: a received message is hidden
//! for a visibility timeout, comes back if not acknowledged, and is dead-lettered after
//! `max_attempts` deliveries.

use std::time::Duration;

use async_trait::async_trait;
use rusqlite::params;

use crate::backends::dead_letters::{campaign_of, DeadLetter};
use crate::backends::embedded::db::{Db, DbError};
use crate::backends::{Delivery, Queue, QueueStats, Result};
use crate::clock::now_ms;

#[derive(Debug, Clone)]
pub struct SqliteQueue {
    db: Db,
    topic: String,
    max_attempts: u32,
}

impl SqliteQueue {
    pub fn new(db: Db, topic: &str, max_attempts: u32) -> Self {
        Self { db, topic: topic.to_string(), max_attempts: max_attempts.max(1) }
    }
}

/// Inserts a message inside the caller's transaction (the intake queues with its idempotency record).
pub(super) fn enqueue(conn: &rusqlite::Connection, topic: &str, body: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO queue (topic, body, visible_ms, created_ms) VALUES (?1, ?2, ?3, ?3)")?
        .execute(params![topic, body, now_ms()])?;
    Ok(())
}

/// `id:attempt` — an ack from a worker whose lease already expired must not delete the message
/// another worker now holds.
fn handle(id: i64, attempts: u32) -> String {
    format!("{id}:{attempts}")
}

fn parse_handle(h: &str) -> std::result::Result<(i64, u32), DbError> {
    h.split_once(':')
        .and_then(|(id, a)| Some((id.parse().ok()?, a.parse().ok()?)))
        .ok_or_else(|| DbError::Corrupt(format!("bad delivery handle {h:?}")))
}

#[async_trait]
impl Queue for SqliteQueue {
    async fn send(&self, body: String) -> Result<()> {
        let topic = self.topic.clone();
        self.db.write(move |conn| Ok(enqueue(conn, &topic, &body)?)).await?;
        Ok(())
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>> {
        let (topic, max_attempts) = (self.topic.clone(), self.max_attempts);
        let deliveries = self
            .db
            .write(move |conn| {
                let now = now_ms();
                // A message that crashed its worker every time comes back with its attempts used up.
                conn.prepare_cached(
                    "UPDATE queue SET dead = 1, last_error = coalesce(last_error, 'delivery attempts exhausted')
                     WHERE topic = ?1 AND dead = 0 AND visible_ms <= ?2 AND attempts >= ?3",
                )?
                .execute(params![topic, now, max_attempts])?;
                let rows: Vec<(i64, String, u32)> = conn
                    .prepare_cached(
                        "UPDATE queue SET attempts = attempts + 1, visible_ms = ?3
                         WHERE id IN (SELECT id FROM queue WHERE topic = ?1 AND dead = 0 AND visible_ms <= ?2
                                      ORDER BY visible_ms, id LIMIT ?4)
                         RETURNING id, body, attempts",
                    )?
                    .query_map(params![topic, now, now + visibility.as_millis() as i64, max as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                Ok(rows
                    .into_iter()
                    .map(|(id, body, attempts)| Delivery { handle: handle(id, attempts), body, attempts })
                    .collect())
            })
            .await?;
        Ok(deliveries)
    }

    async fn ack(&self, delivery: &Delivery) -> Result<()> {
        let (id, attempts) = parse_handle(&delivery.handle)?;
        self.db
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM queue WHERE id = ?1 AND attempts = ?2")?
                    .execute(params![id, attempts])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn extend(&self, delivery: &Delivery, visibility: Duration) -> Result<()> {
        let (id, attempts) = parse_handle(&delivery.handle)?;
        self.db
            .write(move |conn| {
                conn.prepare_cached("UPDATE queue SET visible_ms = ?3 WHERE id = ?1 AND attempts = ?2 AND dead = 0")?
                    .execute(params![id, attempts, now_ms() + visibility.as_millis() as i64])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn retry(&self, delivery: &Delivery, delay: Duration, error: &str) -> Result<()> {
        let (id, attempts) = parse_handle(&delivery.handle)?;
        let dead = attempts >= self.max_attempts;
        let error = error.to_string();
        self.db
            .write(move |conn| {
                // A dead message is never visible again, so its `visible_ms` keeps when it died.
                let now = now_ms();
                let visible = if dead { now } else { now + delay.as_millis() as i64 };
                conn.prepare_cached(
                    "UPDATE queue SET visible_ms = ?3, dead = ?4, last_error = ?5 WHERE id = ?1 AND attempts = ?2",
                )?
                .execute(params![id, attempts, visible, dead, error])?;
                Ok(())
            })
            .await?;
        if dead {
            tracing::warn!(message = id, attempts, "message dead-lettered");
        }
        Ok(())
    }

    async fn stats(&self) -> Result<QueueStats> {
        let topic = self.topic.clone();
        let stats = self
            .db
            .read(move |conn| {
                let now = now_ms();
                let stats = conn.query_row(
                    "SELECT coalesce(sum(dead = 0 AND visible_ms <= ?2), 0), coalesce(sum(dead = 0 AND visible_ms > ?2), 0),
                            coalesce(sum(dead), 0)
                     FROM queue WHERE topic = ?1",
                    params![topic, now],
                    |r| Ok(QueueStats { ready: r.get::<_, i64>(0)? as u64, in_flight: r.get::<_, i64>(1)? as u64, dead: r.get::<_, i64>(2)? as u64 }),
                )?;
                Ok(stats)
            })
            .await?;
        Ok(stats)
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        let topic = self.topic.clone();
        let rows: Vec<(i64, u32, Option<String>, i64, String)> = self
            .db
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT id, attempts, last_error, visible_ms, body FROM queue
                         WHERE topic = ?1 AND dead = 1 ORDER BY id LIMIT ?2",
                    )?
                    .query_map(params![topic, limit as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, attempts, last_error, at, body)| DeadLetter {
                id: id.to_string(),
                attempts,
                last_error,
                failed_at_ms: Some(at),
                campaign: campaign_of(&body),
            })
            .collect())
    }

    async fn redrive(&self, id: &str) -> Result<bool> {
        let Ok(id) = id.parse::<i64>() else { return Ok(false) };
        let topic = self.topic.clone();
        // One conditional update: a second redrive of the same message finds it no longer dead.
        let moved = self
            .db
            .write(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "UPDATE queue SET dead = 0, attempts = 0, visible_ms = ?3, last_error = NULL
                         WHERE id = ?1 AND topic = ?2 AND dead = 1",
                    )?
                    .execute(params![id, topic, now_ms()])?)
            })
            .await?;
        Ok(moved == 1)
    }

    async fn redrive_all(&self) -> Result<u64> {
        let topic = self.topic.clone();
        let moved = self
            .db
            .write(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "UPDATE queue SET dead = 0, attempts = 0, visible_ms = ?2, last_error = NULL
                         WHERE topic = ?1 AND dead = 1",
                    )?
                    .execute(params![topic, now_ms()])?)
            })
            .await?;
        Ok(moved as u64)
    }
}
