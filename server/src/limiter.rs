//! Per-client rate limits on the write routes, configured per campaign. A flood from one IP gets
//! 429 with `Retry-After` while everyone else is served as usual.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::campaigns::{Campaigns, RateLimits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Entries,
    Uploads,
    /// Joins, visits and browser-reported conversions (they share the entry quota).
    Referrals,
}

struct CampaignLimiters {
    entries: DefaultKeyedRateLimiter<IpAddr>,
    uploads: DefaultKeyedRateLimiter<IpAddr>,
    referrals: DefaultKeyedRateLimiter<IpAddr>,
}

#[derive(Clone, Default)]
pub struct Limiter {
    by_campaign: Arc<HashMap<String, CampaignLimiters>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter").field("campaigns", &self.by_campaign.len()).finish()
    }
}

fn keyed(per_minute: u32, burst: u32) -> DefaultKeyedRateLimiter<IpAddr> {
    let nz = |n: u32| NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    RateLimiter::keyed(Quota::per_minute(nz(per_minute)).allow_burst(nz(burst)))
}

impl Limiter {
    pub fn new(campaigns: &Campaigns) -> Self {
        let by_campaign = campaigns
            .ids()
            .filter_map(|id| campaigns.get(id))
            .map(|c| {
                let RateLimits { entries_per_minute, entries_burst, uploads_per_minute, uploads_burst } = c.limits;
                let limiters = CampaignLimiters {
                    referrals: keyed(entries_per_minute, entries_burst),
                    entries: keyed(entries_per_minute, entries_burst),
                    uploads: keyed(uploads_per_minute, uploads_burst),
                };
                (c.id().to_string(), limiters)
            })
            .collect();
        Self { by_campaign: Arc::new(by_campaign) }
    }

    /// `Err(wait)` when `ip` must wait before its next request on this route.
    pub fn check(&self, campaign: &str, route: Route, ip: IpAddr) -> Result<(), Duration> {
        let Some(limiters) = self.by_campaign.get(campaign) else {
            return Ok(());
        };
        let limiter = match route {
            Route::Entries => &limiters.entries,
            Route::Uploads => &limiters.uploads,
            Route::Referrals => &limiters.referrals,
        };
        limiter.check_key(&ip).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose allowance is full again, so memory stays bounded under scans.
    pub fn forget_idle_clients(&self) {
        for limiters in self.by_campaign.values() {
            limiters.entries.retain_recent();
            limiters.uploads.retain_recent();
            limiters.referrals.retain_recent();
        }
    }
}

/// Whole seconds to tell the client, rounded up so it never retries too early.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(burst: u32) -> Limiter {
        let mut campaigns = Campaigns::default();
        let text = format!("id = \"demo\"\nname = \"Demo\"\n[limits]\nentries_per_minute = 1\nentries_burst = {burst}");
        campaigns.insert(crate::campaigns::parse(&text).unwrap());
        Limiter::new(&campaigns)
    }

    #[test]
    fn a_client_over_its_burst_is_told_how_long_to_wait() {
        let limiter = limiter(2);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        assert!(limiter.check("demo", Route::Entries, ip).is_ok());
        assert!(limiter.check("demo", Route::Entries, ip).is_ok());
        let wait = limiter.check("demo", Route::Entries, ip).unwrap_err();
        assert!(retry_after_secs(wait) >= 1 && retry_after_secs(wait) <= 60);
    }

    #[test]
    fn other_clients_and_routes_keep_their_own_allowance() {
        let limiter = limiter(1);
        let flooder: IpAddr = "203.0.113.7".parse().unwrap();
        assert!(limiter.check("demo", Route::Entries, flooder).is_ok());
        assert!(limiter.check("demo", Route::Entries, flooder).is_err());
        assert!(limiter.check("demo", Route::Entries, "198.51.100.1".parse().unwrap()).is_ok());
        assert!(limiter.check("demo", Route::Uploads, flooder).is_ok());
    }

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1999)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
