//! The worker drains Vouch's queues — entries, conversions, webhooks — each through its handler.
//! Queues deliver at least once, so every handler is idempotent: a redelivered message finds its
//! work done and only finishes what is missing.

pub mod consents;
pub mod conversions;
pub mod decode_budget;
pub mod duplicates;
pub mod entries;
pub mod events;
pub mod fingerprint;
pub mod lanes;
pub mod receipt;
pub mod retention;
pub mod verdict;
pub mod webhook_guard;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::backends::{BackendError, Control, Delivery, Queue};
use crate::config::WorkerConfig;

/// Handles one message body. `Err` means "try again later"; permanent refusals are recorded by
/// the handler and answered with `Ok`.
#[async_trait]
pub trait Handler: Send + Sync {
    async fn handle(&self, body: &str) -> Result<(), BackendError>;
}

/// A queue and the handler that drains it.
#[derive(Clone)]
pub struct Lane {
    pub name: &'static str,
    pub queue: Arc<dyn Queue>,
    pub handler: Arc<dyn Handler>,
    pub pace: Pace,
}

/// How a lane takes its messages. The default: one task per message, up to the worker's
/// `concurrency`, whenever there are any.
#[derive(Clone, Default)]
pub struct Pace {
    /// Tasks at once, instead of the worker's `concurrency`.
    pub tasks: Option<usize>,
    /// Messages each task takes in one receive and handles one after another (at least 1).
    pub group: usize,
    /// A lane this one gives way to: while that queue has messages ready, this one takes none.
    pub yields_to: Option<Arc<dyn Queue>>,
}

