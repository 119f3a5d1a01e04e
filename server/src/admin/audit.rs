//! Reading the audit log: a campaign's (`GET /admin/v1/campaigns/{campaign}/audit`) and, for
//! owners, the operator writes not tied to a campaign (`GET /admin/v1/audit`).

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;

use super::{Caller, SharedAdmin};
use crate::backends::review::AuditRecord;
use crate::http::error::ApiError;
use vouch_core::wire::ErrorBody;

/// Campaign id of audit records not tied to one campaign (operators, tokens).
pub const ANY_CAMPAIGN: &str = "*";

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub id: String,
    pub campaign: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// An operator's e-mail or `token:<name>`.
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl From<AuditRecord> for AuditRow {
    fn from(r: AuditRecord) -> Self {
        Self {
            at: crate::crypto::format_iso8601_ms(r.at_ms),
            id: r.id,
            campaign: r.campaign,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            detail: r.detail,
        }
    }
}

async fn newest_first(state: &SharedAdmin, campaign: &str) -> Result<Json<Vec<AuditRow>>, ApiError> {
    let records = state.backends.moderation.list_audit(campaign).await?;
    Ok(Json(records.into_iter().rev().map(AuditRow::from).collect()))
}

/// A campaign's audit log, newest first.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/audit", tag = "audit",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, body = [AuditRow]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`forbidden`")))]
pub async fn campaign_audit(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    caller.read(&campaign)?;
    newest_first(&state, &campaign).await
}

/// Operator and token changes, newest first (owners).
#[utoipa::path(get, path = "/admin/v1/audit", tag = "audit",
    responses((status = 200, body = [AuditRow]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`forbidden`")))]
pub async fn operator_audit(State(state): State<SharedAdmin>, caller: Caller) -> Result<Json<Vec<AuditRow>>, ApiError> {
    caller.owner()?;
    newest_first(&state, ANY_CAMPAIGN).await
}
