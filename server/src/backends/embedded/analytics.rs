//! The funnel's counters in SQLite: a batch is one write job, so its id, its sessions and its
//! counters commit together or not at all (see `db.rs`: each job is a savepoint of a group commit).
//! The markers (batch ids and sessions counted) are forgotten after `MARKER_KEEP_MS`, a few at a
//! time by each batch counted, as DynamoDB's TTL forgets them there: without that they would
//! grow with every page view for ever.

use async_trait::async_trait;
use rusqlite::{params, Connection};
use vouch_core::analytics::{tallies, Counter, EventKind, ValidBatch, MARKER_KEEP_MS};

use super::SqliteBackend;
use crate::backends::analytics::Analytics;
use crate::backends::{BackendError, Result};
use crate::clock::now_ms;

/// Markers forgotten per batch counted, at most: a batch never waits on a long delete, and
/// batches come far more often than markers expire.
const FORGET_PER_BATCH: i64 = 256;

/// Deletes up to `FORGET_PER_BATCH` of each kind of marker written before `before_ms`, oldest
/// first, through the `created_ms` indexes.
fn forget_markers(conn: &Connection, before_ms: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "DELETE FROM stat_batches WHERE (campaign, batch_id) IN
           (SELECT campaign, batch_id FROM stat_batches WHERE created_ms < ?1 ORDER BY created_ms LIMIT ?2)",
    )?
    .execute(params![before_ms, FORGET_PER_BATCH])?;
    conn.prepare_cached(
        "DELETE FROM stat_sessions WHERE (campaign, day, event, detail, session) IN
           (SELECT campaign, day, event, detail, session FROM stat_sessions
            WHERE created_ms < ?1 ORDER BY created_ms LIMIT ?2)",
    )?
    .execute(params![before_ms, FORGET_PER_BATCH])?;
    Ok(())
}

#[async_trait]
impl Analytics for SqliteBackend {
    async fn record_batch(&self, batch: &ValidBatch) -> Result<bool> {
        let batch = batch.clone();
        let now = now_ms();
        let counted = self
            .db()
            .write(move |conn| {
                let new = conn
                    .prepare_cached(
                        "INSERT INTO stat_batches (campaign, batch_id, created_ms) VALUES (?1, ?2, ?3)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![batch.campaign, batch.batch_id, now])?;
                if new == 0 {
                    return Ok(false);
                }
                let mut seen = conn.prepare_cached(
                    "INSERT INTO stat_sessions (campaign, day, event, detail, session, created_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
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
                        Some(session) => seen.execute(params![campaign, key.day, event, key.detail, session, now])?,
                        None => 0,
                    };
                    add.execute(params![campaign, key.day, event, key.detail, events as i64, first_visit as i64])?;
                }
                forget_markers(conn, now - MARKER_KEEP_MS)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use vouch_core::analytics::{day_of, Event};

    fn page(id: &str, session: &str, at_ms: i64) -> ValidBatch {
        ValidBatch {
            campaign: "demo".into(),
            batch_id: id.into(),
            session: Some(session.into()),
            events: vec![Event::one(EventKind::Impression, "", at_ms)],
        }
    }

    async fn markers(store: &SqliteBackend, id: &str) -> (i64, i64) {
        let id = id.to_string();
        store
            .db()
            .read(move |conn| {
                let batches: i64 =
                    conn.query_row("SELECT count(*) FROM stat_batches WHERE batch_id = ?1", [&id], |r| r.get(0))?;
                let sessions: i64 = conn.query_row("SELECT count(*) FROM stat_sessions", [], |r| r.get(0))?;
                Ok((batches, sessions))
            })
            .await
            .unwrap()
    }

    /// Moves the markers written so far `age_ms` into the past, as days passing would.
    async fn age(store: &SqliteBackend, age_ms: i64) {
        store
            .db()
            .write(move |conn| {
                conn.execute("UPDATE stat_batches SET created_ms = created_ms - ?1", [age_ms])?;
                conn.execute("UPDATE stat_sessions SET created_ms = created_ms - ?1", [age_ms])?;
                Ok(())
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn markers_are_forgotten_after_the_keep_time_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteBackend::open(&dir.path().join("vouch.db")).unwrap();
        let now = now_ms();
        assert!(store.record_batch(&page("old", "sess-old", now)).await.unwrap());
        age(&store, MARKER_KEEP_MS - 60_000).await;
        assert!(store.record_batch(&page("young", "sess-young", now)).await.unwrap());
        assert_eq!(markers(&store, "old").await, (1, 2), "a marker younger than the keep time stays");
        assert!(!store.record_batch(&page("old", "sess-old", now)).await.unwrap(), "so its batch counts once");

        age(&store, 120_000).await;
        assert!(store.record_batch(&page("new", "sess-new", now)).await.unwrap());
        assert_eq!(markers(&store, "old").await, (0, 2), "the old batch's marker and session are gone");
        assert_eq!(markers(&store, "young").await.0, 1);
        let today = day_of(now);
        let counted = store.counters("demo", &today, &today).await.unwrap();
        assert_eq!((counted[0].events, counted[0].sessions), (3, 3), "forgetting markers keeps the counts");
    }

    #[test]
    fn forgetting_reads_the_age_indexes_not_the_tables() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteBackend::open(&dir.path().join("vouch.db")).unwrap());
        let conn = Connection::open(dir.path().join("vouch.db")).unwrap();
        for (table, key, index) in [
            ("stat_batches", "campaign, batch_id", "stat_batches_by_age"),
            ("stat_sessions", "campaign, day, event, detail, session", "stat_sessions_by_age"),
        ] {
            let sql = format!(
                "EXPLAIN QUERY PLAN SELECT {key} FROM {table} WHERE created_ms < 1 ORDER BY created_ms LIMIT 5"
            );
            let plan: Vec<String> =
                conn.prepare(&sql).unwrap().query_map([], |r| r.get(3)).unwrap().map(|r| r.unwrap()).collect();
            assert!(plan.iter().any(|p| p.contains(index)), "{table}: {plan:?}");
        }
    }
}
