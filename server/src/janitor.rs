//! Abandoned uploads in the embedded store: a photo uploaded with a grant whose entry never came.
//! The sweep removes unclaimed uploads shortly after their grant expired (see
//! [`Config::orphan_age`](crate::config::Config::orphan_age)). (On S3 a bucket lifecycle rule does
//! the same job.)

use std::time::Duration;

use rusqlite::params;

use crate::backends::embedded::SqliteBackend;
use crate::backends::objects::LocalObjects;
use crate::backends::{Objects, Result};
use crate::clock::now_ms;

const UPLOADS_PREFIX: &str = "uploads";

/// A tombstone only has to outlive an entry request that checked the file just before it went.
const TOMBSTONE_MS: i64 = 24 * 3600 * 1000;

/// Deletes unclaimed uploads older than `older_than`; returns how many went.
pub async fn sweep_orphan_uploads(
    backend: &SqliteBackend,
    objects: &LocalObjects,
    older_than: Duration,
) -> Result<usize> {
    let candidates = objects.list_older_than(UPLOADS_PREFIX, older_than).await?;
    // Unclaimed candidates get their tombstone in the same transaction that finds them unclaimed:
    // an entry committed before it keeps its upload, an entry after it is refused.
    let doomed: Vec<String> = backend
        .db()
        .write(move |conn| {
            let now = now_ms();
            conn.prepare_cached("DELETE FROM swept_uploads WHERE swept_ms < ?1")?
                .execute(params![now - TOMBSTONE_MS])?;
            let mut claimed = conn.prepare_cached("SELECT 1 FROM submissions WHERE receipt_key = ?1")?;
            let mut tombstone =
                conn.prepare_cached("INSERT OR IGNORE INTO swept_uploads (receipt_key, swept_ms) VALUES (?1, ?2)")?;
            let mut doomed = Vec::new();
            for key in candidates {
                if !claimed.exists(params![key])? {
                    tombstone.execute(params![key, now])?;
                    doomed.push(key);
                }
            }
            Ok(doomed)
        })
        .await?;
    for key in &doomed {
        objects.delete(key).await?;
    }
    if !doomed.is_empty() {
        tracing::info!(removed = doomed.len(), "swept abandoned uploads");
    }
    Ok(doomed.len())
}
