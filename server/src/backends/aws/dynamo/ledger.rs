//! Conversions and the rewards ledger in DynamoDB. A conversion's report is keyed by its source
//! (`conv#…` for the merchant's, `bconv#…` for a browser's); each report writes its own record,
//! then reads the other's, so two reports of one order racing each other still settle on one
//! conversion id. Credits (`credit#…`) are conditional puts, replaced only over a browser's pending credit,
//! and the referrer's progress counters move in the same transaction.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue as AV, TransactWriteItem, Update};
use vouch_core::rewards::{CreditState, Side};

use super::super::corrupt;
use super::{at, bytes, flag, item, n, number, opt_text, s, text, DynamoStore, Item};
use crate::backends::referrals::{
    credit_id, Announce, ConversionIntake, ConversionMessage, Credit, NewConversion, OutboxEvent,
};
use crate::backends::{BackendError, Queue, Result};
use crate::clock::now_ms;

/// Rounds of read, plan and conditional write before a racing writer is reported as in flight.
const ROUNDS: usize = 5;

fn conversion_pk(from_merchant: bool, campaign: &str, order_id: &str) -> String {
    let prefix = if from_merchant { "conv" } else { "bconv" };
    format!("{prefix}#{campaign}#{order_id}")
}

pub(super) fn credit_pk(credit_id: &str) -> String {
    format!("credit#{credit_id}")
}

pub(super) fn referrer_pk(id: &str) -> String {
    format!("referrer#{id}")
}

pub(super) fn credit_from(i: &Item) -> Result<Credit> {
    let bad = |what: &str| BackendError::Corrupt(format!("credit with bad {what}"));
    Ok(Credit {
        credit_id: text(i, "credit_id")?,
        conversion_id: text(i, "conversion_id")?,
        side: Side::parse(&text(i, "side")?).ok_or_else(|| bad("side"))?,
        campaign: text(i, "campaign")?,
        referrer_id: text(i, "referrer_id")?,
        recipient: text(i, "recipient")?,
        reward: text(i, "reward")?,
        state: CreditState::parse(&text(i, "state")?).ok_or_else(|| bad("state"))?,
        reason: opt_text(i, "reason"),
        created_at_ms: number(i, "created_ms"),
        from_browser: flag(i, "from_browser"),
    })
}

/// What a referrer-side credit adds to its referrer's counters: (conversions, pending, earned).
fn counts(c: &Credit) -> [i64; 3] {
    if c.side != Side::Referrer {
        return [0; 3];
    }
    [1, i64::from(c.state == CreditState::Pending), i64::from(c.state == CreditState::Approved)]
}

impl DynamoStore {
    pub(super) async fn accept_conversion_item(&self, c: NewConversion) -> Result<ConversionIntake> {
        let pk = conversion_pk(c.from_merchant, &c.campaign, &c.order_id);
        let now = now_ms();
        // Single-item conditional writes only, in an order that settles every interleaving of
        // the two sources' reports on one conversion id (see `agree_and_queue`).
        let record = item(vec![
            ("pk", Some(s(&pk))),
            ("conversion_id", Some(s(&c.conversion_id))),
            ("body_hash", Some(AV::B(Blob::new(c.body_hash.clone())))),
            ("state", Some(s("pending"))),
            ("created_ms", Some(n(now))),
            ("gsi1pk", Some(s(&format!("convcode#{}", c.code)))),
            ("gsi1sk", Some(s(&format!("{}#{}", at(now), c.conversion_id)))),
            ("gsi2pk", Some(s(&format!("convclient#{}#{}", c.campaign, c.client)))),
            ("gsi2sk", Some(s(&format!("{}#{}", at(now), c.conversion_id)))),
        ]);
        if !self.put_if(record, "attribute_not_exists(pk)", None).await? {
            return self.earlier_conversion(&pk, &c, now).await;
        }
        self.agree_and_queue(&pk, &c, c.conversion_id.clone()).await
    }

