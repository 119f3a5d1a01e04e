//! Abandoned uploads in the embedded store: a photo uploaded with a grant whose entry never came.
//! The sweep removes uploads older than a day that no submission claimed. (On S3 a bucket
//! lifecycle rule does the same job.)

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::params;

use crate::backends::embedded::SqliteBackend;
use crate::backends::objects::LocalObjects;
use crate::backends::{Objects, Result};

const UPLOADS_PREFIX: &str = "uploads";

/// Deletes unclaimed uploads older than `older_than`; returns how many went.
pub async fn sweep_orphan_uploads(
    backend: &SqliteBackend,
    objects: &LocalObjects,
    older_than: Duration,
) -> Result<usize> {
    let candidates = objects.list_older_than(UPLOADS_PREFIX, older_than).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let keys = candidates.clone();
    let claimed: HashSet<String> = backend
        .db()
        .read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT 1 FROM submissions WHERE receipt_key = ?1")?;
            let mut claimed = HashSet::new();
            for key in keys {
                if stmt.exists(params![key])? {
                    claimed.insert(key);
                }
            }
            Ok(claimed)
        })
        .await?;
    let mut removed = 0;
    for key in candidates.iter().filter(|k| !claimed.contains(*k)) {
        objects.delete(key).await?;
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(removed, "swept abandoned uploads");
    }
    Ok(removed)
}
