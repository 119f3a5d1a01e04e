//! Payouts by hand in DynamoDB. Each payout is a conditional put (`payout#{credit_id}`, once)
//! with its audit record in the same TransactWriteItems. A transaction holds at most 100 items,
//! so credits go in chunks; a chunk that is retried, or that races another operator's, finds
//! those payouts present, takes them as already paid and writes the rest.

use async_trait::async_trait;
use vouch_core::payouts::{payable, Unpayable};

use super::ledger::{credit_from, credit_pk, referrer_pk};
use super::review::audit_item;
use super::{item, n, number, opt_text, s, text, DynamoStore, Item};
use crate::backends::payouts::{unique, Due, MarkPaid, Payout, Payouts};
use crate::backends::{BackendError, Result};

/// Credits per transaction: two items each (payout and audit record), under the limit of 100.
const CHUNK: usize = 50;
/// Rounds of a chunk against racing writers before giving up.
const ROUNDS: usize = 5;

fn payout_pk(credit_id: &str) -> String {
    format!("payout#{credit_id}")
}

fn payout_item(p: &Payout) -> Item {
    item(vec![
        ("pk", Some(s(&payout_pk(&p.credit_id)))),
        ("credit_id", Some(s(&p.credit_id))),
        ("campaign", Some(s(&p.campaign))),
        ("reference", Some(s(&p.reference))),
        ("paid_by", Some(s(&p.paid_by))),
        ("paid_ms", Some(n(p.paid_at_ms))),
        ("gsi1pk", Some(s(&format!("payouts#{}", p.campaign)))),
        ("gsi1sk", Some(s(&p.credit_id))),
    ])
}

fn payout_from(i: &Item) -> Result<Payout> {
    Ok(Payout {
        credit_id: text(i, "credit_id")?,
        campaign: text(i, "campaign")?,
        reference: text(i, "reference")?,
        paid_by: text(i, "paid_by")?,
        paid_at_ms: number(i, "paid_ms"),
    })
}

impl DynamoStore {
    async fn payout_of(&self, credit_id: &str) -> Result<Option<Payout>> {
        self.get(&payout_pk(credit_id)).await?.as_ref().map(payout_from).transpose()
    }

    /// Writes the payouts of `ids` not yet paid; returns (paid now, paid before).
    async fn pay_chunk(&self, mut ids: Vec<String>, template: &Payout) -> Result<(Vec<String>, Vec<Payout>)> {
        let mut already = Vec::new();
        for _ in 0..ROUNDS {
            let mut writes = Vec::new();
            for id in &ids {
                let payout = Payout { credit_id: id.clone(), ..template.clone() };
                writes.push(self.put_item(payout_item(&payout), true)?);
                // The audit record's id is new each round: it is written only with its payout.
                writes.push(self.put_item(audit_item(&payout.audit()), true)?);
            }
            if writes.is_empty() {
                return Ok((ids, already));
            }
            let Some(failed) = self.transact(writes).await? else { return Ok((ids, already)) };
            let mut left = Vec::new();
            for (i, id) in ids.into_iter().enumerate() {
                match (failed.get(2 * i).copied().unwrap_or(false), self.payout_of(&id).await?) {
                    (true, Some(earlier)) => already.push(earlier),
                    _ => left.push(id),
                }
            }
            ids = left;
        }
        Err(BackendError::Unavailable(super::WHAT, "payouts kept changing while being recorded".into()))
    }
}

#[async_trait]
impl Payouts for DynamoStore {
    async fn due(&self, campaign: &str) -> Result<Vec<Due>> {
        let paid: std::collections::HashSet<String> =
            self.payouts(campaign).await?.into_iter().map(|p| p.credit_id).collect();
        let mut names = std::collections::HashMap::new();
        let mut due = Vec::new();
        for found in self.query("gsi2", &format!("campaigncredits#{campaign}"), None).await? {
            let credit = credit_from(&found)?;
            if payable(credit.side, credit.state).is_err() || paid.contains(&credit.credit_id) {
                continue;
            }
            let first_name = match names.get(&credit.referrer_id) {
                Some(name) => String::clone(name),
                None => {
                    let referrer = self.get(&referrer_pk(&credit.referrer_id)).await?;
                    let name = referrer.as_ref().and_then(|r| opt_text(r, "first_name")).unwrap_or_default();
                    names.insert(credit.referrer_id.clone(), name.clone());
                    name
                }
            };
            // A credit approved at once has no decision; its creation is its approval.
            let approved_at_ms = match number(&found, "decided_ms") {
                0 => credit.created_at_ms,
                decided => decided,
            };
            due.push(Due { credit, first_name, approved_at_ms });
        }
        Ok(due)
    }

    async fn mark_paid(
        &self,
        campaign: &str,
        credit_ids: &[String],
        reference: &str,
        paid_by: &str,
        paid_at_ms: i64,
    ) -> Result<MarkPaid> {
        let ids = unique(credit_ids);
        // A credit's campaign and side never change and an approval is final, so what is
        // checked here still holds when the payouts are written.
        let mut refused = Vec::new();
        for id in &ids {
            let problem = match self.get(&credit_pk(id)).await?.as_ref().map(credit_from).transpose()? {
                Some(c) if c.campaign == campaign => payable(c.side, c.state).err(),
                _ => Some(Unpayable::Unknown),
            };
            refused.extend(problem.map(|p| (id.clone(), p)));
        }
        if !refused.is_empty() {
            return Ok(MarkPaid::Refused(refused));
        }
        let template = Payout {
            credit_id: String::new(),
            campaign: campaign.into(),
            reference: reference.into(),
            paid_by: paid_by.into(),
            paid_at_ms,
        };
        let (mut paid, mut already) = (Vec::new(), Vec::new());
        let mut unpaid = Vec::new();
        for id in ids {
            match self.payout_of(&id).await? {
                Some(earlier) => already.push(earlier),
                None => unpaid.push(id),
            }
        }
        for chunk in unpaid.chunks(CHUNK) {
            let (now, before) = self.pay_chunk(chunk.to_vec(), &template).await?;
            paid.extend(now);
            already.extend(before);
        }
        Ok(MarkPaid::Done { paid, already })
    }

    async fn payouts(&self, campaign: &str) -> Result<Vec<Payout>> {
        let mut all: Vec<Payout> = self
            .query("gsi1", &format!("payouts#{campaign}"), None)
            .await?
            .iter()
            .map(payout_from)
            .collect::<Result<_>>()?;
        all.sort_by(|a, b| a.credit_id.cmp(&b.credit_id));
        Ok(all)
    }
}
