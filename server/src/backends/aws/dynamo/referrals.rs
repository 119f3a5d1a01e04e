//! The referral program in DynamoDB (its conversions and ledger are in `ledger.rs`). Claims
//! (`identity#…`, `code#…`, `token#…`) are conditional puts inside transactions, so a race or a
//! redelivery writes nothing twice; progress counters live on the referrer item.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue as AV, TransactWriteItem, Update};
use vouch_core::rewards::CreditState;

use super::ledger::referrer_pk;
use super::{at, flag, item, n, number, opt_text, s, text, DynamoStore, Item};
use crate::backends::aws::{corrupt, unavailable};
use crate::backends::referrals::{
    Announce, ConversionIntake, Credit, Joined, NewConversion, NewReferrer, OutboxEvent, ProgressCounts, Referrals,
    Referrer,
};
use crate::backends::Result;
use crate::clock::now_ms;

const HOUR_MS: i64 = 3_600_000;

fn referrer_from(i: &Item) -> Result<Referrer> {
    Ok(Referrer {
        referrer_id: text(i, "referrer_id")?,
        campaign: text(i, "campaign")?,
        code: text(i, "code")?,
        email: text(i, "email")?,
        identity: text(i, "identity")?,
        first_name: text(i, "first_name")?,
        join_flagged: flag(i, "join_flagged"),
        created_at_ms: number(i, "created_ms"),
    })
}

impl DynamoStore {
    async fn referrer_at(&self, pk: &str) -> Result<Option<Referrer>> {
        self.get(pk).await?.map(|i| referrer_from(&i)).transpose()
    }

    /// Follows a claim item (`identity#…`, `code#…`, `token#…`) to its referrer.
    async fn referrer_by_claim(&self, claim: &str) -> Result<Option<Referrer>> {
        match self.get(claim).await? {
            Some(c) => self.referrer_at(&referrer_pk(&text(&c, "referrer_id")?)).await,
            None => Ok(None),
        }
    }

    pub(super) fn log_item(&self, credit_id: &str, state: CreditState, reason: Option<&str>, actor: &str) -> Item {
        let now = now_ms();
        item(vec![
            ("pk", Some(s(&format!("creditlog#{credit_id}#{}#{}", at(now), state.as_str())))),
            ("credit_id", Some(s(credit_id))),
            ("state", Some(s(state.as_str()))),
            ("reason", reason.map(s)),
            ("actor", Some(s(actor))),
            ("created_ms", Some(n(now))),
        ])
    }
}

