//! Dead letters on SQS. The dead-letter queue is a real queue: SQS moves a message there, with its
//! message id, once its receive count passes `maxReceiveCount`. Listing and redriving read it with
//! a short visibility (a peek) and hand back what they do not take; moto has no
//! `StartMessageMoveTask`, and that task runs detached with no count to answer with, so a redrive
//! sends the body to the main queue as a new message (its attempts start again) and then deletes
//! the dead copy. A crash in between leaves both: the worker sees the message twice, which it
//! handles idempotently; nothing is lost. Two redrives of one message cannot both hold it: the
//! first one's peek hides it from the second.
//!
//! SQS keeps no error with a message, so [`ErrorLog`] keeps each failure's (already redacted)
//! error in DynamoDB under the message id, until the redrive or DynamoDB's TTL removes it.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue as AV;
use aws_sdk_sqs::types::MessageSystemAttributeName as Msa;

use super::sqs::{secs, SqsQueue, WHAT};
use super::unavailable;
use crate::backends::dead_letters::{campaign_of, DeadLetter};
use crate::backends::Result;
use crate::clock::now_ms;

const STORE: &str = "store (DynamoDB)";
/// How long a listing or redrive holds the dead letters it looks at.
const PEEK: Duration = Duration::from_secs(30);
/// SQS keeps a message at most 14 days; its error need not outlive it.
const KEEP_SECS: i64 = 15 * 24 * 3600;

/// The last error of each failed SQS message, in the DynamoDB table.
#[derive(Clone)]
pub(crate) struct ErrorLog {
    ddb: aws_sdk_dynamodb::Client,
    table: String,
}

struct Failure {
    error: String,
    attempts: u32,
    at_ms: i64,
}

fn pk(queue: &str, message_id: &str) -> AV {
    AV::S(format!("qerr#{queue}#{message_id}"))
}

impl ErrorLog {
    pub(super) fn new(ddb: aws_sdk_dynamodb::Client, table: &str) -> Self {
        Self { ddb, table: table.to_string() }
    }

    pub(super) async fn record(&self, queue: &str, message_id: &str, attempts: u32, error: &str) -> Result<()> {
        let now = now_ms();
        self.ddb
            .put_item()
            .table_name(&self.table)
            .item("pk", pk(queue, message_id))
            .item("error", AV::S(error.to_string()))
            .item("attempts", AV::N(attempts.to_string()))
            .item("at_ms", AV::N(now.to_string()))
            .item("expires_at", AV::N((now / 1000 + KEEP_SECS).to_string()))
            .send()
            .await
            .map_err(|e| unavailable(STORE, e))?;
        Ok(())
    }

    async fn get(&self, queue: &str, message_id: &str) -> Result<Option<Failure>> {
        let out = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("pk", pk(queue, message_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(STORE, e))?;
        Ok(out.item.map(|item| {
            let num = |k: &str| item.get(k).and_then(|v| v.as_n().ok()).and_then(|n| n.parse::<i64>().ok());
            Failure {
                error: item.get("error").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default(),
                attempts: num("attempts").unwrap_or(0) as u32,
                at_ms: num("at_ms").unwrap_or(0),
            }
        }))
    }

    async fn forget(&self, queue: &str, message_id: &str) -> Result<()> {
        self.ddb
            .delete_item()
            .table_name(&self.table)
            .key("pk", pk(queue, message_id))
            .send()
            .await
            .map_err(|e| unavailable(STORE, e))?;
        Ok(())
    }
}

/// A dead letter held for [`PEEK`].
struct Peeked {
    id: String,
    receipt: String,
    body: String,
    receives: u32,
    sent_ms: i64,
}

impl SqsQueue {
    /// Up to `max` (≤ 10) dead letters not held by anyone else, now held by us.
    async fn peek(&self, dlq: &str, max: usize) -> Result<Vec<Peeked>> {
        const WAIT_SECS: i32 = 1;
        let out = self
            .sqs
            .receive_message()
            .queue_url(dlq)
            .max_number_of_messages(max.clamp(1, 10) as i32)
            // A short poll may miss messages on some SQS hosts; a one-second long poll does not.
            .wait_time_seconds(WAIT_SECS)
            .visibility_timeout(secs(PEEK))
            .message_system_attribute_names(Msa::ApproximateReceiveCount)
            .message_system_attribute_names(Msa::SentTimestamp)
            .customize()
            .config_override(self.long_poll(WAIT_SECS))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(out
            .messages()
            .iter()
            .filter_map(|m| {
                let attr = |a: Msa| m.attributes().and_then(|all| all.get(&a)).and_then(|v| v.parse::<i64>().ok());
                Some(Peeked {
                    id: m.message_id()?.to_string(),
                    receipt: m.receipt_handle()?.to_string(),
                    body: m.body()?.to_string(),
                    receives: attr(Msa::ApproximateReceiveCount).unwrap_or(1) as u32,
                    sent_ms: attr(Msa::SentTimestamp).unwrap_or(0),
                })
            })
            .collect())
    }

