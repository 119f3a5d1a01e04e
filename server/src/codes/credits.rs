//! Codes for referral credits: an approved referrer credit gets a code of the `referrer` pool, the
//! friend's credit one of the `friend` pool when the campaign hands it out at conversion. Each is
//! mailed once (the mail's dedup key is the credit's) and announced by a `reward.fulfilled`
//! webhook with the code's id.

use std::sync::Arc;

use vouch_core::codes::{FriendHandOut, Pool};
use vouch_core::rewards::{CreditState, Side};

use super::fulfil::{code_mail_key, own_mail, Fulfil, Handed};
use crate::backends::referrals::Credit;
use crate::backends::{Mailer, Queue, Result};
use crate::campaigns::Campaign;
use crate::referrals::webhooks::Event;

/// The pool an approved credit draws its code from, if the campaign hands one out for it.
pub fn pool_for(campaign: &Campaign, credit: &Credit) -> Option<Pool> {
    if credit.state != CreditState::Approved {
        return None;
    }
    match credit.side {
        Side::Referrer => Some(Pool::Referrer),
        Side::Friend => {
            let at_conversion = campaign.code_pools.get(&Pool::Friend)?.hand_out == Some(FriendHandOut::Conversion);
            at_conversion.then_some(Pool::Friend)
        }
    }
}

/// Claims and mails the credit's code (the same code on every call, one mail). A code that has to
/// wait is mailed when an import fills it.
pub async fn fulfil_credit(
    fulfil: &Fulfil,
    mailer: &dyn Mailer,
    webhooks: &Arc<dyn Queue>,
    campaign: &Campaign,
    credit: &Credit,
) -> Result<Handed> {
    let Some(pool) = pool_for(campaign, credit) else { return Ok(Handed::Nothing) };
    let handed = fulfil.hand_out(campaign, pool, &credit.credit_id).await?;
    if let Handed::Code(_) = &handed {
        let mail = own_mail(campaign, &credit.recipient, campaign.locale_for(None), &credit.reward, &handed);
        mailer.send_once(&code_mail_key(campaign.id(), pool, &credit.credit_id), &mail).await?;
        announce(fulfil.codes.as_ref(), webhooks, campaign, credit, pool).await?;
    }
    Ok(handed)
}

/// The `reward.fulfilled` event, when the campaign has a webhook. Its id is the credit's, so a
/// repeat is dropped by the receiver.
pub async fn announce(
    codes: &dyn crate::backends::codes::Codes,
    webhooks: &Arc<dyn Queue>,
    campaign: &Campaign,
    credit: &Credit,
    pool: Pool,
) -> Result<()> {
    if campaign.referral.as_ref().and_then(|r| r.webhook_url.as_ref()).is_none() {
        return Ok(());
    }
    if let Some((code_id, code)) = codes.assigned(campaign.id(), pool, &credit.credit_id).await? {
        let with_code = campaign.code_pools.get(&pool).is_some_and(|p| p.webhook_includes_code);
        let event = Event::reward_fulfilled(credit, pool, &code_id, with_code.then_some(code.as_str()));
        webhooks.send(event.to_json()).await?;
    }
    Ok(())
}

/// After an operator approved a credit (`vouch rewards approve`): its code, as the worker hands
/// one out for a credit approved at conversion.
pub async fn fulfil_decided(
    backends: &crate::app::wiring::Backends,
    campaigns: &crate::campaigns::Campaigns,
    credit: &Credit,
) -> Result<Handed> {
    let Some(campaign) = campaigns.get(&credit.campaign) else { return Ok(Handed::Nothing) };
    let fulfil = Fulfil::new(backends.codes.clone(), backends.code_watch.clone());
    fulfil_credit(&fulfil, backends.mailer.as_ref(), &backends.webhooks, &campaign, credit).await
}

/// The codes of the referrer's approved rewards, oldest first, and how many approved rewards still
/// wait for theirs. Empty when the campaign has no `referrer` pool.
pub async fn reward_codes(
    referrals: &dyn crate::backends::referrals::Referrals,
    codes: &dyn crate::backends::codes::Codes,
    campaign: &Campaign,
    referral_code: &str,
) -> Result<(Vec<String>, u64)> {
    if !campaign.code_pools.contains_key(&Pool::Referrer) {
        return Ok((Vec::new(), 0));
    }
    let Some(referrer) = referrals.referrer_by_code(Some(campaign.id()), referral_code).await? else {
        return Ok((Vec::new(), 0));
    };
    let mut owed: Vec<Credit> = referrals
        .list_credits(campaign.id())
        .await?
        .into_iter()
        .filter(|c| c.referrer_id == referrer.referrer_id && pool_for(campaign, c) == Some(Pool::Referrer))
        .collect();
    owed.sort_by_key(|c| c.created_at_ms);
    let (mut shown, mut pending) = (Vec::new(), 0);
    for credit in owed {
        match codes.assigned(campaign.id(), Pool::Referrer, &credit.credit_id).await? {
            Some((_, code)) => shown.push(code),
            None => pending += 1,
        }
    }
    Ok((shown, pending))
}

/// Hands out the code of `credit_id` if the credit is approved (a repeated `vouch rewards approve`
/// after a run that stopped between the approval and the code); `false` when it is not approved.
pub async fn fulfil_approved(
    backends: &crate::app::wiring::Backends,
    campaigns: &crate::campaigns::Campaigns,
    credit_id: &str,
) -> Result<bool> {
    let Some(conversion) = super::fulfil::conversion_of(credit_id) else { return Ok(false) };
    let credits = backends.referrals.credits_for_conversion(&conversion).await?;
    let Some(credit) = credits.into_iter().find(|c| c.credit_id == credit_id) else { return Ok(false) };
    if credit.state != CreditState::Approved {
        return Ok(false);
    }
    fulfil_decided(backends, campaigns, &credit).await?;
    Ok(true)
}

/// Whether the campaign shows the friend a code of the `friend` pool when they land.
pub fn hands_out_at_landing(campaign: &Campaign) -> bool {
    campaign.code_pools.get(&Pool::Friend).is_some_and(|p| p.hand_out == Some(FriendHandOut::Landing))
}

/// The code a friend landing on `referral_code`'s link gets, once per visitor (the browser's
/// stored visitor key, kept only as a hash in the owed id). `Err(())` for a visitor key that is
/// empty or too long; `Ok(None)` when the campaign hands out no code at landing.
pub async fn landing_code(
    fulfil: &Fulfil,
    campaign: &Campaign,
    referral_code: &str,
    visitor: &str,
) -> std::result::Result<Option<Handed>, LandingError> {
    if !hands_out_at_landing(campaign) {
        return Ok(None);
    }
    if visitor.trim().is_empty() || visitor.len() > 128 {
        return Err(LandingError::Visitor);
    }
    let visitor = crate::crypto::sha256_hex(visitor);
    let owed_id = format!("{}{referral_code}_{}", super::fulfil::LANDING_PREFIX, &visitor[..32]);
    Ok(Some(fulfil.hand_out(campaign, Pool::Friend, &owed_id).await?))
}

#[derive(Debug, thiserror::Error)]
pub enum LandingError {
    #[error("the visitor key must be 1 to 128 characters")]
    Visitor,
    #[error(transparent)]
    Backend(#[from] crate::backends::BackendError),
}
