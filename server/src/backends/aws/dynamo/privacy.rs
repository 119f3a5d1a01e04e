//! A shopper's data in DynamoDB, found and erased kind by kind. Items are matched by the shopper's
//! normalised identity in Rust after a scan of their kind's key prefix: an erase or export request
//! is rare and operator-driven, and no index keyed by a mailbox has to exist for it.
//!
//! Keys (see docs/deploy.md): `erasure#{id}` is one line of the erasure log (`gsi1`:
//! `erasures#{tag}`), `erased#{campaign|*}#{tag}` the tombstone the worker's record checks.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue as AV, ConditionCheck, TransactWriteItem};

use super::entries::entry_from;
use super::entry_search::email_index_key;
use super::ledger::{credit_from, referrer_pk};
use super::{at, flag, item, n, number, opt_text, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::{corrupt, unavailable};
use crate::backends::entry_search::{email_key, name_key};
use crate::backends::privacy::{
    anonymous_email, Erasure, HeldReferrer, Privacy, QueuedMessage, QuotaRow, Shopper, ALL_CAMPAIGNS,
};
use crate::backends::referrals::{Credit, Referrer};
use crate::backends::{Result, StoredEntry, WEBHOOKS_TOPIC};
use vouch_core::rewards::Side;
use vouch_core::wire::EntryStatus;

pub(super) fn tombstone_pk(scope: &str, tag: &str) -> String {
    format!("erased#{scope}#{tag}")
}

fn erasures_key(tag: &str) -> String {
    format!("erasures#{tag}")
}

impl DynamoStore {
    /// The queues whose messages may name a shopper (funnel events name nobody).
    fn queues(&self) -> [(&'static str, &crate::backends::aws::SqsQueue); 3] {
        use crate::backends::{CONVERSIONS_TOPIC, ENTRIES_TOPIC};
        [(ENTRIES_TOPIC, &self.entries), (CONVERSIONS_TOPIC, &self.conversions), (WEBHOOKS_TOPIC, &self.webhooks)]
    }

    /// Every item whose key starts with `prefix` (a consistent scan, page by page).
    pub(super) async fn scan_prefix(&self, prefix: &str) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .ddb
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(pk, :p)")
                .expression_attribute_values(":p", s(prefix))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| unavailable(WHAT, e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Deletes the items of `prefix` whose `attribute` is one of `values`.
    pub(super) async fn delete_where(&self, prefix: &str, attribute: &str, values: &[String]) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        for found in self.scan_prefix(prefix).await? {
            if opt_text(&found, attribute).is_some_and(|v| values.contains(&v)) {
                self.delete(&text(&found, "pk")?).await?;
            }
        }
        Ok(())
    }

    /// The checks an entry's record makes in its transaction: no tombstone of its person, in its
    /// campaign or in all, at or after its acceptance.
    pub(super) fn not_erased(&self, e: &StoredEntry) -> Result<Vec<TransactWriteItem>> {
        self.not_erased_since(&e.entrant.email, &e.campaign, e.accepted_at_ms)
    }

    /// The checks a write for the mailbox `email` in `campaign` makes in its transaction: no
    /// tombstone of the mailbox, in the campaign or in all, at or after `at_ms`.
    pub(super) fn not_erased_since(&self, email: &str, campaign: &str, at_ms: i64) -> Result<Vec<TransactWriteItem>> {
        let Some(key) = &self.erasure else { return Ok(Vec::new()) };
        let tag = key.tag_of_email(email);
        [campaign, ALL_CAMPAIGNS]
            .into_iter()
            .map(|scope| {
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .key("pk", s(&tombstone_pk(scope, &tag)))
                    .condition_expression("attribute_not_exists(pk) OR at_ms < :accepted")
                    .expression_attribute_values(":accepted", n(at_ms))
                    .build()
                    .map_err(corrupt)?;
                Ok(TransactWriteItem::builder().condition_check(check).build())
            })
            .collect()
    }

    /// Empties the personal fields of these entries and puts the anonymous address in place of
    /// theirs, in the item and in its search keys; ids, times, verdicts and the receipt's review
    /// stay. Shared by an erase and by the retention sweep.
    pub(super) async fn anonymise_entry_items(&self, entries: &[StoredEntry], anon_id: &str) -> Result<()> {
        let anon = anonymous_email(anon_id);
        for e in entries {
            let email_index = email_index_key(&e.campaign, &email_key(&anon));
            self.update(
                &format!("entry#{}", e.entry_id),
                "SET first_name = :blank, last_name = :blank, email = :anon, marketing_consent = :no, gsi3pk = :g3,
                     first_key = :fk, last_key = :fk
                 REMOVE phone, postal_code, referral_code, receipt_key",
                &[
                    (":blank", s("")),
                    (":anon", s(&anon)),
                    (":no", AV::Bool(false)),
                    (":g3", s(&email_index)),
                    (":fk", s(&name_key(""))),
                ],
            )
            .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Privacy for DynamoStore {
    async fn entries_of(&self, who: &Shopper) -> Result<Vec<StoredEntry>> {
        let mut found = Vec::new();
        for i in self.scan_prefix("entry#").await? {
            let decided = opt_text(&i, "status").is_some_and(|st| st != EntryStatus::Accepted.as_str());
            if decided && opt_text(&i, "email").is_some() {
                let e = entry_from(&i)?;
                if who.holds(&e.campaign, &e.entrant.email) {
                    found.push(e);
                }
            }
        }
        found.sort_by(|a, b| (a.accepted_at_ms, &a.entry_id).cmp(&(b.accepted_at_ms, &b.entry_id)));
        Ok(found)
    }

    async fn anonymise_entries(&self, entries: &[StoredEntry], anon_id: &str) -> Result<u64> {
        self.anonymise_entry_items(entries, anon_id).await?;
        let ids: Vec<String> = entries.iter().map(|e| e.entry_id.clone()).collect();
        self.delete_where("rsha#", "entry_id", &ids).await?;
        self.delete_where("rband#", "gsi2sk", &ids).await?;
        Ok(entries.len() as u64)
    }

    async fn claimed_uploads(&self, entries: &[StoredEntry]) -> Result<Vec<String>> {
        let ids: Vec<String> = entries.iter().map(|e| e.entry_id.clone()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut keys = Vec::new();
        for i in self.scan_prefix("upload#").await? {
            if opt_text(&i, "entry_id").is_some_and(|id| ids.contains(&id)) {
                keys.push(text(&i, "pk")?.trim_start_matches("upload#").to_string());
            }
        }
        Ok(keys)
    }

    async fn referrers_of(&self, who: &Shopper) -> Result<Vec<HeldReferrer>> {
        let mut found = Vec::new();
        for i in self.scan_prefix("referrer#").await? {
            let (Some(campaign), Some(identity)) = (opt_text(&i, "campaign"), opt_text(&i, "identity")) else {
                continue;
            };
            let email = opt_text(&i, "email").unwrap_or_default();
            if who.in_scope(&campaign) && (identity == who.identity || who.holds(&campaign, &email)) {
                let referrer = Referrer {
                    referrer_id: text(&i, "referrer_id")?,
                    campaign,
                    code: text(&i, "code")?,
                    email,
                    identity,
                    first_name: opt_text(&i, "first_name").unwrap_or_default(),
                    join_flagged: flag(&i, "join_flagged"),
                    created_at_ms: number(&i, "created_ms"),
                };
                found.push(HeldReferrer { referrer, marketing_consent: flag(&i, "marketing_consent") });
            }
        }
        found.sort_by_key(|h| h.referrer.created_at_ms);
        Ok(found)
    }

    async fn anonymise_referrers(&self, referrers: &[Referrer], anon_id: &str) -> Result<u64> {
        let anon = anonymous_email(anon_id);
        for r in referrers {
            // The claim on the identity goes, so a later join of the same person starts afresh.
            self.delete(&format!("identity#{}#{}", r.campaign, r.identity)).await?;
            self.ddb
                .update_item()
                .table_name(&self.table)
                .key("pk", s(&referrer_pk(&r.referrer_id)))
                .update_expression(
                    "SET email = :anon, #identity = :ident, first_name = :blank, marketing_consent = :no
                     REMOVE gsi2pk, gsi2sk",
                )
                .expression_attribute_names("#identity", "identity")
                .expression_attribute_values(":anon", s(&anon))
                .expression_attribute_values(":ident", s(&format!("{anon_id}#{}", r.referrer_id)))
                .expression_attribute_values(":blank", s(""))
                .expression_attribute_values(":no", AV::Bool(false))
                .send()
                .await
                .map_err(|e| unavailable(WHAT, e))?;
        }
        let ids: Vec<String> = referrers.iter().map(|r| r.referrer_id.clone()).collect();
        self.delete_where("token#", "referrer_id", &ids).await?;
        Ok(referrers.len() as u64)
    }

    async fn credits_of(&self, who: &Shopper, referrer_ids: &[String]) -> Result<Vec<Credit>> {
        let mut found = Vec::new();
        for i in self.scan_prefix("credit#").await? {
            let c = credit_from(&i)?;
            let as_referrer = c.side == Side::Referrer && referrer_ids.contains(&c.referrer_id);
            if who.in_scope(&c.campaign) && (as_referrer || who.holds(&c.campaign, &c.recipient)) {
                found.push(c);
            }
        }
        found.sort_by(|a, b| (a.created_at_ms, &a.credit_id).cmp(&(b.created_at_ms, &b.credit_id)));
        Ok(found)
    }

    async fn anonymise_credits(&self, credits: &[Credit], anon_id: &str) -> Result<u64> {
        let anon = anonymous_email(anon_id);
        for c in credits {
            self.update(&super::ledger::credit_pk(&c.credit_id), "SET recipient = :anon", &[(":anon", s(&anon))])
                .await?;
        }
        Ok(credits.len() as u64)
    }

    async fn quota_of(&self, who: &Shopper) -> Result<Vec<QuotaRow>> {
        let needle = format!("#{}#", who.identity);
        let mut rows = Vec::new();
        for i in self.scan_prefix("quota#").await? {
            let pk = text(&i, "pk")?;
            let Some((campaign, period)) = pk.trim_start_matches("quota#").split_once(&needle) else { continue };
            if who.in_scope(campaign) {
                let count = number(&i, "n").max(0) as u64;
                rows.push(QuotaRow { campaign: campaign.to_string(), period: period.to_string(), count });
            }
        }
        rows.sort_by(|a, b| (&a.campaign, &a.period).cmp(&(&b.campaign, &b.period)));
        Ok(rows)
    }

    async fn erase_quota(&self, who: &Shopper) -> Result<u64> {
        let rows = self.quota_of(who).await?;
        for q in &rows {
            self.delete(&format!("quota#{}#{}#{}", q.campaign, who.identity, q.period)).await?;
        }
        Ok(rows.len() as u64)
    }

    /// SQS cannot be searched: a message still queued is stopped by the tombstone when a worker
    /// takes it, and SQS drops it after its retention. Its dead-letter queues are looked through.
    async fn queued_of(&self, who: &Shopper) -> Result<Vec<QueuedMessage>> {
        let mut found = Vec::new();
        for (topic, queue) in self.queues() {
            let theirs = |body: &str| serde_json::from_str(body).is_ok_and(|v| who.named_in(&v));
            for (id, body) in queue.dead_where(theirs).await? {
                let body = serde_json::from_str(&body).unwrap_or_default();
                found.push(QueuedMessage { id, topic: topic.to_string(), dead: true, body });
            }
        }
        // Webhook events still in the table's outbox (a hand-over to SQS failed).
        for (pk, body) in self.pending_events().await? {
            let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if who.named_in(&body) {
                found.push(QueuedMessage { id: pk, topic: WEBHOOKS_TOPIC.to_string(), dead: false, body });
            }
        }
        Ok(found)
    }

    async fn erase_queued(&self, messages: &[QueuedMessage]) -> Result<u64> {
        let mut n = 0;
        for (topic, queue) in self.queues() {
            let ids: Vec<String> =
                messages.iter().filter(|m| m.dead && m.topic == topic).map(|m| m.id.clone()).collect();
            n += queue.delete_dead(&ids).await?;
        }
        for m in messages.iter().filter(|m| !m.dead && m.topic == WEBHOOKS_TOPIC) {
            self.delete(&m.id).await?;
            n += 1;
        }
        Ok(n)
    }

    async fn record_erasure(&self, e: &Erasure) -> Result<bool> {
        let before = self.erasures(&e.tag).await?.iter().any(|earlier| earlier.id != e.id);
        let log = || {
            item(vec![
                ("pk", Some(s(&format!("erasure#{}", e.id)))),
                ("erasure_id", Some(s(&e.id))),
                ("tag", Some(s(&e.tag))),
                ("campaign", Some(s(&e.campaign))),
                ("actor", Some(s(&e.actor))),
                ("at_ms", Some(n(e.at_ms))),
                ("gsi1pk", Some(s(&erasures_key(&e.tag)))),
                ("gsi1sk", Some(s(&format!("{}#{}", at(e.at_ms), e.id)))),
            ])
        };
        // The tombstone only moves forward: the latest erasure is the one that counts.
        let tombstone = self.update_item(
            &tombstone_pk(&e.campaign, &e.tag),
            "SET at_ms = :at",
            &[(":at", n(e.at_ms))],
            Some("attribute_not_exists(at_ms) OR at_ms < :at"),
        )?;
        if self.transact(vec![self.put_item(log(), false)?, tombstone]).await?.is_some() {
            // A later erasure's tombstone is there already: the log line still goes in.
            self.put(log()).await?;
        }
        Ok(before)
    }

    async fn erasures(&self, tag: &str) -> Result<Vec<Erasure>> {
        self.query("gsi1", &erasures_key(tag), None)
            .await?
            .iter()
            .map(|i| {
                Ok(Erasure {
                    id: text(i, "erasure_id")?,
                    tag: text(i, "tag")?,
                    campaign: text(i, "campaign")?,
                    actor: text(i, "actor")?,
                    at_ms: number(i, "at_ms"),
                })
            })
            .collect()
    }
}
