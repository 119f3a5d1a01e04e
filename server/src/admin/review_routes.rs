//! The moderation queue: `GET …/review` (oldest first, a page at a time), `GET …/review/reasons`
//! and `POST …/entries/{entry_id}/decision`, through the same [`Reviews`] as `vouch review`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use vouch_core::i18n::{reject_reason, Locale};
use vouch_core::moderation::{Decision, DecisionError, ReviewReason};
use vouch_core::ErrorCode;

use super::json::AdminJson;
use super::query::{self, AdminQuery};
use super::receipt_links::full_link;
use super::{Caller, SharedAdmin};
use crate::backends::entry_search::Cursor;
use crate::backends::StoredEntry;
use crate::codes::fulfil::Fulfil;
use crate::crypto::format_iso8601_ms;
use crate::http::error::ApiError;
use crate::review::{Pending, ReviewError, Reviews};

/// A page holds at most this many items; a console shows one at a time and loads ahead.
const MAX_LIMIT: u32 = 100;
const DEFAULT_LIMIT: u32 = 20;

impl From<ReviewError> for ApiError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::UnknownEntry(_) => ApiError::new(ErrorCode::NotFound, "No such entry in this campaign."),
            ReviewError::NotPending { .. } => ApiError::new(ErrorCode::Conflict, e.to_string()),
            ReviewError::Backend(b) => b.into(),
        }
    }
}

/// Admin bodies are not the entry form, whose fields `FieldError` names: the message names the
/// parameter instead.
pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, message)
}

impl From<DecisionError> for ApiError {
    fn from(e: DecisionError) -> Self {
        invalid(e.to_string())
    }
}

/// An entry's fields as a reviewer sees them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewEntry {
    pub entry_id: String,
    /// `pending_review`, `approved`, `rejected`, …
    pub status: String,
    /// The shopper-facing reason code of a rejection.
    pub reason: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postal_code: Option<String>,
    pub marketing_consent: bool,
    pub referral_code: Option<String>,
    /// The language the shopper entered in (`en`, `de`, `es`), when known.
    pub locale: Option<String>,
    /// RFC 3339, UTC.
    pub accepted_at: String,
    /// RFC 3339, UTC.
    pub processed_at: String,
    /// Whether a receipt image is stored with the entry.
    pub has_receipt: bool,
}

impl From<StoredEntry> for ReviewEntry {
    fn from(e: StoredEntry) -> Self {
        Self {
            status: e.status.as_str().to_string(),
            reason: e.reason.map(|r| r.code().to_string()),
            first_name: e.entrant.first_name,
            last_name: e.entrant.last_name,
            email: e.entrant.email,
            phone: e.entrant.phone,
            postal_code: e.entrant.postal_code,
            marketing_consent: e.entrant.marketing_consent,
            referral_code: e.entrant.referral_code,
            locale: e.locale.map(|l| l.code().to_string()),
            accepted_at: format_iso8601_ms(e.accepted_at_ms),
            processed_at: format_iso8601_ms(e.processed_at_ms),
            has_receipt: e.receipt_key.is_some(),
            entry_id: e.entry_id,
        }
    }
}

/// Why an entry waits, and what it may copy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewCaseView {
    /// `disposable_email`, `client_burst`, `near_duplicate`; empty when every entry waits.
    pub signals: Vec<String>,
    /// The earlier entry whose receipt this one nearly copies.
    pub duplicate_of: Option<String>,
    /// Whether that earlier entry still has its receipt stored.
    pub duplicate_has_receipt: bool,
    /// RFC 3339, UTC.
    pub opened_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub entry: ReviewEntry,
    pub case: ReviewCaseView,
    /// The entry's receipt, a link signed for a few minutes (the bucket stays private).
    pub receipt_url: Option<String>,
    /// The receipt of `case.duplicate_of`, signed the same way, to show beside it.
    pub duplicate_receipt_url: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    pub items: Vec<ReviewItem>,
    /// Hand back as `cursor` for the next page; absent when the queue has been read to its end.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1 to 100; default 20.
    pub limit: Option<u32>,
    /// A `next_cursor` from the page before.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionBody {
    /// `approve` or `reject`.
    pub decision: String,
    /// With `reject`: one of the codes of `GET …/review/reasons`.
    pub reason: Option<String>,
    /// Told to the shopper in the e-mail; required with the reason `other`.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReasonView {
    pub code: String,
    pub note_required: bool,
    /// What the shopper is told (English).
    pub shopper_text: String,
}

fn reviews<'a>(state: &'a SharedAdmin, fulfil: &'a Fulfil) -> Reviews<'a> {
    let b = &state.backends;
    Reviews {
        store: b.store.as_ref(),
        moderation: b.moderation.as_ref(),
        mailer: b.mailer.as_ref(),
        campaigns: &state.campaigns,
        fulfil,
    }
}

fn fulfil(state: &SharedAdmin) -> Fulfil {
    Fulfil::new(state.backends.codes.clone(), state.backends.code_watch.clone())
}

