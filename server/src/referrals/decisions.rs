//! Decisions of the referral program: joining, a friend's landing, a referrer's progress, and
//! taking a conversion in. Crediting happens later, in the worker (`worker::conversions`).

use sha2::{Digest, Sha256};
use vouch_core::conversion::{validate_conversion, validate_join};
use vouch_core::referral::ReferralCode;
use vouch_core::wire::{ConversionRequest, JoinRequest, JoinResponse, ReferralProgress, ReferrerLanding};
use vouch_core::FieldError;

use crate::backends::referrals::{
    ConversionIntake, ConversionMessage, Joined, NewConversion, NewReferrer, Referrals, Referrer,
};
use crate::backends::BackendError;
use crate::campaigns::{Campaign, ReferralConfig};
use crate::clock::now_ms;
use crate::crypto::sha256_hex;
use crate::referrals::webhooks::Event;

#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    #[error("this campaign has no referral program")]
    NotEnabled,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("no such referral code in this campaign")]
    UnknownCode,
    #[error("a valid progress token for this code is required")]
    Unauthorized,
    #[error("this order id was already reported with different details")]
    OrderReused,
    #[error("a report of this order is being taken in; retry in a moment")]
    InFlight,
    /// The sign-up crossed an erasure of its mailbox: nothing was recorded.
    #[error("this sign-up crossed an erasure of the same address and recorded nothing; send it again")]
    Erased,
    #[error("this campaign has ended and its data was deleted")]
    PastRetention,
    #[error(transparent)]
    Backend(#[from] BackendError),
}

fn random_bytes<const N: usize>() -> Result<[u8; N], BackendError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| BackendError::Corrupt(format!("no randomness: {e}")))?;
    Ok(buf)
}

fn config(campaign: &Campaign) -> Result<&ReferralConfig, ReferralError> {
    campaign.referral.as_ref().ok_or(ReferralError::NotEnabled)
}

/// Past retention the campaign's people are swept once for good: a join or a conversion would
/// bring personal data back that no later sweep removes.
fn not_swept(campaign: &Campaign) -> Result<(), ReferralError> {
    match crate::privacy::retention::is_due(campaign, now_ms()) {
        true => Err(ReferralError::PastRetention),
        false => Ok(()),
    }
}

fn response(cfg: &ReferralConfig, referrer: &Referrer, token: Option<String>) -> JoinResponse {
    JoinResponse {
        referral_code: referrer.code.clone(),
        share_url: cfg.share_url(&referrer.code),
        friend_offer: cfg.friend_offer.clone(),
        reward: cfg.referrer_reward.clone(),
        progress_token: token,
    }
}

/// Joins `req` as a referrer. The same mailbox always gets the same code; only a new referrer
/// gets a progress token. Returns the answer and whether the referrer is new.
pub async fn join(
    store: &dyn Referrals,
    campaign: &Campaign,
    req: &JoinRequest,
    client: &str,
) -> Result<(JoinResponse, bool), ReferralError> {
    let cfg = config(campaign)?;
    not_swept(campaign)?;
    let valid = validate_join(req).map_err(ReferralError::Invalid)?;
    let token = hex::encode(random_bytes::<32>()?);
    for _ in 0..8 {
        let random = random_bytes::<64>()?;
        let mut bytes = random.iter().copied().cycle();
        let code = ReferralCode::generate(|| bytes.next().unwrap_or(0));
        let referrer = Referrer {
            referrer_id: format!("ref_{}", uuid::Uuid::new_v4().simple()),
            campaign: campaign.id().to_string(),
            code: code.as_str().to_string(),
            email: valid.email.clone(),
            identity: valid.identity(),
            first_name: valid.first_name.clone(),
            join_flagged: false,
            created_at_ms: now_ms(),
        };
        let webhook = cfg.webhook_url.as_ref().map(|_| Event::referrer_joined(&referrer).to_json());
        let new = NewReferrer {
            referrer,
            marketing_consent: valid.marketing_consent,
            client: client.to_string(),
            token_hash: sha256_hex(&token),
            joins_per_client_per_hour: cfg.velocity.joins_per_client_per_hour,
            webhook,
        };
        match store.join(new).await? {
            Joined::Created(r) => return Ok((response(cfg, &r, Some(token)), true)),
            Joined::Existing(r) => return Ok((response(cfg, &r, None), false)),
            Joined::CodeTaken => continue,
            // Not retried here: the request began before the erase, so nothing of it may stay.
            Joined::Erased => return Err(ReferralError::Erased),
        }
    }
    Err(BackendError::Corrupt("could not draw a free referral code".into()).into())
}

async fn referrer(store: &dyn Referrals, campaign: &Campaign, code: &str) -> Result<Referrer, ReferralError> {
    let code = ReferralCode::parse(code).map_err(|_| ReferralError::UnknownCode)?;
    store.referrer_by_code(Some(campaign.id()), code.as_str()).await?.ok_or(ReferralError::UnknownCode)
}

pub async fn landing(store: &dyn Referrals, campaign: &Campaign, code: &str) -> Result<ReferrerLanding, ReferralError> {
    let cfg = config(campaign)?;
    let r = referrer(store, campaign, code).await?;
    Ok(ReferrerLanding {
        referral_code: r.code,
        first_name: r.first_name,
        friend_offer: cfg.friend_offer.clone(),
        friend_code: None,
        friend_code_pending: false,
    })
}

