//! The funnel's events lane: each message is a batch (a page's, validated by the BFF, or one of
//! the server's facts), counted by the store once however often it is delivered.

use std::sync::Arc;

use async_trait::async_trait;
use vouch_core::analytics::ValidBatch;

use super::Handler;
use crate::backends::analytics::Analytics;
use crate::backends::BackendError;

pub struct EventsHandler {
    pub analytics: Arc<dyn Analytics>,
}

#[async_trait]
impl Handler for EventsHandler {
    async fn handle(&self, body: &str) -> Result<(), BackendError> {
        // Where and what kind of fault only: serde's message may quote the body's values, and
        // this text becomes the dead letter's `last_error`, which operators see.
        let batch: ValidBatch = serde_json::from_str(body).map_err(|e| {
            BackendError::Corrupt(format!(
                "unreadable events message ({:?} error at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        self.analytics.record_batch(&batch).await?;
        Ok(())
    }
}
