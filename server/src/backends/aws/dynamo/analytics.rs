//! The funnel's counters in DynamoDB. A counter is one item (`stat#…`) moved by atomic `ADD`s; a
//! batch's counters, its id marker (`statbatch#…`) and its new sessions' markers (`statsess#…`)
//! are one `TransactWriteItems`, whose conditional puts make a redelivered batch count nothing
//! and a session count once per counter. The campaign's counters share a `gsi1` partition sorted
//! by day, so a report reads a range of days with one query.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use aws_sdk_dynamodb::types::{KeysAndAttributes, TransactWriteItem};
use vouch_core::analytics::{tallies, Counter, CounterKey, EventKind, ValidBatch, MARKER_KEEP_MS};

use super::super::{corrupt, unavailable};
use super::{item, n, number, s, text, DynamoStore, Item, WHAT};
use crate::backends::analytics::Analytics;
use crate::backends::{BackendError, Result};
use crate::clock::now_ms;

/// Counters per transaction: each may bring a session marker, and the batch marker comes on
/// top, so 49 stay within DynamoDB's 100 items. A page's batch has at most 50 events, so a batch
/// seldom needs two parts; each part has its own marker and counts once, so a batch split by a
/// crash between its parts is completed, not doubled, by its redelivery.
const COUNTERS_PER_WRITE: usize = 49;
/// Markers outlive any redelivery (`MARKER_KEEP_MS`); the table's TTL attribute removes them.
const MARKER_KEEP_SECS: i64 = MARKER_KEEP_MS / 1000;
/// Attempts at a part before its batch is handed back to the queue: counters of busy campaigns
/// are written by several workers at once, and DynamoDB cancels transactions that collide.
const ROUNDS: u32 = 5;

fn index_pk(campaign: &str) -> String {
    format!("stats#{campaign}")
}

fn sort_key(key: &CounterKey) -> String {
    format!("{}#{}#{}", key.day, key.event.as_str(), key.detail)
}

fn counter_pk(campaign: &str, key: &CounterKey) -> String {
    format!("stat#{campaign}#{}", sort_key(key))
}

fn session_pk(campaign: &str, key: &CounterKey, session: &str) -> String {
    format!("statsess#{campaign}#{}#{session}", sort_key(key))
}

fn batch_pk(campaign: &str, batch_id: &str, part: usize) -> String {
    match part {
        0 => format!("statbatch#{campaign}#{batch_id}"),
        _ => format!("statbatch#{campaign}#{batch_id}#{part}"),
    }
}

fn marker(pk: &str) -> Item {
    item(vec![("pk", Some(s(pk))), ("expires_at", Some(n(now_ms() / 1000 + MARKER_KEEP_SECS)))])
}

