//! The referral program and its ledger in DynamoDB. Claims (`identity#…`, `code#…`, `credit#…`)
//! are conditional puts inside transactions, so a race or a redelivery writes nothing twice;
//! progress counters live on the referrer item and move in the same transactions as the credits.

use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue as AV;
use vouch_core::rewards::{CreditState, Side};

use super::{at, bytes, flag, item, n, number, opt_text, s, text, DynamoStore, Item};
use crate::backends::referrals::{
    credit_id, ConversionIntake, Credit, Joined, NewConversion, NewReferrer, ProgressCounts, Referrals, Referrer,
};
use crate::backends::sqlite::now_ms;
use crate::backends::{Queue, Result};

const HOUR_MS: i64 = 3_600_000;

fn referrer_pk(id: &str) -> String {
    format!("referrer#{id}")
}

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

fn credit_from(i: &Item) -> Result<Credit> {
    let bad = |what: &str| crate::backends::BackendError::Corrupt(format!("credit with bad {what}"));
    Ok(Credit {
        credit_id: text(i, "credit_id")?,
        conversion_id: text(i, "conversion_id")?,
        side: Side::parse(&text(i, "side")?).ok_or_else(|| bad("side"))?,
        campaign: text(i, "campaign")?,
        referrer_id: text(i, "referrer_id")?,
        recipient: text(i, "recipient")?,
        reward: text(i, "reward")?,
        state: CreditState::parse(&text(i, "state")?).ok_or_else(|| bad("state"))?,
        reason: opt_text(i, "reason"),
        created_at_ms: number(i, "created_ms"),
    })
}

