//! `GET /admin/v1/campaigns/{campaign}/entries` (a keyset page of the entry search),
//! `…/entries/{entry_id}` (one entry with its review case, audit trail and receipt links) and
//! `…/entries.csv` (the same filter, streamed page by page in constant memory).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use vouch_core::ErrorCode;

use super::audit::AuditRow;
use super::entry_query::EntryParams;
use super::query::AdminQuery;
use super::receipt_links::{links, ReceiptLinks};
use super::{Caller, SharedAdmin};
use crate::backends::StoredEntry;
use crate::clock::now_ms;
use crate::crypto::format_iso8601_ms;
use crate::entries::export::{csv_stream, EXPORT_PAGE};
use crate::entries::search::search;
use crate::http::error::ApiError;

/// One row of the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryRow {
    pub entry_id: String,
    /// `accepted`, `confirmed`, `rejected`, `pending_review` or `approved`.
    pub status: String,
    /// Why it was rejected, when it was.
    pub reason: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub has_receipt: bool,
    /// RFC 3339, UTC.
    pub accepted_at: String,
}

impl From<&StoredEntry> for EntryRow {
    fn from(e: &StoredEntry) -> Self {
        Self {
            entry_id: e.entry_id.clone(),
            status: e.status.as_str().into(),
            reason: e.reason.map(|r| r.code().into()),
            first_name: e.entrant.first_name.clone(),
            last_name: e.entrant.last_name.clone(),
            email: e.entrant.email.clone(),
            has_receipt: e.receipt_key.is_some(),
            accepted_at: format_iso8601_ms(e.accepted_at_ms),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryPageBody {
    pub entries: Vec<EntryRow>,
    /// Pass as `cursor` for the next page; absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A campaign's entries, newest first, one page at a time.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/entries", tag = "entries",
    params(("campaign" = String, Path, description = "Campaign id"), EntryParams),
    responses((status = 200, body = EntryPageBody), (status = 400, description = "`invalid_query`: a parameter given twice"),
        (status = 422, description = "`validation_failed`: the message starts with the bad parameter's name"),
        (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn list(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
    AdminQuery(params): AdminQuery<EntryParams>,
) -> Result<Json<EntryPageBody>, ApiError> {
    caller.read(&campaign)?;
    let limit = params.limit()?;
    let store = state.backends.search.as_ref();
    let page = search(store, &campaign, &params.filter(), params.cursor.as_deref(), limit).await?;
    Ok(Json(EntryPageBody {
        entries: page.entries.iter().map(EntryRow::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Why an entry waits (or waited) for a person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewCaseBody {
    /// `disposable_email`, `client_burst`, `near_duplicate`, …
    pub signals: Vec<String>,
    /// The earlier entry whose receipt this one duplicates.
    pub duplicate_of: Option<String>,
    /// RFC 3339, UTC.
    pub opened_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryFields {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postal_code: Option<String>,
    pub referral_code: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Consents {
    /// Ticked the marketing box (it counts only once `marketing_state` is `confirmed`).
    pub marketing: bool,
    /// `pending` until the shopper clicks the mailed confirmation link, then `confirmed`;
    /// absent when the box was not ticked (or the entry predates consent records).
    pub marketing_state: Option<vouch_core::consent::MarketingState>,
    /// RFC 3339, UTC: when the shopper confirmed.
    pub marketing_confirmed_at: Option<String>,
    /// The consent records of this entry: the words shown, their version, language and origin.
    pub records: Vec<crate::consents::MailboxConsent>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryDetail {
    pub entry_id: String,
    pub campaign: String,
    pub status: String,
    pub reason: Option<String>,
    pub fields: EntryFields,
    pub consents: Consents,
    /// The language the shopper was answered in.
    pub locale: Option<String>,
    /// RFC 3339, UTC.
    pub accepted_at: String,
    pub processed_at: String,
    /// Present when the entry went to review.
    pub review: Option<ReviewCaseBody>,
    /// Links signed for a few minutes; absent without a receipt.
    pub receipt: Option<ReceiptLinks>,
    /// What operators did to this entry, oldest first.
    pub audit: Vec<AuditRow>,
}

/// One entry with its review case, receipt links and audit trail.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/entries/{entry_id}", tag = "entries",
    params(("campaign" = String, Path, description = "Campaign id"), ("entry_id" = String, Path, description = "Entry id")),
    responses((status = 200, body = EntryDetail), (status = 401), (status = 403, description = "`forbidden`"),
        (status = 404, description = "`entry_not_found`")))]
pub async fn detail(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, entry_id)): Path<(String, String)>,
) -> Result<Json<EntryDetail>, ApiError> {
    caller.read(&campaign)?;
    let b = &state.backends;
    let entry =
        b.store.get_entry(&campaign, &entry_id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::EntryNotFound, "This campaign has no recorded entry with this id.")
        })?;
    let review = b.moderation.case(&campaign, &entry_id).await?.map(|c| ReviewCaseBody {
        signals: c.signals,
        duplicate_of: c.duplicate_of,
        opened_at: format_iso8601_ms(c.opened_at_ms),
    });
    let receipt = match &entry.receipt_key {
        Some(key) => links(b.objects.as_ref(), key, now_ms()).await?,
        None => None,
    };
    let audit = b.moderation.list_audit(&campaign).await?;
    let audit = audit.into_iter().filter(|r| r.subject == entry_id).map(AuditRow::from).collect();
    let e = entry.entrant;
    let records: Vec<crate::consents::MailboxConsent> =
        crate::consents::consents_of_mailbox(b.consents.as_ref(), &e.email, Some(&campaign))
            .await?
            .into_iter()
            .filter(|r| r.source == entry_id)
            .map(Into::into)
            .collect();
    let marketing = records.iter().find(|r| r.marketing.is_some());
    let consents = Consents {
        marketing: e.marketing_consent,
        marketing_state: marketing.and_then(|r| r.marketing),
        marketing_confirmed_at: marketing.and_then(|r| r.confirmed_at_ms).map(format_iso8601_ms),
        records,
    };
    Ok(Json(EntryDetail {
        status: entry.status.as_str().into(),
        reason: entry.reason.map(|r| r.code().into()),
        fields: EntryFields {
            first_name: e.first_name,
            last_name: e.last_name,
            email: e.email,
            phone: e.phone,
            postal_code: e.postal_code,
            referral_code: e.referral_code,
        },
        consents,
        locale: entry.locale.map(|l| l.code().to_string()),
        accepted_at: format_iso8601_ms(entry.accepted_at_ms),
        processed_at: format_iso8601_ms(entry.processed_at_ms),
        review,
        receipt,
        audit,
        entry_id: entry.entry_id,
        campaign: entry.campaign,
    }))
}

/// The filtered entries as CSV (the `vouch entries export` columns), streamed.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/entries.csv", tag = "entries",
    params(("campaign" = String, Path, description = "Campaign id"), EntryParams),
    responses((status = 200, content_type = "text/csv", body = String, description = "All matching entries, newest first; `cursor` and `limit` are ignored"),
        (status = 400, description = "`invalid_query`"), (status = 422, description = "`validation_failed`"), (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn csv(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
    AdminQuery(params): AdminQuery<EntryParams>,
) -> Result<Response, ApiError> {
    let campaign = caller.read(&campaign)?.id().to_string();
    let query = params.filter().query()?;
    let disposition = format!("attachment; filename=\"{campaign}-entries.csv\"");
    let mut rows = Box::pin(csv_stream(state.backends.search.clone(), None, campaign, query, EXPORT_PAGE));
    // The first page is read before answering, so a store outage is a 503, not a cut-off file.
    let first = rows.next().await.transpose()?;
    let rest = rows.map_err(|e| {
        tracing::warn!(error = %e, "an entries export stopped");
        std::io::Error::other("the store failed mid-export")
    });
    let body = Body::from_stream(futures_util::stream::iter(first.map(Ok)).chain(rest));
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        body,
    )
        .into_response())
}
