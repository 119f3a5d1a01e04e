//! How many entries one person may make: the bucket an entry's time falls in. The server counts
//! entries per (campaign, mailbox identity, bucket) inside its intake transaction.

use serde::{Deserialize, Serialize};

const DAY_MS: i64 = 86_400_000;
/// 1970-01-01 was a Thursday; the ISO week holding it began three days earlier, on a Monday.
const EPOCH_WEEKDAY_FROM_MONDAY: i64 = 3;

/// The span an entry limit counts over: the whole campaign, a UTC day, or an ISO (Monday-first, UTC) week.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntriesPeriod {
    #[default]
    Campaign,
    Day,
    Week,
}

impl EntriesPeriod {
    /// The bucket an entry made at `at_ms` (Unix milliseconds) counts against.
    pub fn key(self, at_ms: i64) -> String {
        let day = at_ms.div_euclid(DAY_MS);
        match self {
            EntriesPeriod::Campaign => "campaign".into(),
            EntriesPeriod::Day => format!("d{day}"),
            EntriesPeriod::Week => format!("w{}", (day + EPOCH_WEEKDAY_FROM_MONDAY).div_euclid(7)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    /// 2026-11-30T00:00:00Z, a Monday.
    const MONDAY: i64 = 1_795_996_800_000;

    #[test]
    fn a_day_is_a_utc_day() {
        let p = EntriesPeriod::Day;
        assert_eq!(p.key(MONDAY), p.key(MONDAY + 23 * H + 59 * 60_000));
        assert_ne!(p.key(MONDAY - 1), p.key(MONDAY));
    }

    #[test]
    fn a_week_runs_from_monday_to_sunday() {
        let p = EntriesPeriod::Week;
        assert_eq!(p.key(MONDAY), p.key(MONDAY + 7 * 24 * H - 1));
        assert_ne!(p.key(MONDAY - 1), p.key(MONDAY));
        assert_ne!(p.key(MONDAY), p.key(MONDAY + 7 * 24 * H));
        // The week of the epoch holds 1969-12-29 (Monday) to 1970-01-04 (Sunday).
        assert_eq!(p.key(-3 * 24 * H), p.key(4 * 24 * H - 1));
        assert_ne!(p.key(4 * 24 * H - 1), p.key(4 * 24 * H));
    }

    #[test]
    fn the_campaign_period_is_one_bucket() {
        assert_eq!(EntriesPeriod::Campaign.key(0), EntriesPeriod::Campaign.key(MONDAY));
    }
}
