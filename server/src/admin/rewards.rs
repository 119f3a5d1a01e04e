//! The rewards ledger: `GET /admin/v1/campaigns/{campaign}/credits?state=` and
//! `POST …/credits/{credit_id}/decision`, through the same verdict function as `vouch rewards
//! approve|deny` (`referrals::verdicts::decide`: the move, the code an approval earns, the audit).
//!
//! Who sees what: the recipient's e-mail only for those who may decide (owners, moderators);
//! viewers get the ledger without it.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use vouch_core::admin::Access;
use vouch_core::payouts::reward_amount;
use vouch_core::rewards::{CreditState, Side};
use vouch_core::ErrorCode;

use super::json::AdminJson;
use super::query::{invalid, AdminQuery};
use super::{Caller, SharedAdmin};
use crate::backends::payouts::Payout;
use crate::backends::referrals::Credit;
use crate::codes::verdicts::{self, VerdictError};
use crate::crypto::format_iso8601_ms;
use crate::http::error::ApiError;

impl From<VerdictError> for ApiError {
    fn from(e: VerdictError) -> Self {
        match e {
            VerdictError::Backend(b) => b.into(),
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

/// A payout recorded on a credit (`vouch rewards mark-paid` or `POST …/payouts/{id}/paid`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaidRow {
    pub reference: String,
    /// An operator's e-mail, `token:<name>` or the CLI's user.
    pub paid_by: String,
    /// RFC 3339, UTC.
    pub paid_at: String,
}

impl From<&Payout> for PaidRow {
    fn from(p: &Payout) -> Self {
        Self { reference: p.reference.clone(), paid_by: p.paid_by.clone(), paid_at: format_iso8601_ms(p.paid_at_ms) }
    }
}

/// One credit of the ledger.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreditRow {
    pub credit_id: String,
    /// `referrer` or `friend`.
    #[schema(value_type = String)]
    pub side: Side,
    /// `pending`, `approved` or `denied`.
    #[schema(value_type = String)]
    pub state: CreditState,
    pub referrer_id: String,
    /// The rewarded person's e-mail: `null` for viewers.
    pub recipient: Option<String>,
    /// The reward as the campaign words it (`5 EUR`, `10 % off your next order`).
    pub reward: String,
    /// The reward in minor units of `currency`, when it names an amount.
    pub amount_minor: Option<u64>,
    pub currency: Option<String>,
    /// Why it was flagged or decided, when known.
    pub reason: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The payout, once paid.
    pub paid: Option<PaidRow>,
}

impl CreditRow {
    fn new(credit: Credit, show_recipient: bool, paid: Option<&Payout>) -> Self {
        let amount = reward_amount(&credit.reward);
        Self {
            amount_minor: amount.as_ref().map(|m| m.minor()),
            currency: amount.map(|m| m.currency().as_str().to_string()),
            credit_id: credit.credit_id,
            side: credit.side,
            state: credit.state,
            referrer_id: credit.referrer_id,
            recipient: show_recipient.then_some(credit.recipient),
            reward: credit.reward,
            reason: credit.reason,
            created_at: format_iso8601_ms(credit.created_at_ms),
            paid: paid.map(PaidRow::from),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CreditFilter {
    /// `pending`, `approved` or `denied`; every state when left out.
    pub state: Option<String>,
}

/// The campaign's credits, newest first.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/credits", tag = "rewards",
    params(("campaign" = String, Path, description = "Campaign id"), CreditFilter),
    responses((status = 200, body = [CreditRow]), (status = 401), (status = 403, description = "`forbidden`"),
        (status = 422, description = "`validation_failed`: an unknown state")))]
pub async fn credits(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
    AdminQuery(filter): AdminQuery<CreditFilter>,
) -> Result<Json<Vec<CreditRow>>, ApiError> {
    caller.read(&campaign)?;
    let wanted = match filter.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(CreditState::parse(s).ok_or_else(|| invalid("state", "must be pending, approved or denied."))?),
    };
    let b = &state.backends;
    let show_recipient = caller.may(Some(&campaign), Access::Write);
    let mut ledger = crate::payouts::ledger(b.referrals.as_ref(), b.payouts.as_ref(), &campaign).await?;
    ledger.retain(|(c, _)| wanted.is_none_or(|s| c.state == s));
    ledger.sort_by(|(a, _), (b, _)| b.created_at_ms.cmp(&a.created_at_ms).then_with(|| b.credit_id.cmp(&a.credit_id)));
    Ok(Json(ledger.into_iter().map(|(c, paid)| CreditRow::new(c, show_recipient, paid.as_ref())).collect()))
}

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreditDecision {
    Approve,
    Deny,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreditVerdict {
    pub decision: CreditDecision,
    /// Kept in the ledger and the audit log.
    pub reason: Option<String>,
}

/// Approves (and hands out the code it earns) or denies a pending credit; audited.
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/credits/{credit_id}/decision", tag = "rewards",
    request_body = CreditVerdict,
    params(("campaign" = String, Path, description = "Campaign id"), ("credit_id" = String, Path, description = "Credit id (`cr_…`)")),
    responses((status = 200, body = CreditRow, description = "The credit as decided"), (status = 401),
        (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such credit in this campaign"),
        (status = 409, description = "`conflict`: the credit was decided before")))]
pub async fn decide(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, credit_id)): Path<(String, String)>,
    body: Result<AdminJson<CreditVerdict>, ApiError>,
) -> Result<Json<CreditRow>, ApiError> {
    caller.write(&campaign)?;
    let AdminJson(verdict) = body?;
    let next = match verdict.decision {
        CreditDecision::Approve => CreditState::Approved,
        CreditDecision::Deny => CreditState::Denied,
    };
    let reason = verdict.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(ApiError::new(ErrorCode::ValidationFailed, "reason must be at most 500 characters."));
    }
    let b = &state.backends;
    let decided =
        verdicts::decide(b, &state.campaigns, Some(&campaign), &credit_id, next, reason, &caller.actor).await?;
    let credit = decided.credit().clone();
    let paid = b.payouts.payouts(&campaign).await?.into_iter().find(|p| p.credit_id == credit.credit_id);
    Ok(Json(CreditRow::new(credit, true, paid.as_ref())))
}
