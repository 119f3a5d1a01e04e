//! `vouch shopper erase`: removes or irreversibly anonymises everything held about a shopper,
//! in the stores and the object store. Each step is idempotent and the tombstone is written
//! first, so a rerun after a crash completes the erase and an in-flight entry stays out.

use serde::Serialize;

use super::{gather, shopper, PrivacyError};
use crate::app::wiring::Backends;

/// What an erase did, for the operator (counts only: nothing personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErasureReport {
    /// The erasure log's id of this erase.
    pub erasure_id: String,
    /// Nothing was held: the answer to an unknown address (not an error).
    pub nothing_held: bool,
    /// The identity was erased before (a repeat request), at these times.
    pub erased_before: Vec<i64>,
    pub entries: u64,
    pub referrers: u64,
    pub credits: u64,
    pub entry_limits: u64,
    pub queued: u64,
    pub objects: u64,
    pub mails: u64,
}

/// Erases `email`'s data (in `campaign`, or everywhere) as `actor`; audited.
pub async fn erase(
    backends: &Backends,
    email: &str,
    campaign: Option<&str>,
    actor: &str,
) -> Result<ErasureReport, PrivacyError> {
    let who = shopper(backends, email, campaign)?;
    let _held = gather(backends, &who).await?;
    let _ = actor;
    todo!("erase")
}
