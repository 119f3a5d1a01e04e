//! Per-client rate limits on the write routes, configured per campaign. A flood from one IP gets
//! 429 with `Retry-After` while everyone else is served as usual.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use vouch_core::moderation::{CLIENT_BURST_ENTRIES, CLIENT_BURST_WINDOW_SECS};

use crate::campaigns::{Campaigns, RateLimits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Entries,
    Uploads,
    /// Joins, visits and browser-reported conversions (they share the entry quota).
    Referrals,
    /// Funnel event batches (`POST /v1/events`): an allowance of their own, so a page's beacons
    /// never use up its shopper's entries.
    Events,
}

struct CampaignLimiters {
    entries: DefaultKeyedRateLimiter<IpAddr>,
    uploads: DefaultKeyedRateLimiter<IpAddr>,
    referrals: DefaultKeyedRateLimiter<IpAddr>,
    events: DefaultKeyedRateLimiter<IpAddr>,
    /// Not a limit: entries beyond it are only flagged as a client burst (moderation).
    burst_watch: DefaultKeyedRateLimiter<IpAddr>,
}

/// Checks between two sweeps of idle clients on the request path, besides the janitor's.
const SWEEP_EVERY: u32 = 4096;

#[derive(Clone, Default)]
pub struct Limiter {
    by_campaign: Arc<HashMap<String, CampaignLimiters>>,
    checks: Arc<AtomicU32>,
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

fn burst_watch() -> DefaultKeyedRateLimiter<IpAddr> {
    let entries = NonZeroU32::new(CLIENT_BURST_ENTRIES).unwrap_or(NonZeroU32::MIN);
    let refill = Duration::from_secs(CLIENT_BURST_WINDOW_SECS) / entries.get();
    let quota = Quota::with_period(refill).unwrap_or_else(|| Quota::per_minute(entries)).allow_burst(entries);
    RateLimiter::keyed(quota)
}

impl Limiter {
    /// Whether this entry from `ip` is one too many in a short time (a fraud signal, not a refusal).
    pub fn client_burst(&self, campaign: &str, ip: IpAddr) -> bool {
        self.by_campaign.get(campaign).is_some_and(|l| l.burst_watch.check_key(&ip).is_err())
    }

    pub fn new(campaigns: &Campaigns) -> Self {
        let by_campaign = campaigns
            .ids()
            .filter_map(|id| campaigns.get(id))
            .map(|c| {
                let RateLimits {
                    entries_per_minute,
                    entries_burst,
                    uploads_per_minute,
                    uploads_burst,
                    events_per_minute,
                    events_burst,
                } = c.limits;
                let limiters = CampaignLimiters {
                    referrals: keyed(entries_per_minute, entries_burst),
                    entries: keyed(entries_per_minute, entries_burst),
                    uploads: keyed(uploads_per_minute, uploads_burst),
                    events: keyed(events_per_minute, events_burst),
                    burst_watch: burst_watch(),
                };
                (c.id().to_string(), limiters)
            })
            .collect();
        Self { by_campaign: Arc::new(by_campaign), checks: Arc::default() }
    }

    /// `Err(wait)` when `ip` must wait before its next request on this route.
    pub fn check(&self, campaign: &str, route: Route, ip: IpAddr) -> Result<(), Duration> {
        // A scan from many addresses must not grow memory until the janitor's next minute.
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.forget_idle_clients();
        }
        let Some(limiters) = self.by_campaign.get(campaign) else {
            return Ok(());
        };
        let limiter = match route {
            Route::Entries => &limiters.entries,
            Route::Uploads => &limiters.uploads,
            Route::Referrals => &limiters.referrals,
            Route::Events => &limiters.events,
        };
        limiter.check_key(&ip).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose allowance is full again, so memory stays bounded under scans.
    pub fn forget_idle_clients(&self) {
        for limiters in self.by_campaign.values() {
            limiters.entries.retain_recent();
            limiters.uploads.retain_recent();
            limiters.referrals.retain_recent();
            limiters.events.retain_recent();
            limiters.burst_watch.retain_recent();
            for limiter in
                [&limiters.entries, &limiters.uploads, &limiters.referrals, &limiters.events, &limiters.burst_watch]
            {
                limiter.shrink_to_fit();
            }
        }
    }

    /// Clients remembered across all campaigns and routes.
    pub fn tracked_clients(&self) -> usize {
        self.by_campaign.values().map(|l| l.entries.len() + l.uploads.len() + l.referrals.len() + l.events.len()).sum()
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
        limiter_with(1, burst)
    }

    fn limiter_with(per_minute: u32, burst: u32) -> Limiter {
        let mut campaigns = Campaigns::default();
        let text = format!(
            "id = \"demo\"\nname = \"Demo\"\n[limits]\nentries_per_minute = {per_minute}\nentries_burst = {burst}"
        );
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
    fn event_batches_neither_use_nor_wait_for_the_entries_allowance() {
        let limiter = limiter(1);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(limiter.check("demo", Route::Entries, ip).is_ok());
        assert!(limiter.check("demo", Route::Entries, ip).is_err());
        for _ in 0..RateLimits::default().events_burst {
            assert!(limiter.check("demo", Route::Events, ip).is_ok());
        }
        assert!(limiter.check("demo", Route::Events, ip).is_err());
    }

    #[test]
    fn a_scan_from_many_addresses_does_not_grow_memory_without_bound() {
        // Allowance refills within microseconds, so a client is idle again almost at once.
        let limiter = limiter_with(60_000_000, 1);
        let mut most = 0;
        for i in 0..100_000u32 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = limiter.check("demo", Route::Entries, ip);
            if i % 512 == 0 {
                std::thread::sleep(Duration::from_micros(50));
            }
            most = most.max(limiter.tracked_clients());
        }
        assert!(most <= 2 * SWEEP_EVERY as usize, "{most} clients remembered at once");
    }

    #[test]
    fn idle_clients_are_forgotten() {
        let limiter = limiter_with(60_000_000, 1);
        for i in 0..100u32 {
            let _ = limiter.check("demo", Route::Entries, IpAddr::V4(std::net::Ipv4Addr::from(i)));
        }
        assert_eq!(limiter.tracked_clients(), 100);
        std::thread::sleep(Duration::from_millis(5));
        limiter.forget_idle_clients();
        assert_eq!(limiter.tracked_clients(), 0);
    }

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1999)), 2);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
