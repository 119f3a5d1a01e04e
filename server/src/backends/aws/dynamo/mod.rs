//! One DynamoDB table for everything that must be written once: idempotency records, entries,
//! the referral program and its ledger, switches. Keys and indexes are in `docs/deploy.md`.

mod analytics;
mod codes;
mod consents;
mod draws;
mod entries;
mod entry_search;
mod ledger;
mod leftovers;
mod operators;
mod outbox;
mod payouts;
mod privacy;
mod receipts;
mod referrals;
mod retention;
mod retention_notes;
mod review;

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue as AV, Put, Select, TransactWriteItem, Update};

use super::{corrupt, unavailable, Aws, SqsQueue};
use crate::backends::{Result, CONVERSIONS_TOPIC, ENTRIES_TOPIC, WEBHOOKS_TOPIC};

pub(super) const WHAT: &str = "store (DynamoDB)";
type Item = HashMap<String, AV>;

#[derive(Clone)]
pub struct DynamoStore {
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    entries: SqsQueue,
    conversions: SqsQueue,
    webhooks: SqsQueue,
    /// A pending idempotency record older than this belongs to a request that is no longer
    /// running: the next request with the same key takes over (see [`takeover_ms`]).
    takeover_ms: i64,
    /// Hashes the person of an entry to check the tombstones when recording it; without one no
    /// erasure is checked.
    erasure: Option<crate::backends::privacy::ErasureKey>,
}

/// The longest a live request can hold a pending record, with a margin. From `created_ms` (taken
/// just before the write) a request writes the record, may look up the queue's URLs (two calls,
/// once per process) and sends: four calls, each bounded by the operation timeout, which covers
/// the SDK's retries too. The margin absorbs clock skew between instances, which compare their
/// own clocks with `created_ms`.
pub(super) fn takeover_ms(timeout: std::time::Duration) -> i64 {
    const CALLS: u32 = 4;
    const MARGIN_MS: i64 = 2_000;
    i64::try_from(timeout.saturating_mul(CALLS).as_millis()).unwrap_or(i64::MAX / 2) + MARGIN_MS
}

impl DynamoStore {
    pub(super) fn new(ddb: aws_sdk_dynamodb::Client, table: &str, aws: &Aws) -> Self {
        Self {
            ddb,
            table: table.to_string(),
            entries: aws.queue(ENTRIES_TOPIC),
            conversions: aws.queue(CONVERSIONS_TOPIC),
            webhooks: aws.queue(WEBHOOKS_TOPIC),
            takeover_ms: takeover_ms(aws.names.timeout),
            erasure: None,
        }
    }

    /// Checks the erasure tombstones, under this key, before recording an entry.
    pub fn with_erasure_key(mut self, key: crate::backends::privacy::ErasureKey) -> Self {
        self.erasure = Some(key);
        self
    }

    async fn get(&self, pk: &str) -> Result<Option<Item>> {
        let out = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(out.item)
    }

