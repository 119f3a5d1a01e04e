//! `referrer.joined` events on DynamoDB. SQS cannot join a DynamoDB transaction, so the event is
//! written with the join (an outbox item) and handed to SQS after the commit. If the BFF dies or
//! SQS is down in between, the item stays, and every BFF's janitor relays items older than a
//! minute. A relayed event may go out twice (its event id stays the same); it is never lost.

use std::time::Duration;

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{at, item, n, number, s, text, DynamoStore};
use crate::backends::referrals::Referrer;
use crate::backends::sqlite::now_ms;
use crate::backends::{Queue, Result};

/// The `gsi2` partition listing events not yet handed to SQS.
const PENDING: &str = "outbox#webhooks";

fn event_pk(referrer_id: &str) -> String {
    format!("joinevent#{referrer_id}")
}

impl DynamoStore {
    /// The outbox item for `body`, to commit in the join's transaction.
    pub(super) fn join_event(&self, referrer: &Referrer, body: &str) -> Result<TransactWriteItem> {
        let record = item(vec![
            ("pk", Some(s(&event_pk(&referrer.referrer_id)))),
            ("body", Some(s(body))),
            ("created_ms", Some(n(referrer.created_at_ms))),
            ("gsi2pk", Some(s(PENDING))),
            ("gsi2sk", Some(s(&format!("{}#{}", at(referrer.created_at_ms), referrer.referrer_id)))),
        ]);
        self.put_item(record, true)
    }

    /// Hands a committed join's event to SQS and clears its outbox item. A failure is logged,
    /// not returned: the join stands, and the relay sends the event later.
    pub(super) async fn hand_over_join_event(&self, referrer_id: &str, body: String) {
        let pk = event_pk(referrer_id);
        if let Err(e) = self.webhooks.send(body).await {
            tracing::warn!(error = %e, referrer_id, "referrer.joined not queued yet; the relay will send it");
            return;
        }
        if let Err(e) = self.delete(&pk).await {
            tracing::warn!(error = %e, referrer_id, "referrer.joined queued, outbox item kept; it may go out twice");
        }
    }

    /// Queues the events whose join committed more than `older_than` ago and whose item is still
    /// there; returns how many. Each item is claimed first, so BFFs relaying at once send it once.
    pub(super) async fn relay_join_events(&self, older_than: Duration) -> Result<usize> {
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
            tracing::info!(relayed, "relayed referrer.joined events left behind");
        }
        Ok(relayed)
    }
}
