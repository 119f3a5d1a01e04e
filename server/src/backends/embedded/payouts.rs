//! Payouts by hand in SQLite: a payout row and its audit record in one transaction.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};
use vouch_core::payouts::{payable, Unpayable};
use vouch_core::rewards::CreditState;

use super::db::DbError;
use super::ledger::query_credits;
use super::review::append;
use super::SqliteBackend;
use crate::backends::payouts::{unique, Due, MarkPaid, Payout, Payouts};
use crate::backends::Result;

fn payouts_where(conn: &Connection, filter: &str, value: &str) -> std::result::Result<Vec<Payout>, DbError> {
    let sql = format!(
        "SELECT credit_id, campaign, reference, paid_by, paid_ms FROM payouts WHERE {filter} = ?1 ORDER BY credit_id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![value], |r| {
        Ok(Payout {
            credit_id: r.get(0)?,
            campaign: r.get(1)?,
            reference: r.get(2)?,
            paid_by: r.get(3)?,
            paid_at_ms: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn mark(
    conn: &Connection,
    campaign: &str,
    ids: &[String],
    template: &Payout,
) -> std::result::Result<MarkPaid, DbError> {
    let mut refused = Vec::new();
    for id in ids {
        let problem = match query_credits(conn, "credit_id", id)?.pop() {
            Some(c) if c.campaign == campaign => payable(c.side, c.state).err(),
            _ => Some(Unpayable::Unknown),
        };
        refused.extend(problem.map(|p| (id.clone(), p)));
    }
    if !refused.is_empty() {
        return Ok(MarkPaid::Refused(refused));
    }
    let (mut paid, mut already) = (Vec::new(), Vec::new());
    for id in ids {
        if let Some(earlier) = payouts_where(conn, "credit_id", id)?.pop() {
            already.push(earlier);
            continue;
        }
        let payout = Payout { credit_id: id.clone(), ..template.clone() };
        conn.prepare_cached(
            "INSERT INTO payouts (credit_id, campaign, reference, paid_by, paid_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            payout.credit_id,
            payout.campaign,
            payout.reference,
            payout.paid_by,
            payout.paid_at_ms
        ])?;
        append(conn, &payout.audit())?;
        paid.push(payout.credit_id);
    }
    Ok(MarkPaid::Done { paid, already })
}

#[async_trait]
impl Payouts for SqliteBackend {
    async fn due(&self, campaign: &str) -> Result<Vec<Due>> {
        let campaign = campaign.to_string();
        let due = self
            .db()
            .read(move |conn| {
                let paid: std::collections::HashSet<String> =
                    payouts_where(conn, "campaign", &campaign)?.into_iter().map(|p| p.credit_id).collect();
                let mut due = Vec::new();
                for credit in query_credits(conn, "campaign", &campaign)? {
                    if payable(credit.side, credit.state).is_err() || paid.contains(&credit.credit_id) {
                        continue;
                    }
                    let first_name: String = conn
                        .prepare_cached("SELECT first_name FROM referrers WHERE referrer_id = ?1")?
                        .query_row(params![credit.referrer_id], |r| r.get(0))
                        .optional()?
                        .unwrap_or_default();
                    // The worker's first write dates the credit itself (`created_ms`); a later
                    // approval (an operator's, or the merchant's report over a browser's) dates itself.
                    let decided: Option<i64> = conn
                        .prepare_cached(
                            "SELECT max(created_ms) FROM credit_changes
                             WHERE credit_id = ?1 AND state = ?2 AND actor != 'worker'",
                        )?
                        .query_row(params![credit.credit_id, CreditState::Approved.as_str()], |r| r.get(0))?;
                    let approved_at_ms = decided.unwrap_or(credit.created_at_ms);
                    due.push(Due { credit, first_name, approved_at_ms });
                }
                Ok(due)
            })
            .await?;
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
        let template = Payout {
            credit_id: String::new(),
            campaign: campaign.into(),
            reference: reference.into(),
            paid_by: paid_by.into(),
            paid_at_ms,
        };
        let (campaign, ids) = (campaign.to_string(), unique(credit_ids));
        Ok(self.db().write(move |conn| mark(conn, &campaign, &ids, &template)).await?)
    }

    async fn payouts(&self, campaign: &str) -> Result<Vec<Payout>> {
        let campaign = campaign.to_string();
        Ok(self.db().read(move |conn| payouts_where(conn, "campaign", &campaign)).await?)
    }
}
