//! Draw records and the lean entry read a draw needs, in DynamoDB. A draw is one item holding
//! its JSON record and a `version` that every forfeit moves on conditionally; a second item,
//! `drawseq#{campaign}#{sequence}`, written in the same transaction, lets one draw per number in.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue as AV;
use vouch_core::wire::EntryStatus;

use super::{corrupt, item, n, number, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::unavailable;
use crate::backends::draws::{DrawRecord, Draws, Forfeited, PoolEntry};
use crate::backends::referrals::OutboxEvent;
use crate::backends::Result;

fn draw_pk(draw_id: &str) -> String {
    format!("draw#{draw_id}")
}

fn record_of(item: &Item) -> Result<DrawRecord> {
    serde_json::from_str(&text(item, "record")?).map_err(corrupt)
}

/// How many times a forfeit re-reads after losing a race with another forfeit of the same draw.
const FORFEIT_TRIES: u32 = 5;

impl DynamoStore {
    fn draw_item(&self, draw: &DrawRecord, version: i64) -> Result<Item> {
        Ok(item(vec![
            ("pk", Some(s(&draw_pk(&draw.draw_id)))),
            ("record", Some(s(&serde_json::to_string(draw).map_err(corrupt)?))),
            ("version", Some(n(version))),
            ("gsi1pk", Some(s(&format!("draws#{}", draw.campaign)))),
            ("gsi1sk", Some(s(&format!("{:010}#{}", draw.sequence, draw.draw_id)))),
        ]))
    }
}

#[async_trait]
impl Draws for DynamoStore {
    async fn pool_entries(&self, campaign: &str) -> Result<Vec<PoolEntry>> {
        let mut entries = Vec::new();
        let mut start = None;
        loop {
            // Only the three attributes a draw reads: a page then holds thousands of entries.
            let out = self
                .ddb
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :p")
                .expression_attribute_values(":p", s(&format!("entries#{campaign}")))
                .projection_expression("entry_id, email, #s")
                .expression_attribute_names("#s", "status")
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable(WHAT, e))?;
            for i in out.items.unwrap_or_default() {
                let status = text(&i, "status")?;
                let status = EntryStatus::parse(&status).ok_or_else(|| corrupt(format!("entry status {status:?}")))?;
                entries.push(PoolEntry { entry_id: text(&i, "entry_id")?, email: text(&i, "email")?, status });
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        // The stub the intake writes has no index keys, so every item here was decided.
        entries.sort_unstable_by(|a, b| a.entry_id.cmp(&b.entry_id));
        Ok(entries)
    }

    async fn save_draw(&self, draw: &DrawRecord, events: &[OutboxEvent]) -> Result<bool> {
        let seq = item(vec![
            ("pk", Some(s(&format!("drawseq#{}#{}", draw.campaign, draw.sequence)))),
            ("draw_id", Some(s(&draw.draw_id))),
        ]);
        let mut items = vec![self.put_item(self.draw_item(draw, 0)?, true)?, self.put_item(seq, true)?];
        items.extend(self.event_items(events)?);
        if self.transact(items).await?.is_some() {
            return Ok(false);
        }
        self.hand_over_events(events).await;
        Ok(true)
    }

    async fn get_draw(&self, draw_id: &str) -> Result<Option<DrawRecord>> {
        self.get(&draw_pk(draw_id)).await?.as_ref().map(record_of).transpose()
    }

    async fn list_draws(&self, campaign: &str) -> Result<Vec<DrawRecord>> {
        let items = self.query("gsi1", &format!("draws#{campaign}"), None).await?;
        items.iter().map(record_of).collect()
    }

    async fn forfeit(&self, draw_id: &str, entry_id: &str, actor: &str, at_ms: i64) -> Result<Forfeited> {
        for _ in 0..FORFEIT_TRIES {
            let Some(found) = self.get(&draw_pk(draw_id)).await? else { return Ok(Forfeited::UnknownDraw) };
            let version = number(&found, "version");
            let mut draw = record_of(&found)?;
            if !draw.forfeit(entry_id, actor, at_ms) {
                return Ok(Forfeited::NotAWinner);
            }
            let next = self.draw_item(&draw, version + 1)?;
            if self.put_if(next, "#s = :v", Some(("version", AV::N(version.to_string())))).await? {
                return Ok(Forfeited::Done(Box::new(draw)));
            }
        }
        Err(crate::backends::BackendError::Unavailable(WHAT, format!("draw {draw_id} keeps changing; try again")))
    }
}