#[async_trait]
impl Referrals for DynamoStore {
    async fn join(&self, new: NewReferrer) -> Result<Joined> {
        let r = &new.referrer;
        let claim = |pk: String| item(vec![("pk", Some(s(&pk))), ("referrer_id", Some(s(&r.referrer_id)))]);
        let identity_claim = format!("identity#{}#{}", r.campaign, r.identity);
        if let Some(existing) = self.referrer_by_claim(&identity_claim).await? {
            return Ok(Joined::Existing(existing));
        }
        let joins = format!("joins#{}#{}", r.campaign, new.client);
        let recent =
            self.count_after("gsi2", &joins, &at(r.created_at_ms - HOUR_MS), ("referrer_id", &r.referrer_id)).await?;
        let referrer = Referrer { join_flagged: recent >= new.joins_per_client_per_hour, ..r.clone() };
        let record = item(vec![
            ("pk", Some(s(&referrer_pk(&referrer.referrer_id)))),
            ("referrer_id", Some(s(&referrer.referrer_id))),
            ("campaign", Some(s(&referrer.campaign))),
            ("code", Some(s(&referrer.code))),
            ("email", Some(s(&referrer.email))),
            ("identity", Some(s(&referrer.identity))),
            ("first_name", Some(s(&referrer.first_name))),
            ("marketing_consent", Some(AV::Bool(new.marketing_consent))),
            ("join_flagged", Some(AV::Bool(referrer.join_flagged))),
            ("created_ms", Some(n(referrer.created_at_ms))),
            ("gsi1pk", Some(s(&format!("refcode#{}", referrer.code)))),
            ("gsi1sk", Some(s(&referrer.campaign))),
            ("gsi2pk", Some(s(&joins))),
            ("gsi2sk", Some(s(&format!("{}#{}", at(referrer.created_at_ms), referrer.referrer_id)))),
        ]);
        let mut writes = vec![
            self.put_item(claim(identity_claim.clone()), true)?,
            self.put_item(claim(format!("code#{}#{}", referrer.campaign, referrer.code)), true)?,
            self.put_item(record, true)?,
            self.put_item(claim(format!("token#{}", new.token_hash)), true)?,
        ];
        if let Some(body) = &new.webhook {
            writes.push(self.join_event(&referrer, body)?);
        }
        // Counted in the join's own transaction: a join that fails counts nothing.
        writes.push(referrer_count_add(self, &referrer.campaign, &referrer.referrer_id)?);
        // Last: refused when the mailbox was erased at or after the join began.
        let checks_at = writes.len();
        writes.extend(self.not_erased_since(&referrer.email, &referrer.campaign, referrer.created_at_ms)?);
        match self.transact(writes).await? {
            None => {
                if let Some(body) = new.webhook {
                    self.hand_over_join_event(&referrer.referrer_id, body).await;
                }
                Ok(Joined::Created(referrer))
            }
            Some(failed) if failed.iter().skip(checks_at).any(|f| *f) => Ok(Joined::Erased),
            Some(failed) if failed.first() == Some(&true) => match self.referrer_by_claim(&identity_claim).await? {
                Some(existing) => Ok(Joined::Existing(existing)),
                None => Ok(Joined::CodeTaken),
            },
            Some(_) => Ok(Joined::CodeTaken),
        }
    }

    async fn count_referrers(&self, campaign: &str) -> Result<u64> {
        let mut total = 0u64;
        for shard in 0..REFERRER_COUNT_SHARDS {
            let out = self
                .ddb
                .get_item()
                .table_name(&self.table)
                .key("pk", s(&referrer_count_pk(campaign, shard)))
                .send()
                .await
                .map_err(|e| unavailable("counting referrers", e))?;
            if let Some(AV::N(n)) = out.item.as_ref().and_then(|i| i.get("joined")) {
                total += n.parse::<i64>().unwrap_or(0).max(0) as u64;
            }
        }
        Ok(total)
    }

    async fn relay_stranded_events(&self, older_than: std::time::Duration) -> Result<usize> {
        self.relay_events(older_than).await
    }

    async fn referrer_by_code(&self, campaign: Option<&str>, code: &str) -> Result<Option<Referrer>> {
        match campaign {
            Some(c) => self.referrer_by_claim(&format!("code#{c}#{code}")).await,
            None => self.query("gsi1", &format!("refcode#{code}"), None).await?.first().map(referrer_from).transpose(),
        }
    }

    async fn referrer_by_token(&self, token_hash: &str) -> Result<Option<Referrer>> {
        self.referrer_by_claim(&format!("token#{token_hash}")).await
    }

    async fn record_visit(&self, referrer_id: &str, visitor_hash: &str) -> Result<()> {
        let visit = item(vec![
            ("pk", Some(s(&format!("visit#{referrer_id}#{visitor_hash}")))),
            ("created_ms", Some(n(now_ms()))),
        ]);
        let count = self.update_item(
            &referrer_pk(referrer_id),
            "ADD visits :one",
            &[(":one", n(1))],
            Some("attribute_exists(pk)"),
        )?;
        // A second visit from the same device fails the first condition: nothing changes.
        self.transact(vec![self.put_item(visit, true)?, count]).await.map(|_| ())
    }

