//! The retention sweep's pages and progress in SQLite. Pages are keyset pages over an index, so a
//! campaign of any size is read a page at a time; each page's write is one short transaction.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension};

use super::consents::{collect, record, SELECT};
use super::db::DbError;
use super::referrals::{referrer_from_row, REFERRER_COLUMNS};
use super::SqliteBackend;
use crate::backends::consents::ConsentRecord;
use crate::backends::privacy::anonymous_email;
use crate::backends::referrals::{Credit, Referrer};
use crate::backends::retention::{Page, RetentionStore, SweepRecord};
use crate::backends::{Result, StoredEntry, CONVERSIONS_TOPIC, ENTRIES_TOPIC, WEBHOOKS_TOPIC};

/// The position after the last item of a full page; `None` after a short one (the end).
fn next_after<T>(items: &[T], limit: u32, key: impl Fn(&T) -> String) -> Option<String> {
    (items.len() as u64 >= u64::from(limit.max(1))).then(|| items.last().map(key)).flatten()
}

/// The outbox mails of a campaign, told by their dedup keys: an entry's confirmation and review
/// outcome (`confirmation:{entry}`, `review:{entry}:{status}`), a draw's (`draw#{draw}#{entry}`),
/// a code's (`code:{campaign}:…`) and a marketing opt-in's (`optin:{record}`).
const CAMPAIGN_MAIL: &str = "(
    dedup_key GLOB 'code:' || ?1 || ':*'
    OR (dedup_key GLOB 'confirmation:*' AND EXISTS (SELECT 1 FROM entries e
        WHERE e.entry_id = substr(outbox.dedup_key, 14) AND e.campaign = ?1))
    OR (dedup_key GLOB 'review:*' AND EXISTS (SELECT 1 FROM entries e
        WHERE e.entry_id = substr(outbox.dedup_key, 8, instr(substr(outbox.dedup_key, 8), ':') - 1)
        AND e.campaign = ?1))
    OR (dedup_key GLOB 'draw#*' AND EXISTS (SELECT 1 FROM draws d
        WHERE d.campaign = ?1 AND outbox.dedup_key GLOB 'draw#' || d.draw_id || '#*'))
    OR (dedup_key GLOB 'optin:*' AND EXISTS (SELECT 1 FROM consents c
        WHERE c.record_id = substr(outbox.dedup_key, 7) AND c.campaign = ?1))
)";

/// Up to `limit` of the campaign's credit ids after `after`, in order (the `credits_by_campaign`
/// index): the pages that read credits and the ones that redact their notes.
pub(super) fn campaign_credit_ids(
    conn: &Connection,
    campaign: &str,
    after: &str,
    limit: u32,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT credit_id FROM credits WHERE campaign = ?1 AND credit_id > ?2 ORDER BY credit_id LIMIT ?3",
    )?
    .query_map(params![campaign, after, limit.max(1)], |r| r.get(0))?
    .collect()
}

impl SqliteBackend {
    /// Empties (address, subject, text) up to `limit` outbox mails after position `after` that
    /// belong to the campaign; the dedup keys stay, so nothing is sent again. The outbox exists
    /// only with the embedded mailer: SES keeps no copy of a mail.
    pub async fn anonymise_campaign_mails(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
        anon_id: &str,
    ) -> Result<Page<()>> {
        let (campaign, anon) = (campaign.to_string(), anonymous_email(anon_id));
        let after: i64 = after.and_then(|a| a.parse().ok()).unwrap_or(0);
        let (done, last, read) = self
            .db()
            .write(move |conn| {
                let ids: Vec<i64> = conn
                    .prepare_cached("SELECT id FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2")?
                    .query_map(params![after, limit.max(1)], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let sql = format!(
                    "UPDATE outbox SET to_addr = ?2, subject = '', body = '' WHERE id = ?3 AND to_addr <> ?2
                     AND {CAMPAIGN_MAIL}"
                );
                let mut done = 0;
                for id in &ids {
                    done += conn.prepare_cached(&sql)?.execute(params![campaign, anon, id])?;
                }
                Ok((done, ids.last().copied(), ids.len()))
            })
            .await?;
        let next = (read as u64 >= u64::from(limit.max(1))).then(|| last.map(|l| l.to_string())).flatten();
        Ok(Page { items: vec![(); done], next })
    }

    /// Deletes the campaign's dead-lettered entries, conversions and webhooks: their bodies name
    /// people, and a redrive after the sweep would bring them back. (Funnel events name nobody
    /// and stay.)
    pub async fn erase_campaign_dead_letters(&self, campaign: &str) -> Result<u64> {
        let campaign = campaign.to_string();
        let n = self
            .db()
            .write(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "DELETE FROM queue WHERE dead = 1 AND topic IN (?2, ?3, ?4)
                         AND json_valid(body) AND json_extract(body, '$.campaign') = ?1",
                    )?
                    .execute(params![campaign, ENTRIES_TOPIC, CONVERSIONS_TOPIC, WEBHOOKS_TOPIC])?
                    as u64)
            })
            .await?;
        Ok(n)
    }
}

