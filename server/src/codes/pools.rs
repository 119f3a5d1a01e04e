//! A campaign's pools as the operator sees them: the store's counts with the campaign file's
//! low-water marks, including pools the store still holds codes for but the file no longer
//! declares.

use serde::Serialize;
use vouch_core::codes::{pool_level, Pool, PoolLevel};

use crate::backends::codes::{Codes, PoolCounts};
use crate::backends::Result;
use crate::campaigns::Campaign;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolStatus {
    pub pool: Pool,
    #[serde(flatten)]
    pub counts: PoolCounts,
    /// `None` when the campaign file does not declare the pool.
    pub low_water: Option<u64>,
    pub level: PoolLevel,
}

impl PoolStatus {
    /// Taken out of the campaign file while owed items hold or wait for its codes: those items
    /// could no longer be served or shown as the campaign says, so the operator must decide.
    pub fn removed_in_use(&self) -> bool {
        self.low_water.is_none() && (self.counts.assigned > 0 || self.counts.awaiting > 0)
    }
}

/// Every pool the campaign declares (empty ones too) and every other pool the store holds.
pub async fn status(campaign: &Campaign, codes: &dyn Codes) -> Result<Vec<PoolStatus>> {
    let stored = codes.status(campaign.id()).await?;
    let counts = |pool: Pool| stored.iter().find(|(p, _)| *p == pool).map(|(_, c)| *c);
    Ok(Pool::ALL
        .into_iter()
        .filter_map(|pool| {
            let low_water = campaign.code_pools.get(&pool).map(|p| p.low_water);
            let counts = match (counts(pool), low_water) {
                (None, None) => return None,
                (c, _) => c.unwrap_or_default(),
            };
            let level = pool_level(counts.available, counts.awaiting, low_water.unwrap_or(0));
            Some(PoolStatus { pool, counts, low_water, level })
        })
        .collect())
}

/// The clear error for a pool removed from the campaign file while in use, if there is one.
pub fn removed_in_use(campaign: &str, statuses: &[PoolStatus]) -> Option<String> {
    let s = statuses.iter().find(|s| s.removed_in_use())?;
    Some(format!(
        "campaign {campaign}: pool {pool} is no longer in the campaign file, but {} codes are assigned from it and {} \
         items wait for one; put [codes.{pool}] back into the campaign file",
        s.counts.assigned,
        s.counts.awaiting,
        pool = s.pool.as_str(),
    ))
}

/// At start, beside it (a store that is down must not hold the start up): a warning for each
/// campaign whose file dropped a pool still in use. The campaign files load without the store, so
/// this is where the server can see it; `vouch codes` refuses to work on such a campaign.
pub async fn warn_removed_in_use(campaigns: crate::campaigns::Campaigns, codes: std::sync::Arc<dyn Codes>) {
    for id in campaigns.ids() {
        let Some(campaign) = campaigns.get(id) else { continue };
        match status(&campaign, codes.as_ref()).await {
            Ok(statuses) => {
                for s in statuses.iter().filter(|s| s.removed_in_use()) {
                    let (pool, assigned, awaiting) = (s.pool.as_str(), s.counts.assigned, s.counts.awaiting);
                    tracing::warn!(
                        campaign = id,
                        pool,
                        assigned,
                        awaiting,
                        "a code pool in use is no longer in the campaign file; put [codes.<pool>] back"
                    );
                }
            }
            Err(e) => tracing::warn!(campaign = id, error = %e, "cannot check the campaign's code pools"),
        }
    }
}
