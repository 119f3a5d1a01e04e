//! A shopper's data in SQLite, found and erased kind by kind. Rows are matched by the shopper's
//! normalised identity in Rust (the rule is core's, not SQL's): a full read of the table, which an
//! erase or export request, rare and operator-driven, can afford.

use async_trait::async_trait;
use rusqlite::{params, Connection};

use super::db::DbError;
use super::referrals::{referrer_from_row, REFERRER_COLUMNS};
use super::store::{query_entries, SELECT_ENTRY};
use super::SqliteBackend;
use crate::backends::privacy::{anonymous_email, Erasure, HeldReferrer, Privacy, QueuedMessage, QuotaRow, Shopper};
use crate::backends::referrals::{Credit, Referrer};
use crate::backends::{Result, StoredEntry};

/// No erasure of the entry's person (tag `?17`) in its campaign (`?2`) or in all (`*`) at or
/// after its acceptance (`?14`): the record's own statement checks it, so an erase and an
/// in-flight message cannot interleave.
pub(super) const NOT_ERASED: &str =
    "NOT EXISTS (SELECT 1 FROM erasures WHERE tag = ?17 AND campaign IN (?2, '*') AND at_ms >= ?14)";

/// Whether the erasure log holds an erasure of `tag` in `campaign` (or in all) at or after
/// `at_ms`. Run inside the caller's write transaction, so the check and its write are one step.
pub(super) fn erased_since(conn: &Connection, tag: Option<&str>, campaign: &str, at_ms: i64) -> rusqlite::Result<bool> {
    let Some(tag) = tag else { return Ok(false) };
    conn.prepare_cached("SELECT 1 FROM erasures WHERE tag = ?1 AND campaign IN (?2, '*') AND at_ms >= ?3")?
        .exists(params![tag, campaign, at_ms])
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn delete_by_entry(conn: &Connection, entries: &[(String, String)]) -> std::result::Result<(), DbError> {
    for (campaign, entry_id) in entries {
        conn.prepare_cached("DELETE FROM receipt_exact WHERE campaign = ?1 AND entry_id = ?2")?
            .execute(params![campaign, entry_id])?;
        conn.prepare_cached("DELETE FROM receipt_bands WHERE campaign = ?1 AND entry_id = ?2")?
            .execute(params![campaign, entry_id])?;
    }
    Ok(())
}

#[async_trait]
impl Privacy for SqliteBackend {
    async fn entries_of(&self, who: &Shopper) -> Result<Vec<StoredEntry>> {
        let who = who.clone();
        let sql = format!("{SELECT_ENTRY} ORDER BY accepted_ms, entry_id");
        let all = self.db().read(move |conn| query_entries(conn, &sql, [])).await?;
        Ok(all.into_iter().filter(|e| who.holds(&e.campaign, &e.entrant.email)).collect())
    }

    async fn anonymise_entries(&self, entries: &[StoredEntry], anon_id: &str) -> Result<u64> {
        let ids: Vec<(String, String)> = entries.iter().map(|e| (e.campaign.clone(), e.entry_id.clone())).collect();
        let anon = anonymous_email(anon_id);
        let n = self
            .db()
            .write(move |conn| {
                let n = anonymise_entry_rows(conn, &ids, &anon)?;
                delete_by_entry(conn, &ids)?;
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    async fn claimed_uploads(&self, entries: &[StoredEntry]) -> Result<Vec<String>> {
        let ids: Vec<String> = entries.iter().map(|e| e.entry_id.clone()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = self
            .db()
            .read(move |conn| {
                let sql = format!(
                    "SELECT receipt_key FROM submissions WHERE receipt_key IS NOT NULL AND entry_id IN ({})",
                    placeholders(ids.len())
                );
                let mut stmt = conn.prepare(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(ids.iter()), |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(keys)
    }

    async fn referrers_of(&self, who: &Shopper) -> Result<Vec<HeldReferrer>> {
        let who = who.clone();
        let found = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare(&format!(
                    "SELECT {REFERRER_COLUMNS}, marketing_consent FROM referrers ORDER BY created_ms, referrer_id"
                ))?;
                let rows = stmt.query_map([], |r| {
                    Ok(HeldReferrer { referrer: referrer_from_row(r)?, marketing_consent: r.get(8)? })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(found
            .into_iter()
            .filter(|h| {
                who.in_scope(&h.referrer.campaign)
                    && (h.referrer.identity == who.identity || who.holds(&h.referrer.campaign, &h.referrer.email))
            })
            .collect())
    }

    async fn anonymise_referrers(&self, referrers: &[Referrer], anon_id: &str) -> Result<u64> {
        let ids: Vec<String> = referrers.iter().map(|r| r.referrer_id.clone()).collect();
        let (anon, anon_id) = (anonymous_email(anon_id), anon_id.to_string());
        let n = self
            .db()
            .write(move |conn| {
                let mut n = 0;
                for id in &ids {
                    // The identity stays unique per campaign: one anonymous id per referrer.
                    n += conn
                        .prepare_cached(
                            "UPDATE referrers SET email = ?2, identity = ?3 || '#' || referrer_id, first_name = '',
                                marketing_consent = 0, join_client = ?3 WHERE referrer_id = ?1",
                        )?
                        .execute(params![id, anon, anon_id])? as u64;
                    conn.prepare_cached("DELETE FROM referrer_tokens WHERE referrer_id = ?1")?.execute(params![id])?;
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    async fn credits_of(&self, who: &Shopper, referrer_ids: &[String]) -> Result<Vec<Credit>> {
        let mut all = Vec::new();
        for campaign in self.credit_campaigns(who).await? {
            all.extend(crate::backends::referrals::Referrals::list_credits(self, &campaign).await?);
        }
        Ok(all
            .into_iter()
            .filter(|c| {
                who.in_scope(&c.campaign)
                    && ((c.side == vouch_core::rewards::Side::Referrer && referrer_ids.contains(&c.referrer_id))
                        || who.holds(&c.campaign, &c.recipient))
            })
            .collect())
    }

    async fn anonymise_credits(&self, credits: &[Credit], anon_id: &str) -> Result<u64> {
        let ids: Vec<String> = credits.iter().map(|c| c.credit_id.clone()).collect();
        let anon = anonymous_email(anon_id);
        let n = self
            .db()
            .write(move |conn| {
                let mut n = 0;
                for id in &ids {
                    n += conn
                        .prepare_cached("UPDATE credits SET recipient = ?2 WHERE credit_id = ?1")?
                        .execute(params![id, anon])? as u64;
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    async fn quota_of(&self, who: &Shopper) -> Result<Vec<QuotaRow>> {
        let identity = who.identity.clone();
        let rows = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT campaign, period, n FROM entry_counts WHERE identity = ?1 ORDER BY campaign, period",
                )?;
                let rows = stmt.query_map(params![identity], |r| {
                    Ok(QuotaRow { campaign: r.get(0)?, period: r.get(1)?, count: r.get::<_, i64>(2)?.max(0) as u64 })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(rows.into_iter().filter(|q| who.in_scope(&q.campaign)).collect())
    }

    async fn erase_quota(&self, who: &Shopper) -> Result<u64> {
        let who = who.clone();
        let n = self
            .db()
            .write(move |conn| {
                Ok(conn
                    .prepare_cached("DELETE FROM entry_counts WHERE identity = ?1 AND (?2 IS NULL OR campaign = ?2)")?
                    .execute(params![who.identity, who.campaign])? as u64)
            })
            .await?;
        Ok(n)
    }

    async fn queued_of(&self, who: &Shopper) -> Result<Vec<QueuedMessage>> {
        let who = who.clone();
        let rows = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare("SELECT id, topic, dead, body FROM queue ORDER BY id")?;
                let rows = stmt.query_map([], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?, r.get::<_, String>(3)?))
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, topic, dead, body)| {
                let body: serde_json::Value = serde_json::from_str(&body).ok()?;
                who.named_in(&body).then(|| QueuedMessage { id: id.to_string(), topic, dead, body })
            })
            .collect())
    }

    async fn erase_queued(&self, messages: &[QueuedMessage]) -> Result<u64> {
        let ids: Vec<i64> = messages.iter().filter_map(|m| m.id.parse().ok()).collect();
        let n = self
            .db()
            .write(move |conn| {
                let mut n = 0;
                for id in &ids {
                    n += conn.prepare_cached("DELETE FROM queue WHERE id = ?1")?.execute(params![id])? as u64;
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    async fn record_erasure(&self, e: &Erasure) -> Result<bool> {
        let e = e.clone();
        let repeat = self
            .db()
            .write(move |conn| {
                let before = conn
                    .prepare_cached("SELECT 1 FROM erasures WHERE tag = ?1 AND id <> ?2")?
                    .exists(params![e.tag, e.id])?;
                conn.prepare_cached(
                    "INSERT INTO erasures (id, tag, campaign, actor, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![e.id, e.tag, e.campaign, e.actor, e.at_ms])?;
                Ok(before)
            })
            .await?;
        Ok(repeat)
    }

    async fn erasures(&self, tag: &str) -> Result<Vec<Erasure>> {
        let tag = tag.to_string();
        let found = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, tag, campaign, actor, at_ms FROM erasures WHERE tag = ?1 ORDER BY at_ms, id",
                )?;
                let rows = stmt.query_map(params![tag], |r| {
                    Ok(Erasure {
                        id: r.get(0)?,
                        tag: r.get(1)?,
                        campaign: r.get(2)?,
                        actor: r.get(3)?,
                        at_ms: r.get(4)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(found)
    }
}

impl SqliteBackend {
    /// The campaigns whose credits may be the shopper's.
    async fn credit_campaigns(&self, who: &Shopper) -> Result<Vec<String>> {
        if let Some(c) = &who.campaign {
            return Ok(vec![c.clone()]);
        }
        let campaigns = self
            .db()
            .read(|conn| {
                let mut stmt = conn.prepare("SELECT DISTINCT campaign FROM credits")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(campaigns)
    }
}

/// Empties the personal fields of these (campaign, entry id) rows and puts `anon` in place of the
/// address; ids, times, verdicts and the receipt's review stay. Shared by an erase and by the
/// retention sweep. The number of rows changed.
pub(super) fn anonymise_entry_rows(conn: &Connection, ids: &[(String, String)], anon: &str) -> rusqlite::Result<u64> {
    let mut n = 0;
    for (campaign, entry_id) in ids {
        n += conn
            .prepare_cached(
                "UPDATE entries SET first_name = '', last_name = '', email = ?3, phone = NULL,
                    postal_code = NULL, marketing_consent = 0, referral_code = NULL, receipt_key = NULL
                 WHERE campaign = ?1 AND entry_id = ?2",
            )?
            .execute(params![campaign, entry_id, anon])? as u64;
    }
    Ok(n)
}
