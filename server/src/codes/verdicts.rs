//! An operator's verdict on a pending credit, as `vouch rewards approve|deny` and the admin API
//! (`POST …/credits/{credit_id}/decision`) take it: the move in the ledger, the code an approval
//! earns, and the audit record. One function, so the two paths cannot decide differently.

use vouch_core::rewards::CreditState;
use vouch_core::ErrorCode;

use super::credits::{fulfil_approved, fulfil_decided};
use crate::app::wiring::Backends;
use crate::backends::referrals::Credit;
use crate::backends::review::AuditRecord;
use crate::backends::BackendError;
use crate::campaigns::Campaigns;
use crate::clock::now_ms;
use crate::referrals::decisions::{decide_credit_as, Actor, ReferralError};

/// The audit actions of credit verdicts.
pub const APPROVE_ACTION: &str = "rewards.approve";
pub const DENY_ACTION: &str = "rewards.deny";

#[derive(Debug, thiserror::Error)]
pub enum VerdictError {
    /// No such credit (in this campaign, when one is given).
    #[error("no credit {0:?}")]
    Unknown(String),
    /// Approved or denied before (and, for a repeated approval, not left without its code).
    #[error("{id} is {state}, not pending")]
    NotPending { id: String, state: &'static str },
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl VerdictError {
    /// The public error code, for the admin API's one error-to-HTTP mapping.
    pub fn code(&self) -> ErrorCode {
        match self {
            VerdictError::Unknown(_) => ErrorCode::NotFound,
            VerdictError::NotPending { .. } => ErrorCode::Conflict,
            VerdictError::Backend(BackendError::Unavailable(..)) => ErrorCode::Unavailable,
            VerdictError::Backend(BackendError::Corrupt(_)) => ErrorCode::Internal,
        }
    }
}

impl From<ReferralError> for VerdictError {
    fn from(e: ReferralError) -> Self {
        match e {
            ReferralError::Backend(b) => VerdictError::Backend(b),
            other => VerdictError::Backend(BackendError::Corrupt(other.to_string())),
        }
    }
}

/// What a verdict did.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// The credit moved from pending to its new state now.
    Decided(Credit),
    /// Approved again after a run that stopped between the approval and the code: the code is
    /// handed out now, nothing else changed.
    Finished(Credit),
}

impl Verdict {
    pub fn credit(&self) -> &Credit {
        match self {
            Verdict::Decided(c) | Verdict::Finished(c) => c,
        }
    }
}

/// Whether `id` could be a credit id at all: anything longer is no credit, and DynamoDB would
/// refuse it as a key rather than answer "none".
pub fn plausible_id(id: &str) -> bool {
    id.starts_with("cr_") && id.len() <= 200
}

/// The credit `credit_id`, if it exists (and belongs to `campaign`, when one is given).
pub async fn find(backends: &Backends, campaign: Option<&str>, credit_id: &str) -> Result<Credit, VerdictError> {
    let unknown = || VerdictError::Unknown(credit_id.to_string());
    if !plausible_id(credit_id) {
        return Err(unknown());
    }
    let conversion = super::fulfil::conversion_of(credit_id).ok_or_else(unknown)?;
    let credits = backends.referrals.credits_for_conversion(&conversion).await?;
    credits
        .into_iter()
        .find(|c| c.credit_id == credit_id && campaign.is_none_or(|id| c.campaign == id))
        .ok_or_else(unknown)
}

/// Moves the pending credit `credit_id` to `next` as `actor`, hands out the code an approval
/// earns and appends the audit record (before → after, with the reason). `campaign`: the credit
/// must belong to it (the admin API's scope); the CLI passes `None`.
pub async fn decide(
    backends: &Backends,
    campaigns: &Campaigns,
    campaign: Option<&str>,
    credit_id: &str,
    next: CreditState,
    reason: Option<&str>,
    actor: &str,
) -> Result<Verdict, VerdictError> {
    let before = find(backends, campaign, credit_id).await?;
    // Only a pending credit moves, so the record can be written before knowing whether it will:
    // the store appends it with the move, or not at all.
    let action = if next == CreditState::Approved { APPROVE_ACTION } else { DENY_ACTION };
    let detail = format!("{} -> {}{}", before.state.as_str(), next.as_str(), because(reason));
    let record = AuditRecord::new(&before.campaign, actor, action, credit_id, &detail, now_ms());
    let referrals = backends.referrals.as_ref();
    let decided = decide_credit_as(referrals, campaigns, credit_id, next, reason, Actor::Audited(&record)).await?;
    let verdict = match decided {
        Some(credit) => {
            funnel(backends).approved(&credit, now_ms()).await;
            fulfil_decided(backends, campaigns, &credit).await?;
            Verdict::Decided(credit)
        }
        None if next == CreditState::Approved && fulfil_approved(backends, campaigns, credit_id).await? => {
            // A retry after a lost answer: the approval may not have been counted yet.
            let credit = find(backends, campaign, credit_id).await?;
            funnel(backends).approved(&credit, now_ms()).await;
            Verdict::Finished(credit)
        }
        None => {
            let now = find(backends, campaign, credit_id).await?;
            return Err(VerdictError::NotPending { id: credit_id.to_string(), state: now.state.as_str() });
        }
    };
    Ok(verdict)
}

fn funnel(backends: &Backends) -> crate::funnel::Funnel {
    crate::funnel::Funnel::new(backends.events.clone())
}

fn because(reason: Option<&str>) -> String {
    reason.filter(|r| !r.trim().is_empty()).map(|r| format!(" ({})", r.trim())).unwrap_or_default()
}
