//! The console's entry search and counts in DynamoDB. A recorded entry sits in three indexes, each
//! sorted by `{accepted_ms}#{entry_id}` (the cursor's order): `gsi1` per campaign, `gsi2` per
//! campaign and status (a decision moves it), `gsi3` per campaign and e-mail. A query reads one
//! of them backwards from the cursor; what no key covers (a name prefix, a status beside an
//! e-mail) is a filter, which DynamoDB applies after reading. A filter that matches rarely would
//! read far, so one request reads at most [`ROUNDS`] batches and then answers with what it found
//! and a cursor to go on from. Counts are counters in a few items per campaign, moved in the same
//! transaction as the entry's verdict or decision: a few reads, however many entries.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue as AV, TransactWriteItem, Update};
use vouch_core::wire::EntryStatus;

use super::{at, number, s, DynamoStore, Item, WHAT};
use crate::backends::aws::{corrupt, unavailable};
use crate::backends::entry_search::{Cursor, EntryPage, EntryQuery, EntrySearch, StatusCounts, TextMatch};
use crate::backends::{Result, StoredEntry};

/// Batches one request reads at most when a filter leaves most items out.
const ROUNDS: usize = 10;
/// Items read per batch when a filter applies.
const FILTERED_BATCH: i32 = 500;

pub(super) fn status_key(campaign: &str, status: EntryStatus) -> String {
    format!("entrystatus#{campaign}#{}", status.as_str())
}

pub(super) fn email_index_key(campaign: &str, email_key: &str) -> String {
    format!("entrymail#{campaign}#{email_key}")
}

/// The sort key of an entry in each of its indexes.
pub(super) fn time_key(accepted_ms: i64, entry_id: &str) -> String {
    format!("{}#{entry_id}", at(accepted_ms))
}

/// Counter items per campaign: each entry counts in one, chosen by its id, so concurrent
/// workers' transactions seldom meet on one item (a conflict fails the transaction, and the
/// message is redelivered).
const COUNT_SHARDS: u64 = 16;

fn counts_pk(campaign: &str, shard: u64) -> String {
    format!("entrycount#{campaign}#{shard}")
}

fn shard_of(entry_id: &str) -> u64 {
    entry_id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % COUNT_SHARDS
}

/// Moves the campaign's counters for `entry_id`: one more entry with status `to`, one fewer with
/// `from`.
pub(super) fn count_move(
    store: &DynamoStore,
    campaign: &str,
    entry_id: &str,
    from: Option<EntryStatus>,
    to: EntryStatus,
) -> Result<TransactWriteItem> {
    let mut update = Update::builder()
        .table_name(&store.table)
        .key("pk", s(&counts_pk(campaign, shard_of(entry_id))))
        .expression_attribute_names("#to", to.as_str())
        .expression_attribute_values(":one", AV::N("1".into()));
    update = match from {
        Some(from) => update
            .update_expression("ADD #to :one, #from :minus")
            .expression_attribute_names("#from", from.as_str())
            .expression_attribute_values(":minus", AV::N("-1".into())),
        None => update.update_expression("ADD #to :one"),
    };
    Ok(TransactWriteItem::builder().update(update.build().map_err(corrupt)?).build())
}

/// The position an item of any entry index stands for.
fn cursor_of(item: &Item, sk_name: &str) -> Option<Cursor> {
    let Some(AV::S(sk)) = item.get(sk_name) else { return None };
    let (ms, id) = sk.split_once('#')?;
    Some(Cursor { accepted_at_ms: ms.parse().ok()?, entry_id: id.to_string() })
}