    /// Peeks until `limit` dead letters are held or no more are visible.
    async fn peek_up_to(&self, dlq: &str, limit: usize) -> Result<Vec<Peeked>> {
        let mut held = Vec::new();
        while held.len() < limit {
            match self.peek(dlq, limit - held.len()).await {
                Ok(batch) if batch.is_empty() => break,
                Ok(batch) => held.extend(batch),
                Err(e) => {
                    self.release(dlq, &held).await;
                    return Err(e);
                }
            }
        }
        Ok(held)
    }

    /// Makes held dead letters visible again. A failure only delays them until [`PEEK`] ends.
    async fn release(&self, dlq: &str, held: &[Peeked]) {
        for p in held {
            let released =
                self.sqs.change_message_visibility().queue_url(dlq).receipt_handle(&p.receipt).visibility_timeout(0);
            if let Err(e) = released.send().await {
                tracing::warn!(queue = %self.name, error = %unavailable(WHAT, e), "a dead letter stays hidden a little longer");
            }
        }
    }

    /// Back to the main queue as a new message, then out of the dead-letter queue.
    async fn move_back(&self, url: &str, dlq: &str, p: &Peeked) -> Result<()> {
        self.sqs.send_message().queue_url(url).message_body(&p.body).send().await.map_err(|e| unavailable(WHAT, e))?;
        self.sqs
            .delete_message()
            .queue_url(dlq)
            .receipt_handle(&p.receipt)
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        if let Err(e) = self.errors.forget(&self.name, &p.id).await {
            tracing::warn!(queue = %self.name, error = %e, "a redriven message's error record stays until its TTL");
        }
        Ok(())
    }

    pub(super) async fn list_dead(&self, limit: usize) -> Result<Vec<DeadLetter>> {
        let (_, dlq) = self.urls().await?;
        let mut held = self.peek_up_to(dlq, limit).await?;
        self.release(dlq, &held).await;
        held.sort_by_key(|p| p.sent_ms);
        let mut out = Vec::with_capacity(held.len());
        for p in held {
            let failure = self.errors.get(&self.name, &p.id).await?;
            out.push(DeadLetter {
                // Without a record (its worker died each time), the receive count, peeks included.
                attempts: failure.as_ref().map_or(p.receives, |f| f.attempts),
                failed_at_ms: failure.as_ref().map(|f| f.at_ms),
                last_error: failure.map(|f| f.error),
                campaign: campaign_of(&p.body),
                id: p.id,
            });
        }
        Ok(out)
    }

    /// Looks through the dead letters for `id`; the others are handed back at once.
    pub(super) async fn redrive_one(&self, id: &str) -> Result<bool> {
        let (url, dlq) = self.urls().await?;
        let mut others = Vec::new();
        let found = loop {
            let batch = match self.peek(dlq, 10).await {
                Ok(batch) => batch,
                Err(e) => {
                    self.release(dlq, &others).await;
                    return Err(e);
                }
            };
            if batch.is_empty() {
                break None;
            }
            let (hit, rest): (Vec<_>, Vec<_>) = batch.into_iter().partition(|p| p.id == id);
            others.extend(rest);
            if let Some(p) = hit.into_iter().next() {
                break Some(p);
            }
        };
        self.release(dlq, &others).await;
        match found {
            Some(p) => self.move_back(url, dlq, &p).await.map(|()| true),
            None => Ok(false),
        }
    }

    pub(super) async fn redrive_every(&self) -> Result<u64> {
        let (url, dlq) = self.urls().await?;
        let mut moved = 0;
        loop {
            let batch = self.peek(dlq, 10).await?;
            if batch.is_empty() {
                return Ok(moved);
            }
            for p in &batch {
                // On a failure the rest of the batch comes back to the dead letters after the peek.
                self.move_back(url, dlq, p).await?;
                moved += 1;
            }
        }
    }

    /// The dead letters whose body `pick` chooses, as (message id, body): each looked at with a
    /// peek and handed back. A shopper's export and erase find theirs this way (SQS has no search;
    /// a dead-letter queue is small).
    pub(crate) async fn dead_where(&self, pick: impl Fn(&str) -> bool) -> Result<Vec<(String, String)>> {
        let (_, dlq) = self.urls().await?;
        let held = self.peek_up_to(dlq, EVERY).await?;
        self.release(dlq, &held).await;
        Ok(held.into_iter().filter(|p| pick(&p.body)).map(|p| (p.id, p.body)).collect())
    }

    /// Deletes the dead letters with these message ids (and their error records); the others are
    /// handed back. How many went.
    pub(crate) async fn delete_dead(&self, ids: &[String]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let (_, dlq) = self.urls().await?;
        let held = self.peek_up_to(dlq, EVERY).await?;
        let (doomed, kept): (Vec<_>, Vec<_>) = held.into_iter().partition(|p| ids.contains(&p.id));
        self.release(dlq, &kept).await;
        for p in &doomed {
            let gone = self.sqs.delete_message().queue_url(dlq).receipt_handle(&p.receipt).send().await;
            gone.map_err(|e| unavailable(WHAT, e))?;
            self.errors.forget(&self.name, &p.id).await?;
        }
        Ok(doomed.len() as u64)
    }
}

/// More dead letters than any queue holds while it is watched: "all of them".
const EVERY: usize = 100_000;
