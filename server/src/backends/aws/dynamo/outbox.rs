//! Webhook events on DynamoDB (joins, credits, decisions). SQS cannot join a DynamoDB
//! transaction, so an event is written with the change it announces (an outbox item) and handed
//! to SQS after the commit. If the process dies or SQS is down in between, the item stays, and
//! every BFF's janitor relays items older than a minute. A relayed event may go out twice (its
//! event id stays the same); it is never lost.

use std::time::Duration;

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{at, item, n, number, s, text, DynamoStore};
use crate::backends::referrals::{OutboxEvent, Referrer};
use crate::backends::{Queue, Result};
use crate::clock::now_ms;

/// The `gsi2` partition listing events not yet handed to SQS.
const PENDING: &str = "outbox#webhooks";

fn join_event_pk(referrer_id: &str) -> String {
    format!("joinevent#{referrer_id}")
}

fn event_pk(event_id: &str) -> String {
    format!("event#{event_id}")
}

impl DynamoStore {
    /// An outbox item for `body` under `pk`, to commit in the transaction of what it announces.
    /// Unconditional: two changes announcing the same event write the same item.
    fn outbox_item(&self, pk: &str, key: &str, body: &str) -> Result<TransactWriteItem> {
        let now = now_ms();
        let record = item(vec![
            ("pk", Some(s(pk))),
            ("body", Some(s(body))),
            ("created_ms", Some(n(now))),
            ("gsi2pk", Some(s(PENDING))),
            ("gsi2sk", Some(s(&format!("{}#{key}", at(now))))),
        ]);
        self.put_item(record, false)
    }

    /// Hands a committed change's event to SQS and clears its outbox item. A failure is logged,
    /// not returned: the change stands, and the relay sends the event later.
    async fn hand_over(&self, pk: &str, body: String) {
        if let Err(e) = self.webhooks.send(body).await {
            tracing::warn!(error = %e, pk, "webhook event not queued yet; the relay will send it");
            return;
        }
        if let Err(e) = self.delete(pk).await {
            tracing::warn!(error = %e, pk, "webhook event queued, outbox item kept; it may go out twice");
        }
    }

    /// The outbox item for a join's `referrer.joined` event.
    pub(super) fn join_event(&self, referrer: &Referrer, body: &str) -> Result<TransactWriteItem> {
        self.outbox_item(&join_event_pk(&referrer.referrer_id), &referrer.referrer_id, body)
    }

    pub(super) async fn hand_over_join_event(&self, referrer_id: &str, body: String) {
        self.hand_over(&join_event_pk(referrer_id), body).await;
    }

    /// The outbox items for `events`.
    pub(super) fn event_items(&self, events: &[OutboxEvent]) -> Result<Vec<TransactWriteItem>> {
        events.iter().map(|e| self.outbox_item(&event_pk(&e.id), &e.id, &e.body)).collect()
    }

    /// Hands committed `events` over, as `hand_over_join_event` does.
    pub(super) async fn hand_over_events(&self, events: &[OutboxEvent]) {
        for e in events {
            self.hand_over(&event_pk(&e.id), e.body.clone()).await;
        }
    }

    /// Queues the events whose join committed more than `older_than` ago and whose item is still
    /// there; returns how many. Each item is claimed first, so BFFs relaying at once send it once.
    pub(super) async fn relay_events(&self, older_than: Duration) -> Result<usize> {
        let now = now_ms();
        let stale = now - i64::try_from(older_than.as_millis()).unwrap_or(i64::MAX);
        let mut relayed = 0;
        for pending in self.query("gsi2", PENDING, None).await? {
            if number(&pending, "created_ms") > stale {
                continue; // its BFF may still be handing it over
            }
            let pk = text(&pending, "pk")?;
            let body = text(&pending, "body")?;
            let mut claimed = pending;
            claimed.insert("relayed_ms".into(), n(now));
            // The index lags the table: a deleted item may still be listed, hence `attribute_exists`.
            let condition = "attribute_exists(pk) AND (attribute_not_exists(#s) OR #s <= :v)";
            if !self.put_if(claimed, condition, Some(("relayed_ms", n(stale)))).await? {
                continue;
            }
            self.webhooks.send(body).await?;
            self.delete(&pk).await?;
            relayed += 1;
        }
        if relayed > 0 {
            tracing::info!(relayed, "relayed webhook events left behind");
        }
        Ok(relayed)
    }

    /// The events not yet handed to SQS, as (item key, body): an erase deletes those naming the
    /// shopper, as the embedded queue's are.
    pub(super) async fn pending_events(&self) -> Result<Vec<(String, String)>> {
        let pending = self.query("gsi2", PENDING, None).await?;
        pending.iter().map(|i| Ok((text(i, "pk")?, text(i, "body")?))).collect()
    }
}
