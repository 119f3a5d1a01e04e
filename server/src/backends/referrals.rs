//! What the referral program stores: referrers and their tokens, friend visits, conversions, the
//! rewards ledger, and the merchant's secrets. One trait, so the embedded (SQLite) and the
//! distributed (DynamoDB) stores are interchangeable.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::rewards::{CreditState, Side};

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    pub referrer_id: String,
    pub campaign: String,
    pub code: String,
    pub email: String,
    pub identity: String,
    pub first_name: String,
    /// Joined in a burst of joins from one client: its credits wait for review.
    pub join_flagged: bool,
    pub created_at_ms: i64,
}

/// A join request, decided except for what only the store can know.
#[derive(Debug, Clone)]
pub struct NewReferrer {
    pub referrer: Referrer,
    pub marketing_consent: bool,
    pub client: String,
    pub token_hash: String,
    /// Joins from `client` in the last hour at or above this flag the new referrer.
    pub joins_per_client_per_hour: u32,
    /// The `referrer.joined` webhook, queued with the referrer when it is new.
    pub webhook: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    Created(Referrer),
    Existing(Referrer),
    /// The candidate code is someone else's; draw another.
    CodeTaken,
    /// The mailbox was erased (in this campaign or in all) at or after the join's `created_at_ms`:
    /// the join crossed the erase, and nothing was written.
    Erased,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgressCounts {
    pub friends_joined: u64,
    pub conversions: u64,
    pub rewards_pending: u64,
    pub rewards_earned: u64,
}

/// What the worker credits from: the conversions queue's message. The store writes it, under the
/// conversion id it settles on (see [`Referrals::accept_conversion`]), with [`Self::body_as`].
/// It lives here, not with the referral decisions, because both backends must name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionMessage {
    pub conversion_id: String,
    pub campaign: String,
    pub order_id: String,
    pub email: String,
    pub identity: String,
    pub domain: String,
    pub code: String,
    /// In minor units of `currency` (4990 for 49.90 EUR).
    #[serde(default)]
    pub amount_minor: Option<u64>,
    pub currency: Option<String>,
    pub client: String,
    pub device_token_hash: Option<String>,
    pub from_merchant: bool,
    pub accepted_at_ms: i64,
}

impl ConversionMessage {
    /// The queue body of this message under `conversion_id`.
    pub fn body_as(&self, conversion_id: &str) -> Result<String> {
        let message = ConversionMessage { conversion_id: conversion_id.to_string(), ..self.clone() };
        serde_json::to_string(&message).map_err(|e| super::BackendError::Corrupt(e.to_string()))
    }
}

/// A conversion on its way in, keyed for idempotency by (campaign, order_id) and by who reported
/// it: a browser's report and the merchant's report of the same order have keys of their own, so
/// neither can block the other.
#[derive(Debug, Clone)]
pub struct NewConversion {
    pub conversion_id: String,
    pub campaign: String,
    pub order_id: String,
    pub body_hash: Vec<u8>,
    pub code: String,
    pub client: String,
    /// Reported by the merchant's back end with its secret (authoritative), not by a browser.
    pub from_merchant: bool,
    /// The queue message the worker credits from.
    pub message: ConversionMessage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConversionIntake {
    New {
        conversion_id: String,
    },
    Replay {
        conversion_id: String,
    },
    OrderReused,
    /// A concurrent report of the same order is being taken in.
    InFlight,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub credit_id: String,
    pub conversion_id: String,
    pub side: Side,
    pub campaign: String,
    pub referrer_id: String,
    pub recipient: String,
    pub reward: String,
    pub state: CreditState,
    pub reason: Option<String>,
    pub created_at_ms: i64,
    /// Written from a browser's unverified report: the merchant's report of the same order
    /// replaces it while it is pending.
    pub from_browser: bool,
}

/// A webhook event to queue in the same transaction as the change it announces (an outbox), so
/// that the change and its announcement commit or fail together. `id` is the event's stable id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub id: String,
    pub body: String,
}

/// Builds the event announcing a decided credit, if there is one to send.
pub type Announce<'a> = &'a (dyn Fn(&Credit) -> Option<OutboxEvent> + Send + Sync);

/// Credit ids are derived from conversion and side, so a redelivered message writes the same ids
/// and changes nothing.
pub fn credit_id(conversion_id: &str, side: Side) -> String {
    format!("cr_{}_{}", conversion_id.trim_start_matches("cnv_"), side.as_str())
}