/// The referrer counter a credit in `state` adds to.
fn counter(state: CreditState) -> Option<&'static str> {
    match state {
        CreditState::Pending => Some("pending"),
        CreditState::Approved => Some("earned"),
        CreditState::Denied => None,
    }
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

    fn log_item(&self, credit_id: &str, state: CreditState, reason: Option<&str>, actor: &str) -> Item {
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
        match self.transact(writes).await? {
            None => {
                if let Some(body) = new.webhook {
                    self.hand_over_join_event(&referrer.referrer_id, body).await;
                }
                Ok(Joined::Created(referrer))
            }
            Some(failed) if failed.first() == Some(&true) => match self.referrer_by_claim(&identity_claim).await? {
                Some(existing) => Ok(Joined::Existing(existing)),
                None => Ok(Joined::CodeTaken),
            },
            Some(_) => Ok(Joined::CodeTaken),
        }
    }

    async fn relay_stranded_events(&self, older_than: std::time::Duration) -> Result<usize> {
        self.relay_join_events(older_than).await
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
        let pk = format!("conv#{}#{}", c.campaign, c.order_id);
        let now = now_ms();
        let record = item(vec![
            ("pk", Some(s(&pk))),
            ("conversion_id", Some(s(&c.conversion_id))),
            ("body_hash", Some(AV::B(Blob::new(c.body_hash.clone())))),
            ("state", Some(s("pending"))),
            ("created_ms", Some(n(now))),
            ("gsi1pk", Some(s(&format!("convcode#{}", c.code)))),
            ("gsi1sk", Some(s(&format!("{}#{}", at(now), c.conversion_id)))),
            ("gsi2pk", Some(s(&format!("convclient#{}#{}", c.campaign, c.client)))),
            ("gsi2sk", Some(s(&format!("{}#{}", at(now), c.conversion_id)))),
        ]);
        let mut message = c.message.clone();
        let mut conversion_id = c.conversion_id.clone();
        if !self.put_new(record).await? {
            let Some(earlier) = self.get(&pk).await? else { return Ok(ConversionIntake::InFlight) };
            if bytes(&earlier, "body_hash") != c.body_hash {
                return Ok(ConversionIntake::OrderReused);
            }
            conversion_id = text(&earlier, "conversion_id")?;
            if opt_text(&earlier, "state").as_deref() == Some("queued") {
                return Ok(ConversionIntake::Replay { conversion_id });
            }
            if now - number(&earlier, "created_ms") < self.takeover_ms {
                return Ok(ConversionIntake::InFlight);
            }
            message = message.replace(&c.conversion_id, &conversion_id);
        }
        // A failed send may still have been stored: the record stays pending, so a retry takes
        // over under this conversion id instead of queuing a second conversion.
        self.conversions.send(message).await?;
        self.mark_queued(&pk).await;
        Ok(ConversionIntake::New { conversion_id })
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

    async fn record_credits(&self, credits: &[Credit]) -> Result<()> {
        let Some(first) = credits.first() else { return Ok(()) };
        let mut writes = Vec::new();
        let (mut conversions, mut pending, mut earned) = (0, 0, 0);
        for c in credits {
            writes.push(self.put_item(
                item(vec![
                    ("pk", Some(s(&format!("credit#{}", c.credit_id)))),
                    ("credit_id", Some(s(&c.credit_id))),
                    ("conversion_id", Some(s(&c.conversion_id))),
                    ("side", Some(s(c.side.as_str()))),
                    ("campaign", Some(s(&c.campaign))),
                    ("referrer_id", Some(s(&c.referrer_id))),
                    ("recipient", Some(s(&c.recipient))),
                    ("reward", Some(s(&c.reward))),
                    ("state", Some(s(c.state.as_str()))),
                    ("reason", c.reason.as_deref().map(s)),
                    ("created_ms", Some(n(c.created_at_ms))),
                    ("gsi2pk", Some(s(&format!("campaigncredits#{}", c.campaign)))),
                    ("gsi2sk", Some(s(&format!("{}#{}", at(c.created_at_ms), c.credit_id)))),
                ]),
                true,
            )?);
            writes.push(self.put_item(self.log_item(&c.credit_id, c.state, c.reason.as_deref(), "worker"), false)?);
            if c.side == Side::Referrer {
                conversions += 1;
                match counter(c.state) {
                    Some("pending") => pending += 1,
                    Some(_) => earned += 1,
                    None => {}
                }
            }
        }
        let values = [(":c", n(conversions)), (":p", n(pending)), (":e", n(earned))];
        writes.push(self.update_item(
            &referrer_pk(&first.referrer_id),
            "ADD conversions :c, pending :p, earned :e",
            &values,
            None,
        )?);
        // Cancelled by a credit that exists already: this conversion was credited before.
        self.transact(writes).await.map(|_| ())
    }

    async fn credits_for_conversion(&self, conversion_id: &str) -> Result<Vec<Credit>> {
        let mut credits = Vec::new();
        for side in Side::BOTH {
            if let Some(found) = self.get(&format!("credit#{}", credit_id(conversion_id, side))).await? {
                credits.push(credit_from(&found)?);
            }
        }
        Ok(credits)
    }

    async fn list_credits(&self, campaign: &str) -> Result<Vec<Credit>> {
        self.query("gsi2", &format!("campaigncredits#{campaign}"), None).await?.iter().map(credit_from).collect()
    }

    async fn decide_credit(
        &self,
        credit_id: &str,
        next: CreditState,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<Option<Credit>> {
        let pk = format!("credit#{credit_id}");
        let Some(found) = self.get(&pk).await? else { return Ok(None) };
        let mut credit = credit_from(&found)?;
        if !credit.state.can_become(next) {
            return Ok(None);
        }
        let mut move_credit = vec![(":next", s(next.as_str())), (":pending", s("pending"))];
        let set = match reason {
            Some(r) => {
                move_credit.push((":reason", s(r)));
                "SET #st = :next, reason = :reason"
            }
            None => "SET #st = :next REMOVE reason",
        };
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .update_expression(set)
            .condition_expression("#st = :pending")
            .expression_attribute_names("#st", "state")
            .set_expression_attribute_values(Some(move_credit.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
            .build()
            .map_err(super::super::corrupt)?;
        let mut writes = vec![
            aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build(),
            self.put_item(self.log_item(credit_id, next, reason, actor), false)?,
        ];
        if credit.side == Side::Referrer {
            let earned = i64::from(next == CreditState::Approved);
            let values = [(":p", n(-1)), (":e", n(earned))];
            writes.push(self.update_item(
                &referrer_pk(&credit.referrer_id),
                "ADD pending :p, earned :e",
                &values,
                None,
            )?);
        }
        if self.transact(writes).await?.is_some() {
            return Ok(None);
        }
        credit.state = next;
        credit.reason = reason.map(str::to_string);
        Ok(Some(credit))
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
