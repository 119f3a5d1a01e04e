//! The referral program in SQLite.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};
use vouch_core::rewards::CreditState;

use super::queue::enqueue;
use super::{ledger, SqliteBackend};
use crate::backends::referrals::{
    Announce, ConversionIntake, Credit, Joined, NewConversion, NewReferrer, OutboxEvent, ProgressCounts, Referrals,
    Referrer,
};
use crate::backends::review::AuditRecord;
use crate::backends::{Result, WEBHOOKS_TOPIC};
use crate::clock::now_ms;

/// A referrer row, in `referrer_from_row`'s order (also read by `privacy.rs` and `retention.rs`).
pub(super) const REFERRER_COLUMNS: &str =
    "referrer_id, campaign, code, email, identity, first_name, join_flagged, created_ms";
const HOUR_MS: i64 = 3_600_000;

pub(super) fn referrer_from_row(r: &Row<'_>) -> rusqlite::Result<Referrer> {
    Ok(Referrer {
        referrer_id: r.get(0)?,
        campaign: r.get(1)?,
        code: r.get(2)?,
        email: r.get(3)?,
        identity: r.get(4)?,
        first_name: r.get(5)?,
        join_flagged: r.get(6)?,
        created_at_ms: r.get(7)?,
    })
}

fn referrer_where(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> rusqlite::Result<Option<Referrer>> {
    let sql = format!("SELECT {REFERRER_COLUMNS} FROM referrers WHERE {filter}");
    conn.prepare_cached(&sql)?.query_row(args, referrer_from_row).optional()
}

fn count(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> rusqlite::Result<u64> {
    conn.prepare_cached(sql)?.query_row(args, |r| r.get::<_, i64>(0)).map(|n| n.max(0) as u64)
}

#[async_trait]
impl Referrals for SqliteBackend {
    async fn join(&self, new: NewReferrer) -> Result<Joined> {
        let tag = self.erasure.as_ref().map(|k| k.tag_of_email(&new.referrer.email));
        let joined = self
            .db()
            .write(move |conn| {
                let r = &new.referrer;
                if let Some(existing) =
                    referrer_where(conn, "campaign = ?1 AND identity = ?2", params![r.campaign, r.identity])?
                {
                    return Ok(Joined::Existing(existing));
                }
                if referrer_where(conn, "campaign = ?1 AND code = ?2", params![r.campaign, r.code])?.is_some() {
                    return Ok(Joined::CodeTaken);
                }
                // In the join's own write transaction: an erase cannot slip in between.
                if super::privacy::erased_since(conn, tag.as_deref(), &r.campaign, r.created_at_ms)? {
                    return Ok(Joined::Erased);
                }
                let recent = count(
                    conn,
                    "SELECT count(*) FROM referrers WHERE campaign = ?1 AND join_client = ?2 AND created_ms > ?3",
                    params![r.campaign, new.client, r.created_at_ms - HOUR_MS],
                )?;
                let referrer =
                    Referrer { join_flagged: recent >= u64::from(new.joins_per_client_per_hour), ..r.clone() };
                conn.prepare_cached(
                    "INSERT INTO referrers (referrer_id, campaign, code, identity, email, first_name, marketing_consent,
                        join_client, join_flagged, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    referrer.referrer_id,
                    referrer.campaign,
                    referrer.code,
                    referrer.identity,
                    referrer.email,
                    referrer.first_name,
                    new.marketing_consent,
                    new.client,
                    referrer.join_flagged,
                    referrer.created_at_ms
                ])?;
                conn.prepare_cached(
                    "INSERT INTO referrer_tokens (token_hash, referrer_id, created_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![new.token_hash, referrer.referrer_id, referrer.created_at_ms])?;
                if let Some(webhook) = &new.webhook {
                    enqueue(conn, WEBHOOKS_TOPIC, webhook)?;
                }
                Ok(Joined::Created(referrer))
            })
            .await?;
        Ok(joined)
    }

    async fn referrer_by_code(&self, campaign: Option<&str>, code: &str) -> Result<Option<Referrer>> {
        let (campaign, code) = (campaign.map(str::to_string), code.to_string());
        let found = self
            .db()
            .read(move |conn| {
                Ok(match campaign {
                    Some(c) => referrer_where(conn, "campaign = ?1 AND code = ?2", params![c, code])?,
                    None => referrer_where(conn, "code = ?1 ORDER BY created_ms LIMIT 1", params![code])?,
                })
            })
            .await?;
        Ok(found)
    }

    async fn referrer_by_token(&self, token_hash: &str) -> Result<Option<Referrer>> {
        let hash = token_hash.to_string();
        let filter = "referrer_id = (SELECT referrer_id FROM referrer_tokens WHERE token_hash = ?1)";
        Ok(self.db().read(move |conn| Ok(referrer_where(conn, filter, params![hash])?)).await?)
    }

    async fn record_visit(&self, referrer_id: &str, visitor_hash: &str) -> Result<()> {
        let (id, visitor) = (referrer_id.to_string(), visitor_hash.to_string());
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO referral_visits (referrer_id, visitor_hash, created_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![id, visitor, now_ms()])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn count_referrers(&self, campaign: &str) -> Result<u64> {
        let campaign = campaign.to_string();
        // `referrers_by_client` leads with the campaign: an index range, not a table scan.
        let n = self
            .db()
            .read(move |conn| Ok(count(conn, "SELECT count(*) FROM referrers WHERE campaign = ?1", params![campaign])?))
            .await?;
        Ok(n)
    }

    async fn progress(&self, referrer_id: &str) -> Result<ProgressCounts> {
        let id = referrer_id.to_string();
        let counts = self
            .db()
            .read(move |conn| {
                let state_count = |state: &str| {
                    count(
                        conn,
                        "SELECT count(*) FROM credits WHERE referrer_id = ?1 AND side = 'referrer' AND state = ?2",
                        params![id, state],
                    )
                };
                Ok(ProgressCounts {
                    friends_joined: count(
                        conn,
                        "SELECT count(*) FROM referral_visits WHERE referrer_id = ?1",
                        params![id],
                    )?,
                    conversions: count(
                        conn,
                        "SELECT count(*) FROM credits WHERE referrer_id = ?1 AND side = 'referrer'",
                        params![id],
                    )?,
                    rewards_pending: state_count("pending")?,
                    rewards_earned: state_count("approved")?,
                })
            })
            .await?;
        Ok(counts)
    }

    async fn accept_conversion(&self, c: NewConversion) -> Result<ConversionIntake> {
        Ok(self.db().write(move |conn| ledger::accept_conversion(conn, c)).await?)
    }

    async fn recent_conversions(
        &self,
        campaign: &str,
        code: &str,
        client: &str,
        since_ms: i64,
        except: &str,
    ) -> Result<(u32, u32)> {
        let (campaign, code, client, except) =
            (campaign.to_string(), code.to_string(), client.to_string(), except.to_string());
        let counts = self
            .db()
            .read(move |conn| Ok(ledger::recent_conversions(conn, (&campaign, &code, &client), since_ms, &except)?))
            .await?;
        Ok(counts)
    }

    async fn record_credits(&self, credits: &[Credit], events: &[OutboxEvent]) -> Result<()> {
        let (credits, events) = (credits.to_vec(), events.to_vec());
        Ok(self.db().write(move |conn| ledger::record_credits(conn, &credits, &events)).await?)
    }

    async fn credits_for_conversion(&self, conversion_id: &str) -> Result<Vec<Credit>> {
        let id = conversion_id.to_string();
        Ok(self.db().read(move |conn| ledger::query_credits(conn, "conversion_id", &id)).await?)
    }

    async fn list_credits(&self, campaign: &str) -> Result<Vec<Credit>> {
        let campaign = campaign.to_string();
        Ok(self.db().read(move |conn| ledger::query_credits(conn, "campaign", &campaign)).await?)
    }

    async fn decide_credit(
        &self,
        credit_id: &str,
        next: CreditState,
        actor: &str,
        reason: Option<&str>,
        announce: Announce<'_>,
    ) -> Result<Option<Credit>> {
        self.decide(credit_id, (next, actor, reason), announce, None).await
    }

    async fn decide_credit_audited(
        &self,
        credit_id: &str,
        next: CreditState,
        reason: Option<&str>,
        announce: Announce<'_>,
        audit: &AuditRecord,
    ) -> Result<Option<Credit>> {
        self.decide(credit_id, (next, &audit.actor, reason), announce, Some(audit.clone())).await
    }

    async fn add_merchant_secret(&self, campaign: &str, secret_hash: &str) -> Result<()> {
        let (campaign, hash) = (campaign.to_string(), secret_hash.to_string());
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO merchant_secrets (campaign, secret_hash, created_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![campaign, hash, now_ms()])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn merchant_secret_known(&self, campaign: &str, secret_hash: &str) -> Result<bool> {
        let (campaign, hash) = (campaign.to_string(), secret_hash.to_string());
        let known = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT 1 FROM merchant_secrets WHERE campaign = ?1 AND secret_hash = ?2")?
                    .exists(params![campaign, hash])?)
            })
            .await?;
        Ok(known)
    }

    async fn set_webhook_secret(&self, campaign: &str, secret: &str) -> Result<()> {
        let (campaign, secret) = (campaign.to_string(), secret.to_string());
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO webhook_secrets (campaign, secret, created_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (campaign) DO UPDATE SET secret = excluded.secret, created_ms = excluded.created_ms",
                )?
                .execute(params![campaign, secret, now_ms()])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn webhook_secret(&self, campaign: &str) -> Result<Option<String>> {
        let campaign = campaign.to_string();
        let secret = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT secret FROM webhook_secrets WHERE campaign = ?1")?
                    .query_row(params![campaign], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        Ok(secret)
    }
}

impl SqliteBackend {
    async fn decide(
        &self,
        credit_id: &str,
        (next, actor, reason): (CreditState, &str, Option<&str>),
        announce: Announce<'_>,
        audit: Option<AuditRecord>,
    ) -> Result<Option<Credit>> {
        let id = credit_id.to_string();
        let found = self.db().read(move |conn| ledger::query_credits(conn, "credit_id", &id)).await?;
        // The event describes the credit, not its state, so it can be built before the move.
        let event = found.first().and_then(|c| announce(&Credit { state: next, ..c.clone() }));
        let (id, actor, reason) = (credit_id.to_string(), actor.to_string(), reason.map(str::to_string));
        let decided = self
            .db()
            .write(move |conn| {
                let decided = ledger::decide_credit(conn, &id, (next, &actor, reason.as_deref()), event.as_ref())?;
                if let (Some(_), Some(audit)) = (&decided, &audit) {
                    super::review::append(conn, audit)?;
                }
                Ok(decided)
            })
            .await?;
        Ok(decided)
    }
}
