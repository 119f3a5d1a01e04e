//! Each campaign's budget for pending upload bytes: what its unexpired grants allow to be uploaded
//! and no entry has claimed yet. Grants need no database write, so without a budget a client (or
//! many) could fill the embedded store's disk with photos no entry will ever cite.
//!
//! A grant reserves the bytes it allows until the orphan sweep would have removed its upload; an
//! entry claiming the upload gives them back. The ledger lives in the process: after a restart,
//! grants from before it are not counted (they expire within the grant TTL).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct UploadBudget {
    /// How long a reservation lasts unless claimed: grant TTL plus the sweep's grace and interval.
    hold: Duration,
    campaigns: Arc<Mutex<HashMap<String, Pending>>>,
}

/// One campaign's reservations. Every reservation lasts `hold`, so they expire in the order they
/// were made: the queue's front is always the next to go.
#[derive(Debug, Default)]
struct Pending {
    bytes: u64,
    by_key: HashMap<String, u64>,
    expiry: VecDeque<(Instant, String)>,
}

impl Pending {
    fn expire(&mut self, now: Instant) {
        while self.expiry.front().is_some_and(|(until, _)| *until <= now) {
            if let Some((_, key)) = self.expiry.pop_front() {
                self.release(&key);
            }
        }
    }

    fn release(&mut self, key: &str) {
        if let Some(bytes) = self.by_key.remove(key) {
            self.bytes -= bytes;
        }
    }
}

impl UploadBudget {
    pub fn new(hold: Duration) -> Self {
        Self { hold, campaigns: Arc::default() }
    }

    /// Reserves `bytes` for the upload at `key`, or says how long until the campaign's pending
    /// bytes could fit them under `limit`.
    pub fn reserve(&self, campaign: &str, key: &str, bytes: u64, limit: u64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut campaigns = self.campaigns.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let pending = campaigns.entry(campaign.to_string()).or_default();
        pending.expire(now);
        if pending.bytes.saturating_add(bytes) > limit {
            // Claimed reservations leave stale queue entries; a wait that is too short only means
            // the client asks again a little early.
            let next = pending.expiry.front().map_or(now, |(until, _)| *until);
            return Err(next.saturating_duration_since(now));
        }
        pending.bytes += bytes;
        pending.by_key.insert(key.to_string(), bytes);
        pending.expiry.push_back((now + self.hold, key.to_string()));
        Ok(())
    }

    /// An entry claimed the upload at `key`: its bytes are no longer pending.
    pub fn release(&self, campaign: &str, key: &str) {
        let mut campaigns = self.campaigns.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(pending) = campaigns.get_mut(campaign) {
            pending.release(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_fit_until_the_budget_is_spent_and_a_claim_gives_bytes_back() {
        let budget = UploadBudget::new(Duration::from_secs(600));
        assert!(budget.reserve("demo", "a", 400, 1000).is_ok());
        assert!(budget.reserve("demo", "b", 600, 1000).is_ok());
        let wait = budget.reserve("demo", "c", 1, 1000).unwrap_err();
        assert!(wait > Duration::from_secs(590) && wait <= Duration::from_secs(600), "{wait:?}");
        assert!(budget.reserve("other", "c", 1000, 1000).is_ok(), "each campaign has its own budget");
        budget.release("demo", "a");
        assert!(budget.reserve("demo", "c", 400, 1000).is_ok());
    }

    #[test]
    fn an_expired_reservation_frees_its_bytes() {
        let budget = UploadBudget::new(Duration::from_millis(20));
        assert!(budget.reserve("demo", "a", 1000, 1000).is_ok());
        assert!(budget.reserve("demo", "b", 1, 1000).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(budget.reserve("demo", "b", 1000, 1000).is_ok());
    }
}
