//! Fulfilment's foundation: code pools as the operator and the flows see them. The store keeps
//! the codes (`backends::codes`); here are the import file's rules, each pool's status against
//! the campaign's settings, the low-water watch behind the metrics, and the `vouch codes` commands.
//!
//! A flow hands out a code with one call, [`claim`]: the store's exactly-once claim, followed by
//! the watch that tells the operator once when the pool falls under its mark or runs dry.

pub mod cli;
pub mod credits;
pub mod file;
pub mod fulfil;
pub mod import;
pub mod pools;
pub mod verdicts;
pub mod watch;

use vouch_core::codes::Pool;

use crate::backends::codes::{Claim, Codes};
use crate::backends::Result;
use crate::campaigns::Campaign;
use watch::PoolWatch;

/// Claims `owed_id`'s code from `pool` (the same code on every call); `None` when the campaign
/// hands out no codes of this kind. Then checks the pool's level: right away when the item has to
/// wait, otherwise every few seconds per campaign, so counting the pools stays off the hot path.
pub async fn claim(
    codes: &dyn Codes,
    watch: &PoolWatch,
    campaign: &Campaign,
    pool: Pool,
    owed_id: &str,
) -> Result<Option<Claim>> {
    if !campaign.code_pools.contains_key(&pool) {
        return Ok(None);
    }
    let claim = codes.claim(campaign.id(), pool, owed_id).await?;
    if claim == Claim::AwaitingCode || watch.due(campaign.id()) {
        watch.observe(&pools::status(campaign, codes).await?, campaign.id());
    }
    Ok(Some(claim))
}
