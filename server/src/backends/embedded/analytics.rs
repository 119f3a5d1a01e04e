//! The funnel's counters in SQLite: a batch is one write job, so its id, its sessions and its
//! counters commit together or not at all (see `db.rs`: each job is a savepoint of a group commit).

use async_trait::async_trait;
use rusqlite::params;
use vouch_core::analytics::{tallies, Counter, EventKind, ValidBatch};

use super::SqliteBackend;
use crate::backends::analytics::Analytics;
use crate::backends::{BackendError, Result};
use crate::clock::now_ms;

#[async_trait]
impl Analytics for SqliteBackend {
    async fn record_batch(&self, batch: &ValidBatch) -> Result<bool> {
        let batch = batch.clone();
        let counted = self
            .db()
            .write(move |conn| {
                let new = conn
                    .prepare_cached(
                        "INSERT INTO stat_batches (campaign, batch_id, created_ms) VALUES (?1, ?2, ?3)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![batch.campaign, batch.batch_id, now_ms()])?;
                if new == 0 {
                    return Ok(false);
                }
                let mut seen = conn.prepare_cached(
                    "INSERT INTO stat_sessions (campaign, day, event, detail, session) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO NOTHING",
                )?;
                let mut add = conn.prepare_cached(
                    "INSERT INTO stat_counters (campaign, day, event, detail, events, sessions)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT DO UPDATE SET events = events + excluded.events,
                                               sessions = sessions + excluded.sessions",
                )?;
                for (key, events) in tallies(&batch) {
                    let (campaign, event) = (&batch.campaign, key.event.as_str());
                    let first_visit = match &batch.session {
                        Some(session) => seen.execute(params![campaign, key.day, event, key.detail, session])?,
                        None => 0,
                    };
                    add.execute(params![campaign, key.day, event, key.detail, events as i64, first_visit as i64])?;
                }
                Ok(true)
            })
            .await?;
        Ok(counted)
    }

    async fn counters(&self, campaign: &str, from: &str, to: &str) -> Result<Vec<Counter>> {
        let (campaign, from, to) = (campaign.to_string(), from.to_string(), to.to_string());
        let rows: Vec<(String, String, String, i64, i64)> = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT day, event, detail, events, sessions FROM stat_counters
                         WHERE campaign = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day, event, detail",
                    )?
                    .query_map(params![campaign, from, to], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .await?;
        rows.into_iter()
            .map(|(day, event, detail, events, sessions)| {
                let event = EventKind::parse(&event)
                    .ok_or_else(|| BackendError::Corrupt(format!("counter of unknown event {event:?}")))?;
                Ok(Counter { day, event, detail, events: events.max(0) as u64, sessions: sessions.max(0) as u64 })
            })
            .collect()
    }
}