async fn item(state: &SharedAdmin, campaign: &str, p: Pending) -> Result<ReviewItem, ApiError> {
    let case = p.case.unwrap_or_else(|| crate::backends::review::ReviewCase {
        campaign: campaign.to_string(),
        entry_id: p.entry.entry_id.clone(),
        locale: Locale::default(),
        signals: Vec::new(),
        duplicate_of: None,
        opened_at_ms: p.entry.processed_at_ms,
    });
    let objects = state.backends.objects.as_ref();
    let duplicate_key = match &case.duplicate_of {
        Some(id) => state.backends.store.get_entry(campaign, id).await?.and_then(|d| d.receipt_key),
        None => None,
    };
    let duplicate_has_receipt = duplicate_key.is_some();
    let duplicate_receipt_url = match &duplicate_key {
        Some(key) => full_link(objects, key).await?,
        None => None,
    };
    let receipt_url = match &p.entry.receipt_key {
        Some(key) => full_link(objects, key).await?,
        None => None,
    };
    Ok(ReviewItem {
        receipt_url,
        duplicate_receipt_url,
        entry: p.entry.into(),
        case: ReviewCaseView {
            signals: case.signals,
            duplicate_of: case.duplicate_of,
            duplicate_has_receipt,
            opened_at: format_iso8601_ms(case.opened_at_ms),
        },
    })
}

/// Entries waiting for review, oldest first, a page at a time.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/review", tag = "moderation",
    params(("campaign" = String, Path, description = "Campaign id"), PageParams),
    responses((status = 200, body = ReviewPage), (status = 401), (status = 403, description = "`forbidden`"),
        (status = 422, description = "`validation_failed`: a limit out of range or a cursor not handed out")))]
pub async fn queue(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
    AdminQuery(params): AdminQuery<PageParams>,
) -> Result<Json<ReviewPage>, ApiError> {
    caller.read(&campaign)?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(query::invalid("limit", format!("must be between 1 and {MAX_LIMIT}.")));
    }
    let cursor = match params.cursor.as_deref() {
        Some(text) => {
            Some(Cursor::decode(text).ok_or_else(|| query::invalid("cursor", "was not handed out by this route."))?)
        }
        None => None,
    };
    let fulfil = fulfil(&state);
    let page = reviews(&state, &fulfil)
        .pending_page(state.backends.search.as_ref(), &campaign, cursor.as_ref(), limit)
        .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for p in page.items {
        items.push(item(&state, &campaign, p).await?);
    }
    Ok(Json(ReviewPage { items, next_cursor: page.next_cursor }))
}

/// The reasons a reviewer may reject with, in the order the console numbers them (1, 2, …).
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/review/reasons", tag = "moderation",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, body = [ReasonView]), (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn reasons(caller: Caller, Path(campaign): Path<String>) -> Result<Json<Vec<ReasonView>>, ApiError> {
    caller.read(&campaign)?;
    let reasons = ReviewReason::ALL.into_iter().map(|r| ReasonView {
        code: r.code().to_string(),
        note_required: Decision::reject(r.code(), None) == Err(DecisionError::NoteRequired),
        shopper_text: reject_reason(r.reject_reason(), Locale::En).to_string(),
    });
    Ok(Json(reasons.collect()))
}

/// Approves or rejects an entry waiting for review; the shopper gets one e-mail. The same
/// decision again is answered as the first; the opposite one is `conflict`.
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/entries/{entry_id}/decision", tag = "moderation",
    params(("campaign" = String, Path, description = "Campaign id"), ("entry_id" = String, Path, description = "Entry id")),
    request_body = DecisionBody,
    responses((status = 200, body = ReviewEntry, description = "The entry as decided"), (status = 401),
        (status = 403, description = "`forbidden`, `csrf_rejected`"), (status = 404, description = "`not_found`: no such entry in this campaign"),
        (status = 409, description = "`conflict`: the entry was decided otherwise"), (status = 422, description = "`validation_failed`")))]
pub async fn decide(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, entry_id)): Path<(String, String)>,
    body: Result<AdminJson<DecisionBody>, ApiError>,
) -> Result<Json<ReviewEntry>, ApiError> {
    caller.write(&campaign)?;
    let AdminJson(body) = body?;
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::reject(body.reason.as_deref().unwrap_or_default(), body.note.as_deref())?,
        _ => return Err(invalid("The decision must be approve or reject.")),
    };
    // Reviews::decide finds the entry in any campaign: the caller's scope is this one.
    if state.backends.store.get_entry(&campaign, &entry_id).await?.is_none() {
        return Err(ReviewError::UnknownEntry(entry_id).into());
    }
    let fulfil = fulfil(&state);
    let decided = reviews(&state, &fulfil).decide(&entry_id, &decision, &caller.actor).await?;
    crate::funnel::Funnel::new(state.backends.events.clone()).reviewed(&decided).await;
    Ok(Json(decided.into()))
}