/// Counts a friend's device landing on the link (once per device).
pub async fn visit(store: &dyn Referrals, campaign: &Campaign, code: &str, visitor: &str) -> Result<(), ReferralError> {
    config(campaign)?;
    let r = referrer(store, campaign, code).await?;
    if visitor.is_empty() || visitor.len() > 128 {
        return Err(ReferralError::Invalid(vec![]));
    }
    Ok(store.record_visit(&r.referrer_id, &sha256_hex(visitor)).await?)
}

pub async fn progress(
    store: &dyn Referrals,
    campaign: &Campaign,
    code: &str,
    token: Option<&str>,
) -> Result<ReferralProgress, ReferralError> {
    let cfg = config(campaign)?;
    let token = token.filter(|t| !t.is_empty()).ok_or(ReferralError::Unauthorized)?;
    let owner = store.referrer_by_token(&sha256_hex(token)).await?.ok_or(ReferralError::Unauthorized)?;
    if owner.campaign != campaign.id() || !owner.code.eq_ignore_ascii_case(code.trim()) {
        return Err(ReferralError::Unauthorized);
    }
    let p = store.progress(&owner.referrer_id).await?;
    Ok(ReferralProgress {
        referral_code: owner.code,
        friends_joined: p.friends_joined,
        conversions: p.conversions,
        rewards_pending: p.rewards_pending,
        rewards_earned: p.rewards_earned,
        // The same rule over the same ledger rows as `bonus::bonus_entries` gives the draw.
        bonus_entries: super::bonus::rule(cfg)
            .map(|(per, max)| vouch_core::rewards::bonus_entries(p.rewards_earned, per, max)),
        ..Default::default()
    })
}

/// Takes a conversion in, once per (campaign, order id). Returns its id and whether this was a
/// replay of an earlier report.
pub async fn convert(
    store: &dyn Referrals,
    campaign: &Campaign,
    req: &ConversionRequest,
    client: &str,
    from_merchant: bool,
) -> Result<(String, bool), ReferralError> {
    config(campaign)?;
    not_swept(campaign)?;
    let valid = validate_conversion(req).map_err(ReferralError::Invalid)?;
    let canonical = serde_json::to_vec(&(
        campaign.id(),
        &valid.order_id,
        &valid.email,
        valid.code.as_str(),
        valid.amount.as_ref().map(|a| a.minor()),
        &valid.currency,
    ))
    .unwrap_or_default();
    let message = ConversionMessage {
        conversion_id: format!("cnv_{}", uuid::Uuid::new_v4().simple()),
        campaign: campaign.id().to_string(),
        order_id: valid.order_id.clone(),
        email: valid.email,
        identity: valid.identity,
        domain: valid.domain,
        code: valid.code.as_str().to_string(),
        amount_minor: valid.amount.as_ref().map(|a| a.minor()),
        currency: valid.currency,
        client: client.to_string(),
        device_token_hash: req.device_token.as_deref().filter(|t| !t.is_empty()).map(sha256_hex),
        from_merchant,
        accepted_at_ms: now_ms(),
    };
    let new = NewConversion {
        conversion_id: message.conversion_id.clone(),
        campaign: message.campaign.clone(),
        order_id: message.order_id.clone(),
        body_hash: Sha256::digest(&canonical).to_vec(),
        code: message.code.clone(),
        client: client.to_string(),
        from_merchant,
        message,
    };
    match store.accept_conversion(new).await? {
        ConversionIntake::New { conversion_id } => Ok((conversion_id, false)),
        ConversionIntake::Replay { conversion_id } => Ok((conversion_id, true)),
        ConversionIntake::OrderReused => Err(ReferralError::OrderReused),
        ConversionIntake::InFlight => Err(ReferralError::InFlight),
    }
}

/// An operator's verdict on a pending credit. An approval is announced by webhook, queued in the
/// same transaction as the verdict, so that neither can happen without the other.
pub async fn decide_credit(
    store: &dyn Referrals,
    campaigns: &crate::campaigns::Campaigns,
    credit_id: &str,
    next: vouch_core::rewards::CreditState,
    reason: Option<&str>,
) -> Result<Option<crate::backends::referrals::Credit>, ReferralError> {
    decide_credit_as(store, campaigns, credit_id, next, reason, Actor::Unaudited("operator")).await
}

/// Who decides a credit: an operator whose verdict is audited (the record is written in the same
/// atomic write as the move), or a caller without an audit trail of its own.
pub enum Actor<'a> {
    Audited(&'a crate::backends::review::AuditRecord),
    Unaudited(&'a str),
}

/// [`decide_credit`] by `actor` (kept in the ledger's history of the credit).
pub async fn decide_credit_as(
    store: &dyn Referrals,
    campaigns: &crate::campaigns::Campaigns,
    credit_id: &str,
    next: vouch_core::rewards::CreditState,
    reason: Option<&str>,
    actor: Actor<'_>,
) -> Result<Option<crate::backends::referrals::Credit>, ReferralError> {
    let announce = |credit: &crate::backends::referrals::Credit| {
        let hooks = campaigns.get(&credit.campaign).and_then(|c| c.referral.clone()).and_then(|r| r.webhook_url);
        let approved = credit.state == vouch_core::rewards::CreditState::Approved;
        (hooks.is_some() && approved).then(|| Event::reward_approved(credit).outbox())
    };
    Ok(match actor {
        Actor::Audited(audit) => store.decide_credit_audited(credit_id, next, reason, &announce, audit).await?,
        Actor::Unaudited(actor) => store.decide_credit(credit_id, next, actor, reason, &announce).await?,
    })
}

/// A new random secret, printed once to the operator (only its hash is stored for merchants).
pub fn new_secret(prefix: &str) -> Result<String, BackendError> {
    Ok(format!("{prefix}_{}", hex::encode(random_bytes::<24>()?)))
}