    /// With this report's record written, agrees with the other source's report on the order's
    /// one conversion id, then queues this report or not. Each report writes its record before it
    /// reads the other's, so at least one of two racing reports sees the other:
    /// - a browser's report that sees the merchant's takes the merchant's id and is never queued
    ///   (its record is settled, so a replay or a takeover queues nothing either);
    /// - the merchant's report that sees a browser's takes the browser's id, so both messages, if
    ///   both are queued, credit the same ledger rows, and the merchant's replaces the browser's.
    async fn agree_and_queue(
        &self,
        pk: &str,
        c: &NewConversion,
        mut conversion_id: String,
    ) -> Result<ConversionIntake> {
        let other = self.get(&conversion_pk(!c.from_merchant, &c.campaign, &c.order_id)).await?;
        match (other, c.from_merchant) {
            (Some(merchants), false) => {
                let merchants_id = text(&merchants, "conversion_id")?;
                let values = [(":id", s(&merchants_id)), (":queued", s("queued"))];
                let settle = "SET conversion_id = :id, #st = :queued REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk";
                self.update(pk, settle, &values).await?;
                return Ok(ConversionIntake::Replay { conversion_id: merchants_id });
            }
            (Some(browsers), true) => {
                let browsers_id = text(&browsers, "conversion_id")?;
                if browsers_id != conversion_id {
                    // One order counts once for the velocity rules: the browser's record is
                    // still in the indexes unless it settled on this report meanwhile.
                    let set = match browsers.contains_key("gsi1pk") {
                        true => "SET conversion_id = :id REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk",
                        false => "SET conversion_id = :id",
                    };
                    self.update(pk, set, &[(":id", s(&browsers_id))]).await?;
                    conversion_id = browsers_id;
                }
            }
            _ => {}
        }
        self.queue_conversion(pk, conversion_id, &c.message).await
    }

    /// A report whose key exists: a replay, a reuse of the order id, or one still in flight.
    async fn earlier_conversion(&self, pk: &str, c: &NewConversion, now: i64) -> Result<ConversionIntake> {
        let Some(earlier) = self.get(pk).await? else { return Ok(ConversionIntake::InFlight) };
        if bytes(&earlier, "body_hash") != c.body_hash {
            return Ok(ConversionIntake::OrderReused);
        }
        let conversion_id = text(&earlier, "conversion_id")?;
        if opt_text(&earlier, "state").as_deref() == Some("queued") {
            return Ok(ConversionIntake::Replay { conversion_id });
        }
        if now - number(&earlier, "created_ms") < self.takeover_ms {
            return Ok(ConversionIntake::InFlight);
        }
        // The first request died before queuing: finish it now, under its id.
        self.agree_and_queue(pk, c, conversion_id).await
    }

    async fn queue_conversion(
        &self,
        pk: &str,
        conversion_id: String,
        message: &ConversionMessage,
    ) -> Result<ConversionIntake> {
        let body = message.body_as(&conversion_id)?;
        // A failed send may still have been stored: the record stays pending, so a retry takes
        // over under this conversion id instead of queuing a second conversion.
        self.conversions.send(body).await?;
        self.mark_queued(pk).await;
        Ok(ConversionIntake::New { conversion_id })
    }

    pub(super) async fn credits_of(&self, conversion_id: &str) -> Result<Vec<Credit>> {
        let mut credits = Vec::new();
        for side in Side::BOTH {
            if let Some(found) = self.get(&credit_pk(&credit_id(conversion_id, side))).await? {
                credits.push(credit_from(&found)?);
            }
        }
        Ok(credits)
    }

    pub(super) async fn list_credit_items(&self, campaign: &str) -> Result<Vec<Credit>> {
        self.query("gsi2", &format!("campaigncredits#{campaign}"), None).await?.iter().map(credit_from).collect()
    }

    fn credit_item(c: &Credit) -> Item {
        item(vec![
            ("pk", Some(s(&credit_pk(&c.credit_id)))),
            ("credit_id", Some(s(&c.credit_id))),
            ("conversion_id", Some(s(&c.conversion_id))),
            ("side", Some(s(c.side.as_str()))),
            ("campaign", Some(s(&c.campaign))),
            ("referrer_id", Some(s(&c.referrer_id))),
            ("recipient", Some(s(&c.recipient))),
            ("reward", Some(s(&c.reward))),
            ("state", Some(s(c.state.as_str()))),
            ("reason", c.reason.as_deref().map(s)),
            ("created_ms", Some(n(c.created_at_ms))),
            ("from_browser", Some(AV::Bool(c.from_browser))),
            ("gsi2pk", Some(s(&format!("campaigncredits#{}", c.campaign)))),
            ("gsi2sk", Some(s(&format!("{}#{}", at(c.created_at_ms), c.credit_id)))),
        ])
    }

