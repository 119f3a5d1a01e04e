//! The funnel's counters: per campaign, day, event and detail (a share's channel, a rejection's
//! reason), each with its count of events and of unique sessions.

use async_trait::async_trait;
use vouch_core::analytics::{Counter, ValidBatch};

use super::Result;

#[async_trait]
pub trait Analytics: Send + Sync {
    /// Adds the batch's tallies (`vouch_core::analytics::tallies`) in one atomic step, counting
    /// each session once per counter. A batch id the campaign has counted before changes nothing
    /// and returns `false`: queues deliver at least once.
    async fn record_batch(&self, batch: &ValidBatch) -> Result<bool>;

    /// The counters of `campaign` for the days `from..=to` (`YYYY-MM-DD`), in any order.
    async fn counters(&self, campaign: &str, from: &str, to: &str) -> Result<Vec<Counter>>;
}
