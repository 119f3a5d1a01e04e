//! A queue on SQS: a standard queue whose redrive policy moves a message to `<name>-dlq` after
//! `maxReceiveCount` deliveries. Receives long-poll; the receipt handle identifies a delivery.
//! SQS keeps no error with a message, so each failure's error is kept in DynamoDB under the
//! message id, which the message keeps in the dead-letter queue (`dead_letters.rs`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sqs::types::{MessageSystemAttributeName as Msa, QueueAttributeName as Qa};
use tokio::sync::OnceCell;

use super::dead_letters::ErrorLog;
use super::unavailable;
use crate::backends::dead_letters::DeadLetter;
use crate::backends::{Delivery, Queue, QueueStats, Result};

pub(super) const WHAT: &str = "queue (SQS)";

#[derive(Clone)]
pub struct SqsQueue {
    pub(super) sqs: aws_sdk_sqs::Client,
    pub(super) name: String,
    wait_secs: i32,
    timeout: Duration,
    /// Queue URLs (main, dead-letter), looked up once: SQS may be down when we start.
    urls: Arc<OnceCell<(String, String)>>,
    pub(super) errors: ErrorLog,
}

impl SqsQueue {
    pub(super) fn new(
        sqs: aws_sdk_sqs::Client,
        name: &str,
        wait_secs: i32,
        timeout: Duration,
        errors: ErrorLog,
    ) -> Self {
        Self { sqs, name: name.to_string(), wait_secs, timeout, urls: Arc::new(OnceCell::new()), errors }
    }

    /// The call timeout of a receive that long-polls for `wait_secs`: the usual timeout on top of
    /// the wait, or a poll of an empty queue would time out on the wait alone.
    pub(super) fn long_poll(&self, wait_secs: i32) -> aws_sdk_sqs::config::Builder {
        let long_poll = TimeoutConfig::builder()
            .operation_timeout(self.timeout + Duration::from_secs(wait_secs.max(0) as u64))
            .build();
        aws_sdk_sqs::config::Builder::default().timeout_config(long_poll)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub(super) async fn urls(&self) -> Result<&(String, String)> {
        self.urls
            .get_or_try_init(|| async {
                let url = |name: String| async move {
                    let out =
                        self.sqs.get_queue_url().queue_name(name).send().await.map_err(|e| unavailable(WHAT, e))?;
                    Ok::<_, crate::backends::BackendError>(out.queue_url.unwrap_or_default())
                };
                Ok((url(self.name.clone()).await?, url(format!("{}-dlq", self.name)).await?))
            })
            .await
    }

    async fn counts(&self, url: &str) -> Result<(u64, u64)> {
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(Qa::ApproximateNumberOfMessages)
            .attribute_names(Qa::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        let read = |a: Qa| out.attributes().and_then(|m| m.get(&a)).and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok((read(Qa::ApproximateNumberOfMessages), read(Qa::ApproximateNumberOfMessagesNotVisible)))
    }
}

/// `message_id receipt_handle`: the receipt handle settles this delivery, the message id keys
/// its error. Neither contains a space.
fn handle(message_id: &str, receipt: &str) -> String {
    format!("{message_id} {receipt}")
}

/// `(message id, receipt handle)` of a delivery's handle.
fn parts(handle: &str) -> (Option<&str>, &str) {
    match handle.split_once(' ') {
        Some((id, receipt)) => (Some(id), receipt),
        None => (None, handle),
    }
}

pub(super) fn secs(d: Duration) -> i32 {
    d.as_secs().min(43_200) as i32
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, body: String) -> Result<()> {
        let (url, _) = self.urls().await?;
        self.sqs.send_message().queue_url(url).message_body(body).send().await.map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>> {
        let (url, _) = self.urls().await?;
        let out = self
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            .wait_time_seconds(self.wait_secs)
            .visibility_timeout(secs(visibility).max(1))
            .message_system_attribute_names(Msa::ApproximateReceiveCount)
            .customize()
            .config_override(self.long_poll(self.wait_secs))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(out
            .messages()
            .iter()
            .filter_map(|m| {
                let attempts =
                    m.attributes().and_then(|a| a.get(&Msa::ApproximateReceiveCount)).and_then(|c| c.parse().ok());
                Some(Delivery {
                    handle: handle(m.message_id()?, m.receipt_handle()?),
                    body: m.body()?.to_string(),
                    attempts: attempts.unwrap_or(1),
                })
            })
            .collect())
    }

    async fn ack(&self, delivery: &Delivery) -> Result<()> {
        let (url, _) = self.urls().await?;
        self.sqs
            .delete_message()
            .queue_url(url)
            .receipt_handle(parts(&delivery.handle).1)
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    async fn extend(&self, delivery: &Delivery, visibility: Duration) -> Result<()> {
        let (url, _) = self.urls().await?;
        self.sqs
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(parts(&delivery.handle).1)
            .visibility_timeout(secs(visibility))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    /// The message comes back after `delay`; the redrive policy dead-letters it once its
    /// receive count passes `maxReceiveCount`. Its error is kept for the dead-letter list.
    async fn retry(&self, delivery: &Delivery, delay: Duration, error: &str) -> Result<()> {
        tracing::debug!(queue = %self.name, %error, "retrying message");
        self.extend(delivery, delay).await?;
        if let (Some(id), _) = parts(&delivery.handle) {
            self.errors.record(&self.name, id, delivery.attempts, error).await?;
        }
        Ok(())
    }

    async fn stats(&self) -> Result<QueueStats> {
        let (url, dlq) = self.urls().await?;
        let (ready, in_flight) = self.counts(url).await?;
        let (dead_ready, dead_held) = self.counts(dlq).await?;
        Ok(QueueStats { ready, in_flight, dead: dead_ready + dead_held })
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        self.list_dead(limit).await
    }

    async fn redrive(&self, id: &str) -> Result<bool> {
        self.redrive_one(id).await
    }

    async fn redrive_all(&self) -> Result<u64> {
        self.redrive_every().await
    }
}
