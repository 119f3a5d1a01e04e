//! Queue pause switches in SQLite.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteBackend;
use crate::backends::{Control, Result};

#[async_trait]
impl Control for SqliteBackend {
    async fn paused(&self, queue: &str) -> Result<bool> {
        let topic = queue.to_string();
        let paused: Option<bool> = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT paused FROM queue_control WHERE topic = ?1")?
                    .query_row(params![topic], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        Ok(paused.unwrap_or(false))
    }

    async fn set_paused(&self, queue: &str, paused: bool) -> Result<()> {
        let topic = queue.to_string();
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO queue_control (topic, paused) VALUES (?1, ?2)
                     ON CONFLICT (topic) DO UPDATE SET paused = excluded.paused",
                )?
                .execute(params![topic, paused])?;
                Ok(())
            })
            .await?;
        Ok(())
    }
}
