//! The retention sweep's steps for what points at people from beside their rows, in DynamoDB:
//! conversion reports' clients, operators' notes on credits, webhook events still in the table's
//! outbox and the audit log's free text. Conversion reports, credit changes and payouts have no
//! index by campaign, so those pages are bounded scan steps of their key prefixes (as the
//! referrers' are); the audit log is read through its campaign's `gsi1` partition.

use std::collections::HashMap;

use super::ledger::credit_pk;
use super::{opt_text, s, text, DynamoStore, Item};
use crate::backends::retention::{Page, ERASED, SWEEP_ACTION};
use crate::backends::Result;

/// The prefixes of the items holding an operator's note on a credit, and the note's attribute.
const NOTES: [(&str, &str); 3] = [("credit#", "reason"), ("creditlog#", "reason"), ("payout#", "reference")];

impl DynamoStore {
    /// Sets `attribute` of the item `pk` to [`ERASED`] if it holds another text; whether it did.
    async fn erase_text(&self, pk: &str, attribute: &str) -> Result<bool> {
        self.update_if(
            pk,
            "SET #a = :e",
            "attribute_exists(#a) AND #a <> :e AND #a <> :blank",
            &[("#a", attribute)],
            &[(":e", s(ERASED)), (":blank", s(""))],
        )
        .await
    }

    pub(super) async fn anonymise_conversions_step(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
        anon_id: &str,
    ) -> Result<Page<()>> {
        let prefixes = [format!("conv#{campaign}#"), format!("bconv#{campaign}#")];
        let (found, next) = self.scan_step(&[&prefixes[0], &prefixes[1]], None, after, limit).await?;
        // The client is kept only in the velocity rules' index key (`gsi2pk`).
        let anon = format!("convclient#{campaign}#{anon_id}");
        let mut done = 0;
        for i in &found {
            if opt_text(i, "gsi2pk").is_some_and(|k| k != anon) {
                self.update(&text(i, "pk")?, "SET gsi2pk = :g", &[(":g", s(&anon))]).await?;
                done += 1;
            }
        }
        Ok(Page { items: vec![(); done], next })
    }

    pub(super) async fn redact_credit_notes_step(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<()>> {
        let prefixes: Vec<&str> = NOTES.iter().map(|(p, _)| *p).collect();
        let (found, next) = self.scan_step(&prefixes, None, after, limit).await?;
        // A credit change names its credit only: the credit tells the campaign.
        let mut campaign_of: HashMap<String, Option<String>> = HashMap::new();
        let mut done = 0;
        for i in &found {
            let pk = text(i, "pk")?;
            let Some((prefix, attribute)) = NOTES.iter().find(|(p, _)| pk.starts_with(p)) else { continue };
            let of = match *prefix {
                "creditlog#" => {
                    let credit = text(i, "credit_id")?;
                    if !campaign_of.contains_key(&credit) {
                        let held = self.get(&credit_pk(&credit)).await?;
                        campaign_of.insert(credit.clone(), held.and_then(|c: Item| opt_text(&c, "campaign")));
                    }
                    campaign_of[&credit].clone()
                }
                _ => opt_text(i, "campaign"),
            };
            if of.as_deref() == Some(campaign) && self.erase_text(&pk, attribute).await? {
                done += 1;
            }
        }
        Ok(Page { items: vec![(); done], next })
    }

    pub(super) async fn erase_pending_events_step(&self, campaign: &str, limit: u32) -> Result<Page<()>> {
        let mut done = 0;
        for (pk, body) in self.pending_events().await? {
            let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if body.get("campaign").and_then(|c| c.as_str()) == Some(campaign) {
                self.delete(&pk).await?;
                done += 1;
                if done >= limit.max(1) as usize {
                    // Deleted events leave the outbox: the next page reads it again.
                    return Ok(Page { items: vec![(); done], next: Some(String::new()) });
                }
            }
        }
        Ok(Page { items: vec![(); done], next: None })
    }

    /// The cursor is the `gsi1sk` (time and id) of the last record read.
    pub(super) async fn redact_audit_step(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        let (found, next) = self.index_page("gsi1", &format!("audit#{campaign}"), after, limit).await?;
        let mut done = 0;
        for i in found.iter().filter(|i| opt_text(i, "action").as_deref() != Some(SWEEP_ACTION)) {
            if self.erase_text(&text(i, "pk")?, "detail").await? {
                done += 1;
            }
        }
        Ok(Page { items: vec![(); done], next })
    }
}
