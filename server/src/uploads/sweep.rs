//! Abandoned uploads in the embedded object store: a photo uploaded with a grant whose entry never
//! came. The sweep removes unclaimed uploads shortly after their grant expired (see
//! [`Config::orphan_age`](crate::config::Config::orphan_age)). (On S3 a bucket lifecycle rule does
//! the same job.)

use std::time::Duration;

use crate::backends::{Intake, Result, SweptObjects};
use crate::uploads::keys;

/// Deletes unclaimed uploads older than `older_than`; returns how many went.
pub async fn sweep_orphan_uploads(
    intake: &dyn Intake,
    objects: &dyn SweptObjects,
    older_than: Duration,
) -> Result<usize> {
    let candidates = objects.list_older_than(keys::UPLOADS, older_than).await?;
    // The intake marks them swept before any goes: an entry committed before keeps its upload, an
    // entry after it is refused.
    let doomed = intake.sweep_unclaimed(candidates).await?;
    for key in &doomed {
        objects.delete(key).await?;
    }
    if !doomed.is_empty() {
        tracing::info!(removed = doomed.len(), "swept abandoned uploads");
    }
    Ok(doomed.len())
}
