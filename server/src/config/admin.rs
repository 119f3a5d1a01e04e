//! `[admin]`: operator sessions and login throttling.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// A session unused this long is over (fractions allowed).
    pub session_idle_minutes: f64,
    /// A session is over this long after login, used or not.
    pub session_max_hours: f64,
    /// Failed logins of one account within `lockout_minutes` before it is locked for the rest of
    /// that window.
    pub max_failures_per_account: u32,
    /// Failed logins from one client (IPv4 address or IPv6 /64) within `lockout_minutes`.
    pub max_failures_per_client: u32,
    pub lockout_minutes: f64,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30.0,
            session_max_hours: 12.0,
            max_failures_per_account: 5,
            max_failures_per_client: 20,
            lockout_minutes: 15.0,
        }
    }
}

fn ms(minutes: f64) -> i64 {
    (minutes * 60_000.0).max(0.0) as i64
}

impl AdminConfig {
    pub fn idle_ms(&self) -> i64 {
        ms(self.session_idle_minutes)
    }

    pub fn max_ms(&self) -> i64 {
        ms(self.session_max_hours * 60.0)
    }

    pub fn lockout_ms(&self) -> i64 {
        ms(self.lockout_minutes)
    }
}
