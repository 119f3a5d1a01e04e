//! Payouts by hand: `GET /admin/v1/campaigns/{campaign}/payouts.csv` (the approved referrer
//! rewards not yet paid, as `vouch rewards payouts` lists them, every cell formula-safe) and
//! `POST …/payouts/{payout_id}/paid` (as `vouch rewards mark-paid`; the payout id is the credit's
//! id). The CSV holds the payees' e-mails, so it is for those who pay: owners and moderators.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use vouch_core::ErrorCode;

use super::json::AdminJson;
use super::{Caller, SharedAdmin};
use crate::crypto::format_iso8601_ms;
use crate::http::error::ApiError;
use crate::payouts::{self, PayoutError};

impl From<PayoutError> for ApiError {
    fn from(e: PayoutError) -> Self {
        match e {
            PayoutError::Backend(b) => b.into(),
            PayoutError::Refused(refused) => {
                let why: Vec<String> = refused.iter().map(|(id, why)| format!("{id}: {why}")).collect();
                let code = PayoutError::Refused(refused).code();
                ApiError::new(code, format!("Nothing was marked paid: {}.", why.join("; ")))
            }
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

/// The rewards still owed, as CSV (`credit_id,email,first_name,reward,amount_minor,currency,approved_at`).
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/payouts.csv", tag = "rewards",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401),
        (status = 403, description = "`forbidden` (viewers too: the file holds e-mails)")))]
pub async fn csv(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.write(&campaign)?;
    let rows = payouts::due_rows(state.backends.payouts.as_ref(), &campaign).await?;
    let mut out = Vec::new();
    payouts::write_csv(&rows, &mut out)
        .map_err(|e| ApiError::from(crate::backends::BackendError::Corrupt(format!("payouts CSV: {e}"))))?;
    let disposition = format!("attachment; filename=\"payouts-{campaign}.csv\"");
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        out,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PaidBody {
    /// The payment's reference (a transfer's or a voucher's id): 1 to 128 characters, one line.
    pub reference: String,
}

/// A recorded payout.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutRow {
    pub credit_id: String,
    pub reference: String,
    pub paid_by: String,
    /// RFC 3339, UTC.
    pub paid_at: String,
    /// Paid before this request: the first payout stands, nothing changed.
    pub already_paid: bool,
}

/// Records the payout of an approved referrer credit (once; audited with the store's write).
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/payouts/{payout_id}/paid", tag = "rewards",
    request_body = PaidBody,
    params(("campaign" = String, Path, description = "Campaign id"),
        ("payout_id" = String, Path, description = "The credit's id (`cr_…`, the CSV's first column)")),
    responses((status = 200, body = PayoutRow), (status = 401), (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such credit in this campaign"),
        (status = 409, description = "`conflict`: not an approved referrer credit"),
        (status = 422, description = "`validation_failed`: a bad reference")))]
pub async fn paid(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, credit_id)): Path<(String, String)>,
    body: Result<AdminJson<PaidBody>, ApiError>,
) -> Result<Json<PayoutRow>, ApiError> {
    caller.write(&campaign)?;
    let AdminJson(body) = body?;
    if !crate::codes::verdicts::plausible_id(&credit_id) {
        return Err(ApiError::new(ErrorCode::NotFound, "No such credit in this campaign."));
    }
    let store = state.backends.payouts.as_ref();
    let ids = [credit_id.clone()];
    let (_, already) = payouts::record_paid(store, &campaign, &ids, &body.reference, &caller.actor).await?;
    let payout = store.payouts(&campaign).await?.into_iter().find(|p| p.credit_id == credit_id).ok_or_else(|| {
        ApiError::new(ErrorCode::Internal, "The payout was recorded but cannot be read back; reload the page.")
    })?;
    Ok(Json(PayoutRow {
        credit_id: payout.credit_id,
        reference: payout.reference,
        paid_by: payout.paid_by,
        paid_at: format_iso8601_ms(payout.paid_at_ms),
        already_paid: !already.is_empty(),
    }))
}