    /// Puts `credit` over nothing, or over the browser's pending credit `over`.
    fn put_credit(&self, credit: &Credit, over: Option<&Credit>) -> Result<TransactWriteItem> {
        let Some(_) = over else { return self.put_item(Self::credit_item(credit), true) };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::credit_item(credit)))
            .condition_expression("#st = :pending AND from_browser = :yes")
            .expression_attribute_names("#st", "state")
            .expression_attribute_values(":pending", s(CreditState::Pending.as_str()))
            .expression_attribute_values(":yes", AV::Bool(true))
            .build()
            .map_err(corrupt)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub(super) async fn record_credit_items(&self, credits: &[Credit], events: &[OutboxEvent]) -> Result<()> {
        for _ in 0..ROUNDS {
            let existing = match credits.first() {
                Some(first) => self.credits_of(&first.conversion_id).await?,
                None => return Ok(()),
            };
            let mut writes = Vec::new();
            let mut counters: HashMap<&str, [i64; 3]> = HashMap::new();
            for c in credits {
                let before = existing.iter().find(|e| e.credit_id == c.credit_id);
                // Only over nothing, or the merchant's credit over a browser's pending one.
                let writable =
                    before.is_none_or(|e| !c.from_browser && e.from_browser && e.state == CreditState::Pending);
                if !writable {
                    continue;
                }
                writes.push(self.put_credit(c, before)?);
                writes.push(self.put_item(self.log_item(&c.credit_id, c.state, c.reason.as_deref(), "worker"), false)?);
                let add = counters.entry(&c.referrer_id).or_default();
                add.iter_mut().zip(counts(c)).for_each(|(a, b)| *a += b);
                if let Some(e) = before {
                    let sub = counters.entry(&e.referrer_id).or_default();
                    sub.iter_mut().zip(counts(e)).for_each(|(a, b)| *a -= b);
                }
            }
            if writes.is_empty() {
                return Ok(());
            }
            for (referrer_id, [c, p, e]) in counters {
                let values = [(":c", n(c)), (":p", n(p)), (":e", n(e))];
                let expression = "ADD conversions :c, pending :p, earned :e";
                writes.push(self.update_item(&referrer_pk(referrer_id), expression, &values, None)?);
            }
            writes.extend(self.event_items(events)?);
            // Cancelled: another delivery wrote or replaced a credit meanwhile; plan again.
            if self.transact(writes).await?.is_none() {
                self.hand_over_events(events).await;
                return Ok(());
            }
        }
        Err(BackendError::Unavailable(super::WHAT, "credits kept changing while being recorded".into()))
    }

    pub(super) async fn decide_credit_item(
        &self,
        credit_id: &str,
        (next, actor, reason): (CreditState, &str, Option<&str>),
        announce: Announce<'_>,
        audit: Option<&crate::backends::review::AuditRecord>,
    ) -> Result<Option<Credit>> {
        let pk = credit_pk(credit_id);
        let Some(found) = self.get(&pk).await? else { return Ok(None) };
        let mut credit = credit_from(&found)?;
        if !credit.state.can_become(next) {
            return Ok(None);
        }
        // `decided_ms` dates an approval for the payouts list.
        let mut move_credit = vec![(":next", s(next.as_str())), (":pending", s("pending")), (":at", n(now_ms()))];
        let set = match reason {
            Some(r) => {
                move_credit.push((":reason", s(r)));
                "SET #st = :next, reason = :reason, decided_ms = :at"
            }
            None => "SET #st = :next, decided_ms = :at REMOVE reason",
        };
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .update_expression(set)
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", "state")
            .set_expression_attribute_values(Some(move_credit.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .build()
            .map_err(corrupt)?;
        let mut writes = vec![
            TransactWriteItem::builder().update(update).build(),
            self.put_item(self.log_item(credit_id, next, reason, actor), false)?,
        ];
        if credit.side == Side::Referrer {
            let earned = i64::from(next == CreditState::Approved);
            let values = [(":p", n(-1)), (":e", n(earned))];
            writes.push(self.update_item(
                &referrer_pk(&credit.referrer_id),
                "ADD pending :p, earned :e",
                &values,
                None,
            )?);
        }
        if let Some(audit) = audit {
            writes.push(self.put_item(super::review::audit_item(audit), true)?);
        }
        credit.state = next;
        credit.reason = reason.map(str::to_string);
        let events: Vec<OutboxEvent> = announce(&credit).into_iter().collect();
        writes.extend(self.event_items(&events)?);
        if self.transact(writes).await?.is_some() {
            return Ok(None);
        }
        self.hand_over_events(&events).await;
        Ok(Some(credit))
    }
}
