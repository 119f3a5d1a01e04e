//! Code pools: `GET /admin/v1/campaigns/{campaign}/codes` (levels against the low-water marks)
//! and `POST …/codes/{pool}` (import a file), through the same functions as `vouch codes status`
//! and `vouch codes import`. Answers name counts, never a code.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::Serialize;
use vouch_core::codes::{Pool, PoolLevel};
use vouch_core::ErrorCode;

use super::{Caller, SharedAdmin};
use crate::codes::import::{self, ImportError};
use crate::codes::pools;
use crate::http::error::ApiError;

/// The largest import accepted in one request (about 100,000 codes of 40 characters).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Backend(b) => b.into(),
            ImportError::Invalid(lines) => {
                let shown: Vec<String> = lines.iter().take(20).map(|(n, why)| format!("line {n}: {why}")).collect();
                let more = if lines.len() > 20 { format!("; {} more", lines.len() - 20) } else { String::new() };
                let message = format!("{}: {}{more}", ImportError::Invalid(lines.clone()), shown.join("; "));
                ApiError::new(ErrorCode::ValidationFailed, message)
            }
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

/// One pool of the campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PoolRow {
    /// `entry`, `winner`, `referrer` or `friend`.
    #[schema(value_type = String)]
    pub pool: Pool,
    pub available: u64,
    pub assigned: u64,
    /// Owed items waiting for a code of this pool.
    pub awaiting: u64,
    /// `null`: the campaign file no longer declares the pool.
    pub low_water: Option<u64>,
    /// `ok`, `low` (under the low-water mark) or `dry` (empty, or items wait).
    #[schema(value_type = String)]
    pub level: PoolLevel,
}

/// Every pool the campaign declares, and any other the store still holds codes for.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/codes", tag = "codes",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, body = [PoolRow]), (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn status(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<PoolRow>>, ApiError> {
    let campaign = caller.read(&campaign)?;
    let statuses = pools::status(&campaign, state.backends.codes.as_ref()).await?;
    Ok(Json(
        statuses
            .into_iter()
            .map(|s| PoolRow {
                pool: s.pool,
                available: s.counts.available,
                assigned: s.counts.assigned,
                awaiting: s.counts.awaiting,
                low_water: s.low_water,
                level: s.level,
            })
            .collect(),
    ))
}

/// What an import did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportRow {
    #[schema(value_type = String)]
    pub pool: Pool,
    /// Codes added.
    pub new: u64,
    /// Codes already in one of the campaign's pools, or repeated in the file: not added again.
    pub duplicate: u64,
    /// Waiting items that got a code now.
    pub filled: u64,
    /// Codes mailed after the import (the filled items', and any a crash held back).
    pub mailed: u64,
}

fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// Imports codes into a pool: `text/plain` (one code a line) or `text/csv` (codes in the first
/// column; a header line is fine). A file with an invalid line imports nothing; audited.
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/codes/{pool}", tag = "codes",
    params(("campaign" = String, Path, description = "Campaign id"),
        ("pool" = String, Path, description = "entry, winner, referrer or friend")),
    request_body(content((String = "text/plain"), (String = "text/csv")), description = "One code a line, or CSV"),
    responses((status = 200, body = ImportRow), (status = 401), (status = 403, description = "`forbidden` or `csrf_rejected`"),
        (status = 404, description = "`not_found`: no such pool in this campaign"),
        (status = 409, description = "`conflict`: a pool taken out of the campaign file is still in use"),
        (status = 413, description = "`body_too_large`"), (status = 415, description = "`unsupported_media_type`"),
        (status = 422, description = "`validation_failed`: empty, not text, or invalid lines (named by number)")))]
pub async fn import(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, pool)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportRow>, ApiError> {
    let campaign = caller.write(&campaign)?;
    let csv = match media_type(&headers).as_deref() {
        Some("text/csv") => true,
        Some("text/plain") => false,
        _ => {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the codes as text/plain (one a line) or text/csv.",
            ))
        }
    };
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES).await.map_err(|_| {
        ApiError::new(
            ErrorCode::BodyTooLarge,
            format!("An import must be at most {MAX_IMPORT_BYTES} bytes; split the file."),
        )
    })?;
    let b = &state.backends;
    let done = import::import(&campaign, &pool, &bytes, csv, b.codes.as_ref()).await?;
    let detail = format!("new {}, duplicate {}, filled {}", done.new, done.duplicate, done.filled);
    super::audit(b, campaign.id(), &caller.actor, "codes.import", done.pool.as_str(), &detail).await?;
    let mailed = import::deliver(b, &state.campaigns).await? as u64;
    Ok(Json(ImportRow { pool: done.pool, new: done.new, duplicate: done.duplicate, filled: done.filled, mailed }))
}
