//! Importing a file of codes into a pool, as `vouch codes import` and the admin API
//! (`POST …/codes/{pool}`) do it: the file's rules, the pool's, the store's import (codes already
//! in any of the campaign's pools are counted as duplicates, not stored twice), then the waiting
//! items the new codes fill. Reports name lines and counts, never a code.

use vouch_core::codes::{valid_code, Pool};
use vouch_core::ErrorCode;

use super::file::{self, FileError};
use super::pools;
use crate::backends::codes::Codes;
use crate::backends::BackendError;
use crate::campaigns::Campaign;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("unknown pool {0:?}: the pools are entry, winner, referrer and friend")]
    UnknownPool(String),
    #[error("campaign {campaign} has no {pool} pool: declare [codes.{pool}] in its campaign file first")]
    NotDeclared { campaign: String, pool: &'static str },
    /// A pool the campaign file dropped while in use: the operator must decide first.
    #[error("{0}")]
    RemovedInUse(String),
    #[error("nothing imported: {0}")]
    File(#[from] FileError),
    /// Invalid lines (line number, problem); nothing was imported.
    #[error("nothing imported: {} invalid line(s); fix or remove them and import again", .0.len())]
    Invalid(Vec<(u64, String)>),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl ImportError {
    /// The public error code, for the admin API's one error-to-HTTP mapping.
    pub fn code(&self) -> ErrorCode {
        match self {
            ImportError::UnknownPool(_) | ImportError::NotDeclared { .. } => ErrorCode::NotFound,
            ImportError::RemovedInUse(_) => ErrorCode::Conflict,
            ImportError::File(_) | ImportError::Invalid(_) => ErrorCode::ValidationFailed,
            ImportError::Backend(BackendError::Unavailable(..)) => ErrorCode::Unavailable,
            ImportError::Backend(BackendError::Corrupt(_)) => ErrorCode::Internal,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub pool: Pool,
    /// Codes added to the pool.
    pub new: u64,
    /// Codes already in one of the campaign's pools (or repeated in the file): not added again.
    pub duplicate: u64,
    /// Items that waited for a code of this pool and got one now.
    pub filled: u64,
}

/// Imports the codes of `bytes` (CSV with codes in the first column when `csv` or when the file
/// looks like CSV, else one code a line) into `pool`. All or nothing for invalid lines.
pub async fn import(
    campaign: &Campaign,
    pool: &str,
    bytes: &[u8],
    csv: bool,
    codes: &dyn Codes,
) -> Result<Imported, ImportError> {
    let pool = Pool::parse(pool).ok_or_else(|| ImportError::UnknownPool(pool.to_string()))?;
    if !campaign.code_pools.contains_key(&pool) {
        return Err(ImportError::NotDeclared { campaign: campaign.id().to_string(), pool: pool.as_str() });
    }
    if let Some(problem) = pools::removed_in_use(campaign.id(), &pools::status(campaign, codes).await?) {
        return Err(ImportError::RemovedInUse(problem));
    }
    let lines = file::read(bytes, csv)?;
    let invalid: Vec<_> =
        lines.iter().filter_map(|l| valid_code(&l.code).err().map(|problem| (l.line, problem.to_string()))).collect();
    if !invalid.is_empty() {
        return Err(ImportError::Invalid(invalid));
    }
    let all: Vec<String> = lines.into_iter().map(|l| l.code).collect();
    let report = codes.import(campaign.id(), pool, &all).await?;
    let filled = codes.fill_awaiting(campaign.id(), pool).await?;
    Ok(Imported { pool, new: report.new, duplicate: report.duplicate, filled: filled.len() as u64 })
}

/// After an import: mails the codes it filled (and any a crash held back); how many went out.
pub async fn deliver(
    backends: &crate::app::wiring::Backends,
    campaigns: &crate::campaigns::Campaigns,
) -> crate::backends::Result<usize> {
    let recipients = super::fulfil::Recipients {
        store: backends.store.as_ref(),
        referrals: backends.referrals.as_ref(),
        webhooks: &backends.webhooks,
    };
    let sent = super::fulfil::deliver_filled(backends.codes.as_ref(), backends.mailer.as_ref(), &recipients, campaigns)
        .await?;
    Ok(sent)
}
