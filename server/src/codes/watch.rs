//! The low-water watch: each pool's level on `/metrics`, and one warning when a pool falls under
//! its mark or runs dry (not on every claim while it stays there). Names campaigns and pools,
//! never a code.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vouch_core::codes::{Pool, PoolLevel};

use super::pools::PoolStatus;

/// How often a flow's claims check a campaign's pools (a claim that has to wait checks at once).
const CHECK_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Default)]
pub struct PoolWatch {
    levels: Arc<Mutex<HashMap<(String, Pool), PoolLevel>>>,
    checked: Arc<Mutex<HashMap<String, Instant>>>,
    alerts: Arc<std::sync::atomic::AtomicU64>,
}

impl PoolWatch {
    /// Whether `campaign`'s pools are due for a check; if so, counts it as checked now.
    pub fn due(&self, campaign: &str) -> bool {
        let mut checked = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match checked.get(campaign) {
            Some(at) if now.duration_since(*at) < CHECK_EVERY => false,
            _ => {
                checked.insert(campaign.to_string(), now);
                true
            }
        }
    }

    /// Records the levels of `campaign`'s pools and warns about each that got worse.
    pub fn observe(&self, statuses: &[PoolStatus], campaign: &str) {
        let mut levels = self.levels.lock().unwrap_or_else(|p| p.into_inner());
        for s in statuses {
            let before = levels.insert((campaign.to_string(), s.pool), s.level).unwrap_or(PoolLevel::Ok);
            if s.level > before {
                self.alerts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let pool = s.pool.as_str();
                let (available, awaiting) = (s.counts.available, s.counts.awaiting);
                match s.level {
                    PoolLevel::Dry => tracing::warn!(
                        campaign,
                        pool,
                        available,
                        awaiting,
                        "code pool is dry: owed items wait for a code until more are imported"
                    ),
                    _ => tracing::warn!(
                        campaign,
                        pool,
                        available,
                        low_water = s.low_water,
                        "code pool is under its low-water mark: import more codes"
                    ),
                }
            }
        }
    }

    /// How many times a pool got low or dry since the start.
    pub fn alerts(&self) -> u64 {
        self.alerts.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The pools' gauges in the Prometheus text format.
    pub fn render(&self, pools: &[(String, PoolStatus)]) -> String {
        type Gauge = (&'static str, &'static str, fn(&PoolStatus) -> u64);
        let gauges: [Gauge; 5] = [
            ("code_pool_available", "Codes not yet handed out.", |s| s.counts.available),
            ("code_pool_assigned", "Codes handed out.", |s| s.counts.assigned),
            ("code_pool_awaiting", "Owed items waiting for a code.", |s| s.counts.awaiting),
            ("code_pool_low", "1 when the pool is under its low-water mark or dry.", |s| {
                u64::from(s.level != PoolLevel::Ok)
            }),
            ("code_pool_dry", "1 when the pool has no code left or items wait.", |s| {
                u64::from(s.level == PoolLevel::Dry)
            }),
        ];
        let mut out = String::new();
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP vouch_{name} {help}\n# TYPE vouch_{name} gauge");
            for (campaign, s) in pools {
                let _ =
                    writeln!(out, "vouch_{name}{{campaign=\"{campaign}\",pool=\"{}\"}} {}", s.pool.as_str(), value(s));
            }
        }
        let _ = writeln!(
            out,
            "# HELP vouch_code_pool_alerts_total Times a code pool fell under its low-water mark or ran dry.\n\
             # TYPE vouch_code_pool_alerts_total counter\nvouch_code_pool_alerts_total {}",
            self.alerts()
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::codes::PoolCounts;

    fn status(available: u64, awaiting: u64) -> PoolStatus {
        let level = vouch_core::codes::pool_level(available, awaiting, 5);
        PoolStatus {
            pool: Pool::Entry,
            counts: PoolCounts { available, assigned: 0, awaiting },
            low_water: Some(5),
            level,
        }
    }

    #[test]
    fn a_pool_alerts_once_when_it_gets_low_and_once_when_it_runs_dry() {
        let watch = PoolWatch::default();
        watch.observe(&[status(9, 0)], "demo");
        assert_eq!(watch.alerts(), 0);
        watch.observe(&[status(4, 0)], "demo");
        watch.observe(&[status(3, 0)], "demo");
        assert_eq!(watch.alerts(), 1, "low once, not on every claim");
        watch.observe(&[status(0, 2)], "demo");
        watch.observe(&[status(0, 3)], "demo");
        assert_eq!(watch.alerts(), 2);
        watch.observe(&[status(20, 0)], "demo");
        watch.observe(&[status(4, 0)], "demo");
        assert_eq!(watch.alerts(), 3, "refilled, then low again");
        let text = watch.render(&[("demo".into(), status(4, 0))]);
        assert!(text.contains("vouch_code_pool_available{campaign=\"demo\",pool=\"entry\"} 4"), "{text}");
        assert!(text.contains("vouch_code_pool_low{campaign=\"demo\",pool=\"entry\"} 1"), "{text}");
        assert!(text.contains("vouch_code_pool_dry{campaign=\"demo\",pool=\"entry\"} 0"), "{text}");
        assert!(text.contains("vouch_code_pool_alerts_total 3"), "{text}");
    }

    #[test]
    fn a_campaign_is_due_for_a_check_once_in_a_while() {
        let watch = PoolWatch::default();
        assert!(watch.due("demo"));
        assert!(!watch.due("demo"));
        assert!(watch.due("other"));
    }
}