    /// Puts `item` if `condition` holds (with one `#s`/`:v` name and value); `false` when not.
    async fn put_if(&self, item: Item, condition: &str, status: Option<(&str, AV)>) -> Result<bool> {
        let mut put = self.ddb.put_item().table_name(&self.table).set_item(Some(item)).condition_expression(condition);
        if let Some((name, value)) = status {
            put = put.expression_attribute_names("#s", name).expression_attribute_values(":v", value);
        }
        match put.send().await {
            Ok(_) => Ok(true),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(false)
                } else {
                    Err(unavailable(WHAT, service))
                }
            }
        }
    }

    async fn put(&self, item: Item) -> Result<()> {
        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    /// Updates the item at `pk` with `expression` (`#st` names its `state`) and `values`.
    async fn update(&self, pk: &str, expression: &str, values: &[(&str, AV)]) -> Result<()> {
        let mut update = self.ddb.update_item().table_name(&self.table).key("pk", s(pk)).update_expression(expression);
        if expression.contains("#st") {
            update = update.expression_attribute_names("#st", "state");
        }
        for (name, value) in values {
            update = update.expression_attribute_values(*name, value.clone());
        }
        update.send().await.map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    /// Applies `expression` to the item `pk` if `condition` holds; `false` when it did not (or the
    /// item is gone). `names`: the expressions' attribute names, e.g. `("#a", "reason")`.
    async fn update_if(
        &self,
        pk: &str,
        expression: &str,
        condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AV)],
    ) -> Result<bool> {
        let mut update = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .update_expression(expression)
            .condition_expression(condition);
        for (name, attribute) in names {
            update = update.expression_attribute_names(*name, *attribute);
        }
        for (name, value) in values {
            update = update.expression_attribute_values(*name, value.clone());
        }
        match update.send().await {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                e if e.is_conditional_check_failed_exception() => Ok(false),
                e => Err(unavailable(WHAT, e)),
            },
        }
    }

    async fn delete(&self, pk: &str) -> Result<()> {
        self.ddb
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    /// Runs a transaction. `Ok(None)`: written. `Ok(Some(failed))`: cancelled because the
    /// conditions flagged in `failed` (one per item) did not hold; nothing was written.
    async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<Option<Vec<bool>>> {
        match self.ddb.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(None),
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(tce) => {
                    let failed: Vec<bool> =
                        tce.cancellation_reasons().iter().map(|r| r.code() == Some("ConditionalCheckFailed")).collect();
                    if failed.iter().any(|f| *f) {
                        Ok(Some(failed))
                    } else {
                        Err(unavailable(WHAT, tce))
                    }
                }
                other => Err(unavailable(WHAT, other)),
            },
        }
    }

    fn put_item(&self, item: Item, only_if_new: bool) -> Result<TransactWriteItem> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        if only_if_new {
            put = put.condition_expression("attribute_not_exists(pk)");
        }
        Ok(TransactWriteItem::builder().put(put.build().map_err(corrupt)?).build())
    }

    fn update_item(
        &self,
        pk: &str,
        expression: &str,
        values: &[(&str, AV)],
        condition: Option<&str>,
    ) -> Result<TransactWriteItem> {
        let mut update = Update::builder().table_name(&self.table).key("pk", s(pk)).update_expression(expression);
        for (name, value) in values {
            update = update.expression_attribute_values(*name, value.clone());
        }
        if let Some(c) = condition {
            update = update.condition_expression(c);
        }
        Ok(TransactWriteItem::builder().update(update.build().map_err(corrupt)?).build())
    }

    /// Items of `index` under `pk` whose sort key is above `after`, oldest first.
    async fn query(&self, index: &str, pk: &str, after: Option<&str>) -> Result<Vec<Item>> {
        let (pk_name, sk_name) = (format!("{index}pk"), format!("{index}sk"));
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut q = self
                .ddb
                .query()
                .table_name(&self.table)
                .index_name(index)
                .expression_attribute_names("#p", &pk_name)
                .expression_attribute_values(":p", s(pk))
                .set_exclusive_start_key(start);
            q = match after {
                Some(after) => q
                    .key_condition_expression("#p = :p AND #s > :a")
                    .expression_attribute_names("#s", &sk_name)
                    .expression_attribute_values(":a", s(after)),
                None => q.key_condition_expression("#p = :p"),
            };
            let out = q.send().await.map_err(|e| unavailable(WHAT, e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// How many items of `index` under `pk` have a sort key above `after`, leaving out `except`.
    async fn count_after(&self, index: &str, pk: &str, after: &str, except: (&str, &str)) -> Result<u32> {
        let out = self
            .ddb
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#p = :p AND #s > :a")
            .filter_expression("#x <> :x")
            .expression_attribute_names("#p", format!("{index}pk"))
            .expression_attribute_names("#s", format!("{index}sk"))
            .expression_attribute_names("#x", except.0)
            .expression_attribute_values(":p", s(pk))
            .expression_attribute_values(":a", s(after))
            .expression_attribute_values(":x", s(except.1))
            .select(Select::Count)
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(out.count.max(0) as u32)
    }
}

pub(super) fn s(v: &str) -> AV {
    AV::S(v.to_string())
}

pub(super) fn n(v: i64) -> AV {
    AV::N(v.to_string())
}

/// Milliseconds as a fixed-width sort key, so string order is time order.
pub(super) fn at(ms: i64) -> String {
    format!("{:015}", ms.max(0))
}

pub(super) fn text(item: &Item, key: &str) -> Result<String> {
    match item.get(key) {
        Some(AV::S(v)) => Ok(v.clone()),
        _ => Err(corrupt(format!("item without text attribute {key}"))),
    }
}

pub(super) fn opt_text(item: &Item, key: &str) -> Option<String> {
    match item.get(key) {
        Some(AV::S(v)) => Some(v.clone()),
        _ => None,
    }
}

pub(super) fn number(item: &Item, key: &str) -> i64 {
    match item.get(key) {
        Some(AV::N(v)) => v.parse().unwrap_or(0),
        _ => 0,
    }
}

pub(super) fn flag(item: &Item, key: &str) -> bool {
    matches!(item.get(key), Some(AV::Bool(true)))
}

pub(super) fn bytes(item: &Item, key: &str) -> Vec<u8> {
    match item.get(key) {
        Some(AV::B(b)) => b.as_ref().to_vec(),
        _ => Vec::new(),
    }
}

/// Builds an item from (name, value) pairs, leaving out absent optional values.
pub(super) fn item(pairs: Vec<(&str, Option<AV>)>) -> Item {
    pairs.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect()
}
