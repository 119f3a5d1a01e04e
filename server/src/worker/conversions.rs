//! Crediting a conversion: find the referrer, apply the fraud rules, write one credit per side
//! (the ledger ignores a second write of the same credit) with its webhooks in one transaction.
//! The merchant's report of an order replaces the credits of a browser's report that still wait
//! for review: both share the order's conversion id, so the ledger holds one credit per side.

use std::sync::Arc;

use async_trait::async_trait;
use vouch_core::referral::is_disposable_domain;
use vouch_core::rewards::{assess, initial_state, ConversionFacts, CreditState, Side};

use super::Handler;
use crate::backends::privacy::{anonymous_email, is_anonymous, Privacy};
use crate::backends::referrals::{credit_id, ConversionMessage, Credit, Referrals};
use crate::backends::{BackendError, Mailer, Queue};
use crate::campaigns::Campaigns;
use crate::clock::now_ms;
use crate::codes::fulfil::Fulfil;
use crate::referrals::webhooks::Event;

const DAY_MS: i64 = 86_400_000;

pub struct ConversionHandler {
    pub referrals: Arc<dyn Referrals>,
    pub webhooks: Arc<dyn Queue>,
    pub campaigns: Campaigns,
    /// Codes for approved credits (`referrer` pool, and `friend` when handed out at conversion).
    pub fulfil: Fulfil,
    pub mailer: Arc<dyn Mailer>,
    /// Where conversions and approved credits are counted.
    pub funnel: crate::funnel::Funnel,
    /// Whether the friend was erased after the conversion was reported.
    pub privacy: Arc<dyn Privacy>,
}

