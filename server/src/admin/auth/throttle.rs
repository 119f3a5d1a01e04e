//! Login throttling: failed logins are counted per account and per client in the store (so a
//! restart does not lift a lockout); past the limit, logins wait for the window to end.

use crate::backends::operators::Failures;

/// The store key of an account's failures.
pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// The store key of a client's failures.
pub fn client_key(client: std::net::IpAddr) -> String {
    format!("client:{client}")
}

/// Seconds until `failures` stop locking logins, or `None` when they do not.
pub fn locked_for(failures: Failures, max: u32, window_ms: i64, now_ms: i64) -> Option<u64> {
    let ends = failures.since_ms.saturating_add(window_ms);
    (failures.count >= max && ends > now_ms).then(|| u64::try_from((ends - now_ms + 999) / 1000).unwrap_or(1).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_locked_from_the_limit_until_its_window_ends() {
        let f = |count| Failures { count, since_ms: 1_000 };
        assert_eq!(locked_for(f(4), 5, 60_000, 2_000), None);
        assert_eq!(locked_for(f(5), 5, 60_000, 2_000), Some(59));
        assert_eq!(locked_for(f(9), 5, 60_000, 61_000), None);
    }
}