#[async_trait]
impl RetentionStore for SqliteBackend {
    async fn sweep_record(&self, campaign: &str) -> Result<Option<SweepRecord>> {
        let campaign = campaign.to_string();
        let json: Option<String> = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT record FROM retention_sweeps WHERE campaign = ?1")?
                    .query_row(params![campaign], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| DbError::Corrupt(format!("sweep record: {e}")).into()))
            .transpose()
    }

    async fn save_sweep_record(&self, record: &SweepRecord) -> Result<()> {
        let json = serde_json::to_string(record).map_err(|e| DbError::Corrupt(e.to_string()))?;
        let campaign = record.campaign.clone();
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO retention_sweeps (campaign, record) VALUES (?1, ?2)
                     ON CONFLICT (campaign) DO UPDATE SET record = excluded.record",
                )?
                .execute(params![campaign, json])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn anonymise_entry_page(&self, entries: &[StoredEntry], anon_id: &str) -> Result<u64> {
        let ids: Vec<(String, String)> = entries.iter().map(|e| (e.campaign.clone(), e.entry_id.clone())).collect();
        let anon = anonymous_email(anon_id);
        Ok(self.db().write(move |conn| Ok(super::privacy::anonymise_entry_rows(conn, &ids, &anon)?)).await?)
    }

    async fn erase_fingerprints(&self, campaign: &str, _after: Option<&str>, limit: u32) -> Result<Page<()>> {
        let campaign = campaign.to_string();
        let n = self
            .db()
            .write(move |conn| {
                let exact = conn
                    .prepare_cached(
                        "DELETE FROM receipt_exact WHERE (campaign, sha256) IN
                         (SELECT campaign, sha256 FROM receipt_exact WHERE campaign = ?1 LIMIT ?2)",
                    )?
                    .execute(params![campaign, limit.max(1)])?;
                let bands = conn
                    .prepare_cached(
                        "DELETE FROM receipt_bands WHERE (campaign, band, entry_id) IN
                         (SELECT campaign, band, entry_id FROM receipt_bands WHERE campaign = ?1 LIMIT ?2)",
                    )?
                    .execute(params![campaign, limit.max(1)])?;
                Ok(exact + bands)
            })
            .await?;
        // Deleted rows leave the tables: the next page starts at the front again.
        let next = (n as u64 >= u64::from(limit.max(1))).then(String::new);
        Ok(Page { items: vec![(); n], next })
    }

    async fn referrers_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<Referrer>> {
        let (campaign, after) = (campaign.to_string(), after.unwrap_or("").to_string());
        let items = self
            .db()
            .read(move |conn| {
                // By code: the (campaign, code) index, and the sweep leaves codes as they are.
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {REFERRER_COLUMNS} FROM referrers WHERE campaign = ?1 AND code > ?2 ORDER BY code LIMIT ?3"
                ))?;
                let rows = stmt.query_map(params![campaign, after, limit.max(1)], referrer_from_row)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        let next = next_after(&items, limit, |r| r.code.clone());
        Ok(Page { items, next })
    }

    async fn credits_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<Credit>> {
        let (campaign, after) = (campaign.to_string(), after.unwrap_or("").to_string());
        let items = self
            .db()
            .read(move |conn| {
                let ids = campaign_credit_ids(conn, &campaign, &after, limit)?;
                let mut credits = Vec::new();
                for id in &ids {
                    credits.extend(super::ledger::query_credits(conn, "credit_id", id)?);
                }
                Ok(credits)
            })
            .await?;
        let next = next_after(&items, limit, |c| c.credit_id.clone());
        Ok(Page { items, next })
    }

    async fn consents_page(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<ConsentRecord>> {
        let (campaign, after) = (campaign.to_string(), after.unwrap_or("").to_string());
        let items = self
            .db()
            .read(move |conn| {
                let sql = format!("{SELECT} WHERE campaign = ?1 AND record_id > ?2 ORDER BY record_id LIMIT ?3");
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![campaign, after, limit.max(1)], record)?;
                collect(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        let next = next_after(&items, limit, |r| r.record_id.clone());
        Ok(Page { items, next })
    }

    async fn erase_entry_limits(&self, campaign: &str, _after: Option<&str>, limit: u32) -> Result<Page<()>> {
        let campaign = campaign.to_string();
        let n = self
            .db()
            .write(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "DELETE FROM entry_counts WHERE (campaign, identity, period) IN
                         (SELECT campaign, identity, period FROM entry_counts WHERE campaign = ?1 LIMIT ?2)",
                    )?
                    .execute(params![campaign, limit.max(1)])?)
            })
            .await?;
        // Deleted rows leave the table: the next page starts at the front again.
        let next = (n as u64 >= u64::from(limit.max(1))).then(String::new);
        Ok(Page { items: vec![(); n], next })
    }

    async fn anonymise_campaign_conversions(
        &self,
        campaign: &str,
        after: Option<&str>,
        limit: u32,
        anon_id: &str,
    ) -> Result<Page<()>> {
        self.anonymise_conversions_page(campaign, after, limit, anon_id).await
    }

    async fn redact_campaign_credit_notes(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        self.redact_credit_notes_page(campaign, after, limit).await
    }

    async fn erase_campaign_pending_events(
        &self,
        campaign: &str,
        _after: Option<&str>,
        limit: u32,
    ) -> Result<Page<()>> {
        self.erase_pending_events_page(campaign, limit).await
    }

    async fn redact_campaign_audit(&self, campaign: &str, after: Option<&str>, limit: u32) -> Result<Page<()>> {
        self.redact_audit_page(campaign, after, limit).await
    }
}