#[async_trait]
pub trait Referrals: Send + Sync {
    /// The referrer for this mailbox identity in the campaign, created with the candidate code if
    /// new. One identity is one referrer: a repeat or concurrent join answers `Existing` with the
    /// first referrer and writes nothing. A candidate code another referrer of the campaign holds
    /// answers `CodeTaken` and writes nothing. `Created` commits the referrer, its progress token
    /// and its `webhook` (if any) together; the referrer is flagged when its client already made
    /// `joins_per_client_per_hour` joins in the hour before. A join the erasure log has a later
    /// erasure of its mailbox for answers `Erased` and writes nothing (checked in the same write).
    async fn join(&self, new: NewReferrer) -> Result<Joined>;
    /// Queues the webhook events (joins, credits, decisions) whose change committed more than
    /// `older_than` ago but whose event never reached the queue (a crash or a queue outage in
    /// between); returns how many. A store that queues events in the change's own transaction
    /// has none.
    async fn relay_stranded_events(&self, _older_than: std::time::Duration) -> Result<usize> {
        Ok(0)
    }
    /// Looks a code up in `campaign`, or in any campaign when `None`. Codes are stored
    /// normalised, so the caller parses a code before asking.
    async fn referrer_by_code(&self, campaign: Option<&str>, code: &str) -> Result<Option<Referrer>>;
    /// The referrer a progress token was handed to at its join, by the token's hash; `None` for any
    /// other hash. Tokens never move to another referrer.
    async fn referrer_by_token(&self, token_hash: &str) -> Result<Option<Referrer>>;
    /// Counts a friend's device on the referrer's link once: the same `visitor_hash` again, even
    /// concurrently, changes nothing.
    async fn record_visit(&self, referrer_id: &str, visitor_hash: &str) -> Result<()>;
    /// How many referrers joined the campaign (the console's campaign list). Counted by the
    /// store as they join, so it costs the same at a million referrers as at ten.
    async fn count_referrers(&self, campaign: &str) -> Result<u64>;
    /// The referrer's counts: distinct visitors, conversions credited to the referrer, and the
    /// referrer's credits still pending and approved. Zeros for an unknown id.
    async fn progress(&self, referrer_id: &str) -> Result<ProgressCounts>;

    /// Records the conversion and queues its message together (or recognises a replay).
    /// - A browser's report of an order the merchant already reported is a `Replay` of the
    ///   merchant's conversion: nothing is queued.
    /// - The merchant's report of an order a browser reported first is new, under the browser
    ///   report's conversion id, so that both messages credit the same ledger rows.
    /// - Neither ever answers `OrderReused` because of the other's report.
    ///
    /// After `New`, the message is durably queued, carrying the conversion id answered (which is
    /// the browser report's when the merchant's takes it over, not `conversion.conversion_id`).
    /// The same key with another `body_hash` answers `OrderReused`; a concurrent report of the
    /// same key answers `InFlight` and writes nothing.
    async fn accept_conversion(&self, conversion: NewConversion) -> Result<ConversionIntake>;
    /// Distinct conversions accepted after `since_ms`: `(on code, from client in campaign)`, not
    /// counting `except`. One order reported by a browser and by the merchant counts once.
    async fn recent_conversions(
        &self,
        campaign: &str,
        code: &str,
        client: &str,
        since_ms: i64,
        except: &str,
    ) -> Result<(u32, u32)>;

    /// Inserts each credit once (its id is derived from conversion and side). An existing credit
    /// stays as it is, except that a credit from the merchant's report replaces a still pending
    /// one written from a browser's report. `events` are queued in the same transaction when
    /// anything was written, and never otherwise, so a redelivered message announces nothing
    /// twice and a crash loses no announcement.
    async fn record_credits(&self, credits: &[Credit], events: &[OutboxEvent]) -> Result<()>;
    /// Every credit of the conversion (at most one per side), as last written.
    async fn credits_for_conversion(&self, conversion_id: &str) -> Result<Vec<Credit>>;
    /// Every credit of the campaign, in every state, as last written.
    async fn list_credits(&self, campaign: &str) -> Result<Vec<Credit>>;
    /// Moves a pending credit to a final state; `None` if there is no such credit or the move is
    /// not allowed. The event `announce` builds for the decided credit is queued in the same
    /// transaction as the move.
    async fn decide_credit(
        &self,
        credit_id: &str,
        next: CreditState,
        actor: &str,
        reason: Option<&str>,
        announce: Announce<'_>,
    ) -> Result<Option<Credit>>;
    /// [`Referrals::decide_credit`] by an operator: `audit` is appended in the same atomic write
    /// as the move (and not at all when nothing moved), so no verdict is without its trace.
    async fn decide_credit_audited(
        &self,
        credit_id: &str,
        next: CreditState,
        reason: Option<&str>,
        announce: Announce<'_>,
        audit: &crate::backends::review::AuditRecord,
    ) -> Result<Option<Credit>>;

    /// Adds a merchant secret, by its hash, beside the campaign's others: earlier secrets stay
    /// valid, so one can be rotated in before the old one is retired.
    async fn add_merchant_secret(&self, campaign: &str, secret_hash: &str) -> Result<()>;
    /// Whether `secret_hash` was added for this campaign (a secret of another campaign is not).
    async fn merchant_secret_known(&self, campaign: &str, secret_hash: &str) -> Result<bool>;
    /// Sets the campaign's webhook signing secret, replacing the one before: every process signs
    /// with the new one from its next delivery on.
    async fn set_webhook_secret(&self, campaign: &str, secret: &str) -> Result<()>;
    /// The campaign's webhook signing secret, in clear (it signs), or `None` when none was set.
    async fn webhook_secret(&self, campaign: &str) -> Result<Option<String>>;
}