    async fn progress(&self, referrer_id: &str) -> Result<ProgressCounts> {
        let r = self.get(&referrer_pk(referrer_id)).await?.unwrap_or_default();
        let count = |k: &str| number(&r, k).max(0) as u64;
        Ok(ProgressCounts {
            friends_joined: count("visits"),
            conversions: count("conversions"),
            rewards_pending: count("pending"),
            rewards_earned: count("earned"),
        })
    }

    async fn accept_conversion(&self, c: NewConversion) -> Result<ConversionIntake> {
        self.accept_conversion_item(c).await
    }

    async fn recent_conversions(
        &self,
        campaign: &str,
        code: &str,
        client: &str,
        since_ms: i64,
        except: &str,
    ) -> Result<(u32, u32)> {
        let skip = ("conversion_id", except);
        let on_code = self.count_after("gsi1", &format!("convcode#{code}"), &at(since_ms), skip).await?;
        let from_client =
            self.count_after("gsi2", &format!("convclient#{campaign}#{client}"), &at(since_ms), skip).await?;
        Ok((on_code, from_client))
    }

    async fn record_credits(&self, credits: &[Credit], events: &[OutboxEvent]) -> Result<()> {
        self.record_credit_items(credits, events).await
    }

    async fn credits_for_conversion(&self, conversion_id: &str) -> Result<Vec<Credit>> {
        self.credits_of(conversion_id).await
    }

    async fn list_credits(&self, campaign: &str) -> Result<Vec<Credit>> {
        self.list_credit_items(campaign).await
    }

    async fn decide_credit(
        &self,
        credit_id: &str,
        next: CreditState,
        actor: &str,
        reason: Option<&str>,
        announce: Announce<'_>,
    ) -> Result<Option<Credit>> {
        self.decide_credit_item(credit_id, (next, actor, reason), announce, None).await
    }

    async fn decide_credit_audited(
        &self,
        credit_id: &str,
        next: CreditState,
        reason: Option<&str>,
        announce: Announce<'_>,
        audit: &crate::backends::review::AuditRecord,
    ) -> Result<Option<Credit>> {
        self.decide_credit_item(credit_id, (next, &audit.actor, reason), announce, Some(audit)).await
    }

    async fn add_merchant_secret(&self, campaign: &str, secret_hash: &str) -> Result<()> {
        self.put(item(vec![
            ("pk", Some(s(&format!("msecret#{campaign}#{secret_hash}")))),
            ("created_ms", Some(n(now_ms()))),
        ]))
        .await
    }

    async fn merchant_secret_known(&self, campaign: &str, secret_hash: &str) -> Result<bool> {
        Ok(self.get(&format!("msecret#{campaign}#{secret_hash}")).await?.is_some())
    }

    async fn set_webhook_secret(&self, campaign: &str, secret: &str) -> Result<()> {
        self.put(item(vec![("pk", Some(s(&format!("wsecret#{campaign}")))), ("secret", Some(s(secret)))])).await
    }

    async fn webhook_secret(&self, campaign: &str) -> Result<Option<String>> {
        Ok(self.get(&format!("wsecret#{campaign}")).await?.and_then(|i| opt_text(&i, "secret")))
    }
}

/// Referrer counters per campaign, one of several chosen by the referrer's id, so joins at the
/// same moment seldom meet on one item (a conflict would fail the join's transaction).
const REFERRER_COUNT_SHARDS: u64 = 8;

fn referrer_count_pk(campaign: &str, shard: u64) -> String {
    format!("refcount#{campaign}#{shard}")
}

fn referrer_count_add(store: &DynamoStore, campaign: &str, referrer_id: &str) -> Result<TransactWriteItem> {
    let shard =
        referrer_id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % REFERRER_COUNT_SHARDS;
    let update = Update::builder()
        .table_name(&store.table)
        .key("pk", s(&referrer_count_pk(campaign, shard)))
        .update_expression("ADD joined :one")
        .expression_attribute_values(":one", AV::N("1".into()))
        .build()
        .map_err(corrupt)?;
    Ok(TransactWriteItem::builder().update(update).build())
}
