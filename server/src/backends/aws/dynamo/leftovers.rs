//! What an erase reaches beyond the shopper's own rows, in DynamoDB (see `backends/leftovers.rs`).
//! Fingerprints and conversion reports are found by a scan of their key prefix: a refused entry
//! or an erase is rare, and no index keyed by entry id or conversion id has to exist for it.

use async_trait::async_trait;

use super::entries::{entry_pk, idem_pk, upload_pk};
use super::ledger::credit_pk;
use super::privacy::tombstone_pk;
use super::review::case_pk;
use super::{number, opt_text, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::unavailable;
use crate::backends::leftovers::{HeldConversion, Leftovers, Redact};
use crate::backends::privacy::ALL_CAMPAIGNS;
use crate::backends::review::AuditRecord;
use crate::backends::{EntryMessage, Result};
use vouch_core::wire::EntryStatus;

/// The key prefixes of conversion reports, and whether each holds the merchant's.
const REPORTS: [(&str, bool); 2] = [("conv#", true), ("bconv#", false)];

fn client_key(campaign: &str, client: &str) -> String {
    format!("convclient#{campaign}#{client}")
}

impl DynamoStore {
    /// Deletes the item `pk` if its `attribute` is `value`; `false` when it was not (or is gone).
    async fn delete_if(&self, pk: &str, attribute: &str, value: &str) -> Result<bool> {
        let done = self
            .ddb
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .condition_expression("#a = :v")
            .expression_attribute_names("#a", attribute)
            .expression_attribute_values(":v", s(value))
            .send()
            .await;
        match done {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                e if e.is_conditional_check_failed_exception() => Ok(false),
                e => Err(unavailable(WHAT, e)),
            },
        }
    }

    /// The reports of these conversions, each with its key.
    async fn reports_of(&self, ids: &[String]) -> Result<Vec<(Item, HeldConversion)>> {
        let mut found = Vec::new();
        for (prefix, from_merchant) in REPORTS {
            for i in self.scan_prefix(prefix).await? {
                let conversion_id = text(&i, "conversion_id")?;
                if !ids.contains(&conversion_id) {
                    continue;
                }
                let pk = text(&i, "pk")?;
                let (campaign, order_id) = pk.trim_start_matches(prefix).split_once('#').unwrap_or_default();
                let (campaign, order_id) = (campaign.to_string(), order_id.to_string());
                // Only a report still counted by the velocity rules keeps its client (in `gsi2pk`).
                let client =
                    opt_text(&i, "gsi2pk").and_then(|k| k.strip_prefix(&client_key(&campaign, "")).map(str::to_string));
                found.push((i, HeldConversion { conversion_id, campaign, order_id, client, from_merchant }));
            }
        }
        Ok(found)
    }
}

#[async_trait]
impl Leftovers for DynamoStore {
    async fn forget_unrecorded(&self, msg: &EntryMessage) -> Result<()> {
        let stub = entry_pk(&msg.entry_id);
        let accepted = EntryStatus::Accepted.as_str();
        if let Some(found) = self.get(&stub).await? {
            if opt_text(&found, "status").is_some_and(|st| st != accepted) {
                return Ok(());
            }
        }
        let (campaign, id) = (&msg.campaign, std::slice::from_ref(&msg.entry_id));
        self.delete(&case_pk(campaign, &msg.entry_id)).await?;
        self.delete_where(&format!("rsha#{campaign}#"), "entry_id", id).await?;
        self.delete_where(&format!("rband#{campaign}#"), "gsi2sk", id).await?;
        self.delete_if(&idem_pk(campaign, &msg.idempotency_key), "entry_id", &msg.entry_id).await?;
        if let Some(key) = &msg.receipt_key {
            self.delete_if(&upload_pk(key), "entry_id", &msg.entry_id).await?;
        }
        // The stub last: while it is there, a rerun after a crash knows the entry is unrecorded.
        self.delete_if(&stub, "status", accepted).await?;
        Ok(())
    }

    async fn erased_since(&self, email: &str, campaign: &str, at_ms: i64) -> Result<bool> {
        let Some(key) = &self.erasure else { return Ok(false) };
        let tag = key.tag_of_email(email);
        for scope in [campaign, ALL_CAMPAIGNS] {
            // `get` reads consistently: a tombstone written before this call is seen.
            if let Some(tombstone) = self.get(&tombstone_pk(scope, &tag)).await? {
                if number(&tombstone, "at_ms") >= at_ms {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    async fn rewrite_audit(&self, records: &[AuditRecord]) -> Result<u64> {
        let mut n = 0;
        for r in records {
            let pk = format!("audit#{}", r.id);
            let detail = s(&r.detail);
            n += u64::from(
                self.update_if(&pk, "SET detail = :d", "attribute_exists(pk)", &[], &[(":d", detail)]).await?,
            );
        }
        Ok(n)
    }

    async fn redact_credit_notes(&self, credit_ids: &[String], redact: Redact) -> Result<u64> {
        let mut n = 0;
        for id in credit_ids {
            // The credit, its changes (`creditlog#…`) and its payout, each with its text attribute.
            let mut items: Vec<(Item, &str)> = Vec::new();
            items.extend(self.get(&credit_pk(id)).await?.map(|i| (i, "reason")));
            items.extend(self.scan_prefix(&format!("creditlog#{id}#")).await?.into_iter().map(|i| (i, "reason")));
            items.extend(self.get(&format!("payout#{id}")).await?.map(|i| (i, "reference")));
            for (item, attribute) in items {
                let Some(redacted) = opt_text(&item, attribute).and_then(|t| redact(&t)) else { continue };
                let (pk, names, values) = (text(&item, "pk")?, [("#a", attribute)], [(":t", s(&redacted))]);
                n += u64::from(self.update_if(&pk, "SET #a = :t", "attribute_exists(pk)", &names, &values).await?);
            }
        }
        Ok(n)
    }

    async fn conversions_of(&self, conversion_ids: &[String]) -> Result<Vec<HeldConversion>> {
        Ok(self.reports_of(conversion_ids).await?.into_iter().map(|(_, c)| c).collect())
    }

    async fn anonymise_conversions(&self, conversion_ids: &[String], anon_id: &str) -> Result<u64> {
        let mut n = 0;
        for (item, held) in self.reports_of(conversion_ids).await? {
            if held.client.as_deref().is_none_or(|c| c == anon_id) {
                continue;
            }
            let expression = "SET gsi2pk = :g";
            self.update(&text(&item, "pk")?, expression, &[(":g", s(&client_key(&held.campaign, anon_id)))]).await?;
            n += 1;
        }
        Ok(n)
    }
}
