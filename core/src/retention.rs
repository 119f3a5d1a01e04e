//! How long a campaign keeps personal data after it closes (GDPR Art. 5(1)(e), storage
//! limitation): `retention_days` after the last moment an entry could come in. After that the
//! receipts and personal fields go; counts and the anonymised ledger stay.
//!
//! A campaign without a close (`closes_at`) never becomes due: it may still take entries, so
//! nothing tells when its purpose ends. Such a campaign's data leaves by erasure requests, or once
//! the merchant sets a close.

/// 90 days: long enough to draw, announce and deliver prizes and to handle complaints about them,
/// short enough that data of a finished campaign does not linger.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Ten years, the longest a tax or commercial record must be kept in the EU member states that ask
/// most; a longer setting is a typo, not a decision.
pub const MAX_RETENTION_DAYS: u32 = 3650;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("retention_days must be at least 1 (personal data is kept until the draw is done)")]
    Zero,
    #[error("retention_days must be at most {MAX_RETENTION_DAYS} (ten years), not {0}")]
    TooLong(u32),
}

/// A checked `retention_days`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self { days: DEFAULT_RETENTION_DAYS }
    }
}

impl Retention {
    /// The setting as written; `None` (left out) is the default.
    pub fn from_setting(days: Option<u32>) -> Result<Self, RetentionError> {
        match days.unwrap_or(DEFAULT_RETENTION_DAYS) {
            0 => Err(RetentionError::Zero),
            d if d > MAX_RETENTION_DAYS => Err(RetentionError::TooLong(d)),
            days => Ok(Self { days }),
        }
    }

    pub fn days(&self) -> u32 {
        self.days
    }

    /// When the personal data of a campaign whose last entry could arrive at `last_entry_ms` (its
    /// close plus any grace) is due for deletion; `None` for a campaign that never closes.
    pub fn due_at_ms(&self, last_entry_ms: Option<i64>) -> Option<i64> {
        last_entry_ms.map(|close| close.saturating_add(i64::from(self.days) * DAY_MS))
    }

    /// Whether that moment has come at `now_ms`.
    pub fn is_due(&self, last_entry_ms: Option<i64>, now_ms: i64) -> bool {
        self.due_at_ms(last_entry_ms).is_some_and(|due| now_ms >= due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CLOSE: i64 = 1_798_156_799_000;

    #[test]
    fn left_out_it_is_ninety_days_and_zero_or_over_ten_years_is_refused() {
        assert_eq!(Retention::from_setting(None).unwrap().days(), 90);
        assert_eq!(Retention::from_setting(Some(7)).unwrap().days(), 7);
        assert_eq!(Retention::from_setting(Some(0)), Err(RetentionError::Zero));
        assert_eq!(Retention::from_setting(Some(3651)), Err(RetentionError::TooLong(3651)));
        assert_eq!(Retention::from_setting(Some(3650)).unwrap().days(), 3650);
        assert!(RetentionError::TooLong(4000).to_string().contains("retention_days"));
    }

    #[test]
    fn data_is_due_from_the_close_plus_the_days_on() {
        let r = Retention::from_setting(Some(2)).unwrap();
        assert_eq!(r.due_at_ms(Some(CLOSE)), Some(CLOSE + 2 * DAY_MS));
        assert!(!r.is_due(Some(CLOSE), CLOSE + 2 * DAY_MS - 1));
        assert!(r.is_due(Some(CLOSE), CLOSE + 2 * DAY_MS));
    }

    #[test]
    fn a_campaign_that_never_closes_is_never_due() {
        assert_eq!(Retention::default().due_at_ms(None), None);
        assert!(!Retention::default().is_due(None, i64::MAX));
    }

    proptest! {
        #[test]
        fn never_due_before_the_close_and_always_after_the_days(
            days in 1u32..=MAX_RETENTION_DAYS,
            close in 0i64..4_000_000_000_000,
            before in 0i64..=DAY_MS,
            after in 0i64..=DAY_MS,
        ) {
            let r = Retention::from_setting(Some(days)).unwrap();
            prop_assert!(!r.is_due(Some(close), close - before));
            prop_assert!(!r.is_due(Some(close), close + i64::from(days) * DAY_MS - 1 - before));
            prop_assert!(r.is_due(Some(close), close + i64::from(days) * DAY_MS + after));
        }
    }
}