impl Pace {
    /// Whether the lane should wait: the queue it yields to has work ready (or cannot say).
    async fn give_way(&self) -> bool {
        match &self.yields_to {
            Some(q) => q.stats().await.map_or(true, |s| s.ready > 0),
            None => false,
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    pub lanes: Vec<Lane>,
    pub control: Arc<dyn Control>,
    pub config: WorkerConfig,
}

fn backoff(base_ms: u64, attempts: u32) -> Duration {
    let factor = 1u64 << attempts.saturating_sub(1).min(10);
    Duration::from_millis(base_ms.saturating_mul(factor)).min(Duration::from_secs(60))
}

impl Worker {
    /// Runs every lane until `shutdown` turns true, finishing the messages in hand.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let mut lanes = JoinSet::new();
        for lane in self.lanes.clone() {
            lanes.spawn(run_lane(lane, self.control.clone(), self.config.clone(), shutdown.clone()));
        }
        while lanes.join_next().await.is_some() {}
    }

    /// Processes every visible message in every lane (and what that work queues in turn), then
    /// returns how many messages were handled.
    pub async fn drain(&self) -> Result<usize, BackendError> {
        let mut handled = 0;
        loop {
            let mut round = 0;
            for lane in &self.lanes {
                if !self.control.paused(lane.name).await? {
                    round += drain_lane(lane, &self.config).await?;
                }
            }
            if round == 0 {
                return Ok(handled);
            }
            handled += round;
        }
    }
}

async fn drain_lane(lane: &Lane, config: &WorkerConfig) -> Result<usize, BackendError> {
    let mut handled = 0;
    loop {
        let visibility = Duration::from_secs(config.visibility_timeout_secs.max(1));
        let deliveries = lane.queue.receive(config.concurrency.max(1), visibility).await?;
        if deliveries.is_empty() {
            return Ok(handled);
        }
        handled += deliveries.len();
        let mut tasks = JoinSet::new();
        for d in deliveries {
            tasks.spawn(settle(lane.clone(), config.retry_backoff_ms, visibility, d));
        }
        while tasks.join_next().await.is_some() {}
    }
}

async fn run_lane(lane: Lane, control: Arc<dyn Control>, config: WorkerConfig, mut shutdown: watch::Receiver<bool>) {
    let poll = Duration::from_millis(config.poll_interval_ms.max(10));
    let visibility = Duration::from_secs(config.visibility_timeout_secs.max(1));
    let (limit, group) = (lane.pace.tasks.unwrap_or(config.concurrency).max(1), lane.pace.group.max(1));
    let mut idle = poll;
    let mut tasks = JoinSet::new();
    while !*shutdown.borrow() {
        let free = limit.saturating_sub(tasks.len());
        // A paused queue keeps its messages; the lane only looks again later. A lane that gives
        // way does the same while the lane it yields to has work.
        let paused = control.paused(lane.name).await.unwrap_or(false);
        let yielding = free > 0 && !paused && lane.pace.give_way().await;
        let received = if free > 0 && !paused && !yielding {
            lane.queue.receive(free * group, visibility).await
        } else {
            Ok(Vec::new())
        };
        match received {
            Ok(deliveries) if !deliveries.is_empty() => {
                idle = poll;
                let mut deliveries = deliveries.into_iter().peekable();
                while deliveries.peek().is_some() {
                    let mine: Vec<Delivery> = deliveries.by_ref().take(group).collect();
                    let (lane, backoff_ms) = (lane.clone(), config.retry_backoff_ms);
                    tasks.spawn(async move {
                        for d in mine {
                            settle(lane.clone(), backoff_ms, visibility, d).await;
                        }
                    });
                }
            }
            Ok(_) => {}
            Err(e) => {
                // The queue is down: back off (up to 30 s) and resume by ourselves.
                tracing::warn!(lane = lane.name, error = %e, "cannot receive from the queue");
                idle = (idle * 2).min(Duration::from_secs(30));
            }
        }
        let wait = if free == 0 {
            Duration::from_secs(3600)
        } else if paused {
            poll.max(Duration::from_secs(1))
        } else if yielding {
            poll
        } else {
            idle
        };
        tokio::select! {
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
    while tasks.join_next().await.is_some() {}
}

/// Handles one delivery and acknowledges it, or schedules a retry with backoff. While the handler
/// works, the message's visibility is extended so no other worker starts on it meanwhile.
async fn settle(lane: Lane, backoff_ms: u64, visibility: Duration, delivery: Delivery) {
    let heartbeat = {
        let (queue, delivery) = (lane.queue.clone(), delivery.clone());
        Heartbeat(tokio::spawn(async move {
            loop {
                tokio::time::sleep(visibility / 2).await;
                if let Err(e) = queue.extend(&delivery, visibility).await {
                    tracing::warn!(error = %e, "cannot extend a message's visibility");
                }
            }
        }))
    };
    // In its own task, so a panic is a failed attempt (retried, then dead-lettered) rather than an
    // unwinding `settle`.
    let (handler, body) = (lane.handler.clone(), delivery.body.clone());
    let handled = match tokio::spawn(async move { handler.handle(&body).await }).await {
        Ok(result) => result,
        Err(_) => Err(BackendError::Corrupt("the handler panicked".into())),
    };
    drop(heartbeat);
    let outcome = match handled {
        Ok(()) => lane.queue.ack(&delivery).await,
        Err(e) => {
            // Logged and stored as `last_error` (shown to operators), where no shopper's mailbox
            // or name belongs.
            let error = crate::redact::error_text(&e.to_string());
            tracing::warn!(lane = lane.name, %error, attempts = delivery.attempts, "message failed; will retry");
            lane.queue.retry(&delivery, backoff(backoff_ms, delivery.attempts), &error).await
        }
    };
    if let Err(e) = outcome {
        // The visibility timeout brings the message back; handling it again is harmless.
        tracing::warn!(lane = lane.name, error = %e, "cannot settle a delivery");
    }
}

/// Stops extending a message's visibility however `settle` ends (also by panic or cancellation):
/// a heartbeat that outlived its handler would hide the message for ever.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_minute() {
        assert_eq!(backoff(1000, 1), Duration::from_secs(1));
        assert_eq!(backoff(1000, 2), Duration::from_secs(2));
        assert_eq!(backoff(1000, 4), Duration::from_secs(8));
        assert_eq!(backoff(1000, 30), Duration::from_secs(60));
    }
}
