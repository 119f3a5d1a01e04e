//! The Shoppers page's routes (owners only): a shopper's data exported or erased on request,
//! through the same functions as `vouch shopper export|erase` (`crate::privacy`), which audit
//! each use under the operator with the shopper named by a keyed hash, never the address. The
//! address travels in the body, never in the URL: URLs reach access logs.
//!
//! Receipts are not carried in the answer: each comes as a link signed for a few minutes (the
//! same as the entry detail's), so the document stays small and the bucket private.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use vouch_core::{ErrorCode, Field, FieldError};

use super::json::AdminJson;
use super::receipt_links::LINK_TTL;
use super::{Caller, SharedAdmin};
use crate::clock::now_ms;
use crate::crypto::format_iso8601_ms;
use crate::http::error::ApiError;
use crate::privacy::erase::ErasureReport;
use crate::privacy::export::ExportDocument;
use crate::privacy::{self, PrivacyError};

impl From<PrivacyError> for ApiError {
    fn from(e: PrivacyError) -> Self {
        match e {
            PrivacyError::MalformedEmail(code) => ApiError {
                message: format!("email is not a usable e-mail address ({code})."),
                ..ApiError::validation(vec![FieldError::new(Field::Email, code)])
            },
            PrivacyError::Backend(b) => b.into(),
            PrivacyError::Io(_) => ApiError::new(ErrorCode::Internal, "The export could not be made."),
        }
    }
}

/// Whose data: a mailbox, in one campaign or (no campaign) in all of them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ShopperRequest {
    /// The shopper's e-mail address.
    #[serde(default)]
    pub email: String,
    /// Limit to this campaign; absent or empty: every campaign.
    #[serde(default)]
    pub campaign: Option<String>,
}

/// How many records of each kind are held.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldCounts {
    pub entries: usize,
    pub consents: usize,
    pub referrers: usize,
    pub credits: usize,
    pub entry_limits: usize,
    pub queued: usize,
    pub mails: usize,
    pub receipts: usize,
    pub audit: usize,
    /// Earlier erasures of this mailbox.
    pub erasures: usize,
}

/// A receipt image of the export, as a short-lived link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedReceipt {
    /// Its name in the document (`entries[].receipt_file`).
    pub file: String,
    pub url: String,
    /// When the link stops working (RFC 3339, UTC).
    pub expires_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShopperExportAnswer {
    /// Nothing is held about this mailbox (in this campaign): not an error.
    pub nothing_held: bool,
    pub held: HeldCounts,
    /// Whether any consent record has marketing agreed to; `null` when there is no consent record.
    pub marketing_consent: Option<bool>,
    /// The export document (`format: vouch.shopper-export/1`, see docs/privacy.md).
    #[schema(value_type = Object)]
    pub document: serde_json::Value,
    pub receipts: Vec<ExportedReceipt>,
}

/// The request's campaign, if any: an unknown one is refused before anything is read.
fn scope(caller: &Caller, request: &ShopperRequest) -> Result<Option<String>, ApiError> {
    match request.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(id) => caller.read(id).map(|_| Some(id.to_string())),
        None => Ok(None),
    }
}

fn counts(doc: &ExportDocument, receipts: usize) -> HeldCounts {
    HeldCounts {
        entries: doc.entries.len(),
        consents: doc.consents.len(),
        referrers: doc.referrers.len(),
        credits: doc.credits.len(),
        entry_limits: doc.entry_limits.len(),
        queued: doc.queued.len(),
        mails: doc.mails.len(),
        receipts,
        audit: doc.audit.len(),
        erasures: doc.erasures.len(),
    }
}

/// Everything held about a shopper: the document, a summary and links to the receipts; audited.
#[utoipa::path(post, path = "/admin/v1/shoppers/export", tag = "shoppers", request_body = ShopperRequest,
    responses((status = 200, body = ShopperExportAnswer), (status = 401), (status = 403, description = "`forbidden` (owners only) or `csrf_rejected`"),
        (status = 404, description = "`campaign_not_found`"), (status = 422, description = "`validation_failed`: `email` is not an e-mail address")))]
pub async fn export(
    State(state): State<SharedAdmin>,
    caller: Caller,
    body: Result<AdminJson<ShopperRequest>, ApiError>,
) -> Result<Json<ShopperExportAnswer>, ApiError> {
    caller.owner()?;
    let AdminJson(request) = body?;
    let campaign = scope(&caller, &request)?;
    let b = &state.backends;
    let export = privacy::export::export(b, &request.email, campaign.as_deref(), &caller.actor).await?;
    let expires_at = format_iso8601_ms(now_ms() + LINK_TTL.as_millis() as i64);
    let mut receipts = Vec::new();
    for r in &export.receipts {
        let url = b.objects.presign_get(&r.key, LINK_TTL).await?;
        receipts.push(ExportedReceipt { file: r.name.clone(), url, expires_at: expires_at.clone() });
    }
    let doc = &export.document;
    let held = counts(doc, receipts.len());
    let nothing_held =
        held.entries + held.referrers + held.credits + held.entry_limits + held.queued + held.mails + held.receipts
            == 0;
    // Whether any consent record is a marketing one (its pending/confirmed state is in `document`).
    let marketing_consent = (!doc.consents.is_empty())
        .then(|| doc.consents.iter().any(|c| c.consent.kind == vouch_core::consent::ConsentKind::Marketing));
    let document =
        serde_json::to_value(doc).map_err(|_| ApiError::new(ErrorCode::Internal, "The export could not be made."))?;
    Ok(Json(ShopperExportAnswer { nothing_held, held, marketing_consent, document, receipts }))
}

/// Removes or anonymises everything held about a shopper (stores and receipts); audited. An
/// unknown mailbox answers `nothing_held: true`; erasing twice is harmless.
#[utoipa::path(post, path = "/admin/v1/shoppers/erase", tag = "shoppers", request_body = ShopperRequest,
    responses((status = 200, body = ErasureReport), (status = 401), (status = 403, description = "`forbidden` (owners only) or `csrf_rejected`"),
        (status = 404, description = "`campaign_not_found`"), (status = 422, description = "`validation_failed`: `email` is not an e-mail address")))]
pub async fn erase(
    State(state): State<SharedAdmin>,
    caller: Caller,
    body: Result<AdminJson<ShopperRequest>, ApiError>,
) -> Result<Json<ErasureReport>, ApiError> {
    caller.owner()?;
    let AdminJson(request) = body?;
    let campaign = scope(&caller, &request)?;
    Ok(Json(privacy::erase::erase(&state.backends, &request.email, campaign.as_deref(), &caller.actor).await?))
}