#[async_trait]
impl Handler for ConversionHandler {
    async fn handle(&self, body: &str) -> Result<(), BackendError> {
        let msg: ConversionMessage = serde_json::from_str(body)
            .map_err(|e| BackendError::Corrupt(format!("unreadable conversion message: {e}")))?;
        let msg = self.unless_erased(msg).await?;
        let Some(campaign) = self.campaigns.get(&msg.campaign) else {
            tracing::warn!(campaign = %msg.campaign, "conversion for a campaign that no longer exists; dropped");
            return Ok(());
        };
        let Some(cfg) = campaign.referral.clone() else {
            return Ok(());
        };
        let in_campaign = self.referrals.referrer_by_code(Some(&msg.campaign), &msg.code).await?;
        let referrer = match in_campaign.clone() {
            Some(r) => r,
            None => match self.referrals.referrer_by_code(None, &msg.code).await? {
                Some(r) => r,
                None => {
                    // Nothing to credit, so nothing varies between deliveries: sent again on a
                    // redelivery, receivers drop the duplicate by its event id.
                    if cfg.webhook_url.is_some() {
                        self.webhooks.send(Event::conversion_recorded(&msg, false, &[]).to_json()).await?;
                    }
                    return Ok(());
                }
            },
        };
        let credited = self.referrals.credits_for_conversion(&msg.conversion_id).await?;
        // Owed: the first crediting, or the merchant's report taking over from a browser's
        // report that is still waiting for review. A redelivery owes nothing: its credits and
        // their events were committed together the first time.
        let supersedes =
            msg.from_merchant && credited.iter().any(|c| c.from_browser && c.state == CreditState::Pending);
        if !credited.is_empty() && !supersedes {
            // A crash may have come between the credits and their codes (or their count): finish those.
            self.funnel.credited(&credited).await;
            return self.hand_out(&campaign, &credited).await;
        }
        let (on_code, from_client) = self
            .referrals
            .recent_conversions(&msg.campaign, &msg.code, &msg.client, msg.accepted_at_ms - DAY_MS, &msg.conversion_id)
            .await?;
        let device_owner = match &msg.device_token_hash {
            Some(hash) => self.referrals.referrer_by_token(hash).await?,
            None => None,
        };
        let facts = ConversionFacts {
            referrer_identity: referrer.identity.clone(),
            friend_identity: msg.identity.clone(),
            friend_domain_disposable: is_disposable_domain(&msg.domain),
            friend_device_is_referrers: device_owner.is_some_and(|o| o.referrer_id == referrer.referrer_id),
            code_in_campaign: in_campaign.is_some(),
            recent_on_code: on_code,
            recent_from_client: from_client,
            referrer_join_flagged: referrer.join_flagged,
            from_merchant: msg.from_merchant,
            browser_trusted: cfg.trust_browser_conversions,
        };
        let flags = assess(&facts, &cfg.velocity);
        let (state, reason) = initial_state(&flags);
        let credits: Vec<Credit> = Side::BOTH
            .into_iter()
            .map(|side| Credit {
                credit_id: credit_id(&msg.conversion_id, side),
                conversion_id: msg.conversion_id.clone(),
                side,
                campaign: msg.campaign.clone(),
                referrer_id: referrer.referrer_id.clone(),
                recipient: if side == Side::Referrer { referrer.email.clone() } else { msg.email.clone() },
                reward: if side == Side::Referrer { cfg.referrer_reward.clone() } else { cfg.friend_offer.clone() },
                state,
                reason: reason.clone(),
                created_at_ms: now_ms(),
                from_browser: !msg.from_merchant,
            })
            .collect();
        let mut events = Vec::new();
        if cfg.webhook_url.is_some() {
            let flag_codes: Vec<&str> = flags.iter().map(|f| f.code()).collect();
            events.push(Event::conversion_recorded(&msg, true, &flag_codes).outbox());
            events.extend(
                credits.iter().filter(|c| c.state == CreditState::Approved).map(|c| Event::reward_approved(c).outbox()),
            );
        }
        self.referrals.record_credits(&credits, &events).await?;
        // An erase that read the ledger before these credits were written has left its tombstone
        // first, so it is seen here: the friend's credit is anonymised as the erase would have.
        let mut credits = credits;
        if !is_anonymous(&msg.email) && self.friend_erased(&msg).await? {
            let theirs: Vec<Credit> = credits.iter().filter(|c| c.side == Side::Friend).cloned().collect();
            self.privacy.anonymise_credits(&theirs, &anon_id(&msg)).await?;
            let anon = anonymous_email(&anon_id(&msg));
            credits.iter_mut().filter(|c| c.side == Side::Friend).for_each(|c| c.recipient = anon.clone());
        }
        self.funnel.credited(&credits).await;
        self.hand_out(&campaign, &credits).await
    }
}

/// The anonymous id an erased friend's conversion is credited to: derived from the conversion, so
/// a redelivery writes the same credit.
fn anon_id(msg: &ConversionMessage) -> String {
    format!("anon_{}", msg.conversion_id.trim_start_matches("cnv_"))
}

impl ConversionHandler {
    async fn friend_erased(&self, msg: &ConversionMessage) -> Result<bool, BackendError> {
        self.privacy.erased_since(&msg.email, &msg.campaign, msg.accepted_at_ms).await
    }

    /// The message, with the friend replaced by an anonymous id when they were erased after the
    /// report: the referrer's credit stands, nothing of the friend is written again.
    async fn unless_erased(&self, msg: ConversionMessage) -> Result<ConversionMessage, BackendError> {
        if !self.friend_erased(&msg).await? {
            return Ok(msg);
        }
        let anon = anonymous_email(&anon_id(&msg));
        Ok(ConversionMessage { email: anon.clone(), identity: anon, ..msg })
    }

    async fn hand_out(&self, campaign: &crate::campaigns::Campaign, credits: &[Credit]) -> Result<(), BackendError> {
        // An erased person's code is not mailed: there is no address left to send it to.
        for credit in credits.iter().filter(|c| !is_anonymous(&c.recipient)) {
            crate::codes::credits::fulfil_credit(&self.fulfil, self.mailer.as_ref(), &self.webhooks, campaign, credit)
                .await?;
        }
        Ok(())
    }
}
