//! The retention sweep's steps for what points at people from beside their rows, in SQLite:
//! conversion reports' clients, operators' notes on credits, undelivered webhook events and the
//! audit log's free text. Each page is one short transaction over an index, read by keyset.

use rusqlite::params;

use super::retention::campaign_credit_ids;
use super::SqliteBackend;
use crate::backends::retention::{Page, ERASED, SWEEP_ACTION};
use crate::backends::{Result, WEBHOOKS_TOPIC};

/// The tables of conversion reports: the merchant's, then browsers'.
const REPORTS: [&str; 2] = ["conversions", "browser_conversions"];

/// Whether a page of `read` rows was full: then another may follow.
fn full(read: usize, limit: u32) -> bool {
    read as u64 >= u64::from(limit.max(1))
}

impl SqliteBackend {
    /// The cursor is `{table}:{order_id}`: the report table being read and the last order read.
    pub(super) async fn anonymise_conversions_page(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
        anon_id: &str,
    ) -> Result<Page<()>> {
        let (table, from) = after.and_then(|a| a.split_once(':')).unwrap_or(("0", ""));
        let table: usize = table.parse().unwrap_or(0).min(REPORTS.len() - 1);
        let (campaign, from, anon) = (campaign.to_string(), from.to_string(), anon_id.to_string());
        let (done, last, read) = self
            .db()
            .write(move |conn| {
                let name = REPORTS[table];
                let select = format!(
                    "SELECT order_id FROM {name} WHERE campaign = ?1 AND order_id > ?2 ORDER BY order_id LIMIT ?3"
                );
                let orders: Vec<String> = conn
                    .prepare_cached(&select)?
                    .query_map(params![campaign, from, limit.max(1)], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let update =
                    format!("UPDATE {name} SET client = ?3 WHERE campaign = ?1 AND order_id = ?2 AND client <> ?3");
                let mut done = 0;
                for order in &orders {
                    done += conn.prepare_cached(&update)?.execute(params![campaign, order, anon])?;
                }
                Ok((done, orders.last().cloned(), orders.len()))
            })
            .await?;
        let next = match last {
            Some(last) if full(read, limit) => Some(format!("{table}:{last}")),
            _ if table + 1 < REPORTS.len() => Some(format!("{}:", table + 1)),
            _ => None,
        };
        Ok(Page { items: vec![(); done], next })
    }

    /// The cursor is the last credit id read (the `credits_by_campaign` index).
    pub(super) async fn redact_credit_notes_page(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Page<()>> {
        let (campaign, after) = (campaign.to_string(), after.unwrap_or("").to_string());
        let (done, last, read) = self
            .db()
            .write(move |conn| {
                let ids = campaign_credit_ids(conn, &campaign, &after, limit)?;
                let mut done = 0;
                for id in &ids {
                    for sql in [
                        "UPDATE credits SET reason = ?2 WHERE credit_id = ?1 AND reason IS NOT NULL AND reason <> ?2",
                        "UPDATE credit_changes SET reason = ?2 WHERE credit_id = ?1 AND reason IS NOT NULL AND reason <> ?2",
                        "UPDATE payouts SET reference = ?2 WHERE credit_id = ?1 AND reference <> ?2",
                    ] {
                        done += conn.prepare_cached(sql)?.execute(params![id, ERASED])?;
                    }
                }
                Ok((done, ids.last().cloned(), ids.len()))
            })
            .await?;
        let next = last.filter(|_| full(read, limit));
        Ok(Page { items: vec![(); done], next })
    }

    /// Undelivered webhook messages of the campaign, dead or waiting for a retry. Deleted rows
    /// leave the queue, so every page starts at its front.
    pub(super) async fn erase_pending_events_page(&self, campaign: &str, limit: u32) -> Result<Page<()>> {
        let campaign = campaign.to_string();
        let n = self
            .db()
            .write(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "DELETE FROM queue WHERE id IN (SELECT id FROM queue WHERE topic = ?2
                         AND json_valid(body) AND json_extract(body, '$.campaign') = ?1 LIMIT ?3)",
                    )?
                    .execute(params![campaign, WEBHOOKS_TOPIC, limit.max(1)])?)
            })
            .await?;
        let next = full(n, limit).then(String::new);
        Ok(Page { items: vec![(); n], next })
    }

    /// The cursor is `{at_ms}:{id}` of the last record read (the `audit_by_campaign` index).
    pub(super) async fn redact_audit_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        let (at, id) = after
            .and_then(|a| a.split_once(':'))
            .map(|(at, id)| (at.parse().unwrap_or(i64::MIN), id.to_string()))
            .unwrap_or((i64::MIN, String::new()));
        let campaign = campaign.to_string();
        let (done, last, read) = self
            .db()
            .write(move |conn| {
                let rows: Vec<(i64, String)> = conn
                    .prepare_cached(
                        "SELECT at_ms, id FROM audit_log WHERE campaign = ?1 AND (at_ms, id) > (?2, ?3)
                         ORDER BY at_ms, id LIMIT ?4",
                    )?
                    .query_map(params![campaign, at, id, limit.max(1)], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let mut done = 0;
                for (_, id) in &rows {
                    done += conn
                        .prepare_cached("UPDATE audit_log SET detail = ?2 WHERE id = ?1 AND detail NOT IN ('', ?2) AND action <> ?3")?
                        .execute(params![id, ERASED, SWEEP_ACTION])?;
                }
                Ok((done, rows.last().cloned(), rows.len()))
            })
            .await?;
        let next = last.filter(|_| full(read, limit)).map(|(at, id)| format!("{at}:{id}"));
        Ok(Page { items: vec![(); done], next })
    }
}
