//! The retention sweep's pages and progress in DynamoDB. A campaign's referrers, consent records
//! and entry counters have no index by campaign, so a page is one bounded scan step of their key
//! prefix (`limit` items read), resumed from the last key read: the sweep reads the table once
//! per kind, never all of it at once. `retention#{campaign}` holds the sweep's record.

use async_trait::async_trait;

use super::consents::record_from;
use super::ledger::credit_from;
use super::{flag, item, number, opt_text, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::{corrupt, unavailable};
use crate::backends::consents::ConsentRecord;
use crate::backends::referrals::{Credit, Referrer};
use crate::backends::retention::{Page, RetentionStore, SweepRecord};
use crate::backends::{Result, StoredEntry};

fn record_pk(campaign: &str) -> String {
    format!("retention#{campaign}")
}

impl DynamoStore {
    /// One scan step over the items whose key starts with one of `prefixes` (and, when given, whose
    /// `campaign` is `campaign`): at most `limit` items read after the key `after`.
    pub(super) async fn scan_step(
        &self,
        prefixes: &[&str],
        campaign: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<Item>, Option<String>)> {
        let limit = i32::try_from(limit.max(1)).unwrap_or(i32::MAX);
        let mut scan = self.ddb.scan().table_name(&self.table).consistent_read(true).limit(limit);
        let mut any = Vec::new();
        for (i, prefix) in prefixes.iter().enumerate() {
            scan = scan.expression_attribute_values(format!(":p{i}"), s(prefix));
            any.push(format!("begins_with(pk, :p{i})"));
        }
        let any = format!("({})", any.join(" OR "));
        scan = match campaign {
            Some(c) => {
                scan.filter_expression(format!("{any} AND campaign = :c")).expression_attribute_values(":c", s(c))
            }
            None => scan.filter_expression(any),
        };
        if let Some(after) = after {
            scan = scan.exclusive_start_key("pk", s(after));
        }
        let out = scan.send().await.map_err(|e| unavailable(WHAT, e))?;
        let next = out.last_evaluated_key.and_then(|k| opt_text(&k, "pk"));
        Ok((out.items.unwrap_or_default(), next))
    }
}

#[async_trait]
impl RetentionStore for DynamoStore {
    async fn sweep_record(&self, campaign: &str) -> Result<Option<SweepRecord>> {
        match self.get(&record_pk(campaign)).await? {
            Some(it) => Ok(Some(serde_json::from_str(&text(&it, "record")?).map_err(corrupt)?)),
            None => Ok(None),
        }
    }

    async fn save_sweep_record(&self, record: &SweepRecord) -> Result<()> {
        let json = serde_json::to_string(record).map_err(corrupt)?;
        self.put(item(vec![("pk", Some(s(&record_pk(&record.campaign)))), ("record", Some(s(&json)))])).await
    }

    async fn anonymise_entry_page(&self, entries: &[StoredEntry], anon_id: &str) -> Result<u64> {
        self.anonymise_entry_items(entries, anon_id).await?;
        Ok(entries.len() as u64)
    }

    async fn erase_fingerprints(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        let prefixes = [format!("rsha#{campaign}#"), format!("rband#{campaign}#")];
        let (found, next) = self.scan_step(&[&prefixes[0], &prefixes[1]], None, after, limit).await?;
        for i in &found {
            self.delete(&text(i, "pk")?).await?;
        }
        Ok(Page { items: vec![(); found.len()], next })
    }

    async fn referrers_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<Referrer>> {
        let (found, next) = self.scan_step(&["referrer#"], Some(campaign), after, limit).await?;
        let items = found
            .iter()
            .map(|i| {
                Ok(Referrer {
                    referrer_id: text(i, "referrer_id")?,
                    campaign: text(i, "campaign")?,
                    code: text(i, "code")?,
                    email: opt_text(i, "email").unwrap_or_default(),
                    identity: text(i, "identity")?,
                    first_name: opt_text(i, "first_name").unwrap_or_default(),
                    join_flagged: flag(i, "join_flagged"),
                    created_at_ms: number(i, "created_ms"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next })
    }

    async fn credits_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<Credit>> {
        // The campaign's credits are one partition of gsi2, in (created_ms, credit_id) order.
        let (found, next) = self.index_page("gsi2", &format!("campaigncredits#{campaign}"), after, limit).await?;
        let items = found.iter().map(credit_from).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next })
    }

    async fn consents_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<ConsentRecord>> {
        let (found, next) = self.scan_step(&["consent#"], Some(campaign), after, limit).await?;
        let items = found.iter().map(record_from).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next })
    }

    async fn erase_entry_limits(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        let (found, next) = self.scan_step(&[&format!("quota#{campaign}#")], None, after, limit).await?;
        for i in &found {
            self.delete(&text(i, "pk")?).await?;
        }
        Ok(Page { items: vec![(); found.len()], next })
    }

    async fn anonymise_campaign_conversions(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
        anon_id: &str,
    ) -> Result<Page<()>> {
        self.anonymise_conversions_step(campaign, after, limit, anon_id).await
    }

    async fn redact_campaign_credit_notes(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        self.redact_credit_notes_step(campaign, after, limit).await
    }

    async fn erase_campaign_pending_events(
        &self,
        campaign: &str,
        _after: Option<&str>,
        limit: u32,
    ) -> Result<Page<()>> {
        self.erase_pending_events_step(campaign, limit).await
    }

    async fn redact_campaign_audit(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        self.redact_audit_step(campaign, after, limit).await
    }
}

impl DynamoStore {
    /// One page of the `index` (`gsi1`, `gsi2`) partition `pk`, after the sort key `after`: its
    /// items and, when more may follow, the last one's sort key as the next cursor.
    pub(super) async fn index_page(
        &self,
        index: &str,
        pk: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<Item>, Option<String>)> {
        let (pk_name, sk_name) = (format!("{index}pk"), format!("{index}sk"));
        let mut q = self
            .ddb
            .query()
            .table_name(&self.table)
            .index_name(index)
            .expression_attribute_values(":p", s(pk))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX));
        q = match after {
            Some(after) => q
                .key_condition_expression(format!("{pk_name} = :p AND {sk_name} > :a"))
                .expression_attribute_values(":a", s(after)),
            None => q.key_condition_expression(format!("{pk_name} = :p")),
        };
        let out = q.send().await.map_err(|e| unavailable(WHAT, e))?;
        let found = out.items.unwrap_or_default();
        let next = match out.last_evaluated_key {
            Some(key) if !key.is_empty() => found.last().and_then(|i| opt_text(i, &sk_name)),
            _ => None,
        };
        Ok((found, next))
    }
}