#[async_trait]
impl EntrySearch for DynamoStore {
    async fn search_entries(
        &self,
        campaign: &str,
        query: &EntryQuery,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<EntryPage> {
        let limit = limit.max(1) as usize;
        let (index, pk) = match (&query.text, query.status) {
            (Some(TextMatch::Email(email)), _) => ("gsi3", email_index_key(campaign, email)),
            (_, Some(status)) => ("gsi2", status_key(campaign, status)),
            _ => ("gsi1", format!("entries#{campaign}")),
        };
        let sk_name = format!("{index}sk");
        // The sort key runs from `from` to `to` (no sort key equals the bare time, so `to` stays
        // exclusive; "~" sorts after every digit), cut at the cursor (itself left out below) on
        // the side the query reads towards.
        let after = cursor.map(|c| time_key(c.accepted_at_ms, &c.entry_id));
        let mut lo = at(query.from_ms.unwrap_or(0));
        let mut hi = query.to_ms.map(at).unwrap_or_else(|| "~".into());
        match (&after, query.oldest_first) {
            (Some(a), true) => lo = lo.max(a.clone()),
            (Some(a), false) => hi = hi.min(a.clone()),
            (None, _) => {}
        }
        if lo > hi {
            return Ok(EntryPage { entries: Vec::new(), next_cursor: None });
        }
        let mut filters = Vec::new();
        let mut q = self
            .ddb
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#p = :p AND #s BETWEEN :lo AND :hi")
            .expression_attribute_names("#p", format!("{index}pk"))
            .expression_attribute_names("#s", &sk_name)
            .expression_attribute_values(":p", s(&pk))
            .expression_attribute_values(":lo", s(&lo))
            .expression_attribute_values(":hi", s(&hi))
            .scan_index_forward(query.oldest_first);
        if let (Some(status), "gsi3") = (query.status, index) {
            filters.push("#st = :st");
            q = q.expression_attribute_names("#st", "status").expression_attribute_values(":st", s(status.as_str()));
        }
        if let Some(TextMatch::NamePrefix(prefix)) = &query.text {
            filters.push("(begins_with(first_key, :n) OR begins_with(last_key, :n))");
            q = q.expression_attribute_values(":n", s(prefix));
        }
        if !filters.is_empty() {
            q = q.filter_expression(filters.join(" AND "));
        }
        let mut entries: Vec<StoredEntry> = Vec::new();
        let mut start = None;
        for _ in 0..ROUNDS {
            let batch = match filters.is_empty() {
                true => i32::try_from(limit - entries.len() + 1).unwrap_or(i32::MAX),
                false => FILTERED_BATCH,
            };
            let out =
                q.clone().limit(batch).set_exclusive_start_key(start).send().await.map_err(|e| unavailable(WHAT, e))?;
            for item in out.items.unwrap_or_default() {
                if item.get(&sk_name) != after.as_deref().map(s).as_ref() {
                    entries.push(super::entries::entry_from(&item)?);
                }
            }
            let last = out.last_evaluated_key.filter(|k| !k.is_empty());
            if entries.len() > limit || (entries.len() == limit && last.is_some()) {
                entries.truncate(limit);
                let next_cursor = entries.last().map(|e| Cursor::after(e).encode());
                return Ok(EntryPage { entries, next_cursor });
            }
            match last {
                Some(key) => start = Some(key),
                None => return Ok(EntryPage { entries, next_cursor: None }),
            }
        }
        // Out of reads for this request: go on from the last item read, matched or not.
        let next_cursor = start.as_ref().and_then(|k| cursor_of(k, &sk_name)).map(|c| c.encode());
        Ok(EntryPage { entries, next_cursor })
    }

    async fn entry_counts(&self, campaign: &str) -> Result<StatusCounts> {
        let shards = (0..COUNT_SHARDS).map(|shard| self.get_eventually(counts_pk(campaign, shard)));
        let mut counts = StatusCounts::new();
        for found in futures_util::future::try_join_all(shards).await?.into_iter().flatten() {
            for key in found.keys().filter(|k| EntryStatus::parse(k).is_some()) {
                *counts.entry(key.clone()).or_default() += number(&found, key).max(0) as u64;
            }
        }
        counts.retain(|_, n| *n > 0);
        Ok(counts)
    }
}

impl DynamoStore {
    /// A counter item, read eventually consistent (half the cost; counts may lag by a moment).
    async fn get_eventually(&self, pk: String) -> Result<Option<Item>> {
        let out = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(out.item)
    }
}