impl DynamoStore {
    /// Which of `pks` exist, read consistently.
    async fn existing(&self, pks: &[String]) -> Result<HashSet<String>> {
        let mut found = HashSet::new();
        if pks.is_empty() {
            return Ok(found);
        }
        let keys = pks.iter().map(|pk| HashMap::from([("pk".to_string(), s(pk))])).collect();
        let mut request = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .projection_expression("pk")
                .build()
                .map_err(corrupt)?,
        );
        while let Some(keys) = request.take() {
            let out = self
                .ddb
                .batch_get_item()
                .request_items(&self.table, keys)
                .send()
                .await
                .map_err(|e| unavailable(WHAT, e))?;
            for i in out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default() {
                found.insert(text(&i, "pk")?);
            }
            request = out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).filter(|k| !k.keys().is_empty());
        }
        Ok(found)
    }

    /// Counts one part of a batch: `Some(true)` counted now, `Some(false)` counted before, `None`
    /// a racing batch of the same session took a marker first (read again and retry).
    async fn record_part(
        &self,
        batch: &ValidBatch,
        part: usize,
        counters: &[(CounterKey, u64)],
    ) -> Result<Option<bool>> {
        let campaign = &batch.campaign;
        let sessions: Vec<Option<String>> = counters
            .iter()
            .map(|(key, _)| batch.session.as_deref().map(|sess| session_pk(campaign, key, sess)))
            .collect();
        let seen = self.existing(&sessions.iter().flatten().cloned().collect::<Vec<_>>()).await?;
        let mut items: Vec<TransactWriteItem> =
            vec![self.put_item(marker(&batch_pk(campaign, &batch.batch_id, part)), true)?];
        for ((key, events), session) in counters.iter().zip(sessions) {
            let first_visit: Option<String> = session.filter(|pk| !seen.contains(pk.as_str()));
            let expression = "SET gsi1pk = :gp, gsi1sk = :gs, stat_day = :d, stat_event = :e, stat_detail = :x \
                              ADD n_events :n, n_sessions :s";
            let values = [
                (":gp", s(&index_pk(campaign))),
                (":gs", s(&sort_key(key))),
                (":d", s(&key.day)),
                (":e", s(key.event.as_str())),
                (":x", s(&key.detail)),
                (":n", n(*events as i64)),
                (":s", n(i64::from(first_visit.is_some()))),
            ];
            items.push(self.update_item(&counter_pk(campaign, key), expression, &values, None)?);
            if let Some(pk) = first_visit {
                items.push(self.put_item(marker(&pk), true)?);
            }
        }
        Ok(match self.transact(items).await? {
            None => Some(true),
            // The batch's own marker is the first item.
            Some(failed) if failed.first() == Some(&true) => Some(false),
            Some(_) => None,
        })
    }
}

#[async_trait::async_trait]
impl Analytics for DynamoStore {
    async fn record_batch(&self, batch: &ValidBatch) -> Result<bool> {
        let counters = tallies(batch);
        let mut counted = false;
        for (part, counters) in counters.chunks(COUNTERS_PER_WRITE).enumerate() {
            let mut round = 0;
            loop {
                round += 1;
                match self.record_part(batch, part, counters).await {
                    Ok(Some(now)) => {
                        counted |= now;
                        break;
                    }
                    Ok(None) if round < ROUNDS => {}
                    Err(_) if round < ROUNDS => {}
                    Ok(None) => {
                        return Err(BackendError::Unavailable(
                            WHAT,
                            "a batch kept racing another of its session".into(),
                        ))
                    }
                    Err(e) => return Err(e),
                }
                // Apart, so colliding writers do not collide again at once.
                let jitter = u64::from(getrandom::u32().unwrap_or(0) % 50);
                tokio::time::sleep(Duration::from_millis(20 * (1 << round) + jitter)).await;
            }
        }
        Ok(counted)
    }

    async fn counters(&self, campaign: &str, from: &str, to: &str) -> Result<Vec<Counter>> {
        let mut counters = Vec::new();
        let mut start = None;
        loop {
            // `{to}$` sorts after every `{to}#…` and before the next day.
            let out = self
                .ddb
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :p AND gsi1sk BETWEEN :a AND :b")
                .expression_attribute_values(":p", s(&index_pk(campaign)))
                .expression_attribute_values(":a", s(from))
                .expression_attribute_values(":b", s(&format!("{to}$")))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable(WHAT, e))?;
            for i in out.items.unwrap_or_default() {
                counters.push(counter_from(&i)?);
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(counters),
            }
        }
    }
}

fn counter_from(i: &Item) -> Result<Counter> {
    let event = text(i, "stat_event")?;
    Ok(Counter {
        day: text(i, "stat_day")?,
        event: EventKind::parse(&event).ok_or_else(|| BackendError::Corrupt(format!("counter of event {event:?}")))?,
        detail: text(i, "stat_detail")?,
        events: number(i, "n_events").max(0) as u64,
        sessions: number(i, "n_sessions").max(0) as u64,
    })
}
