//! When a campaign takes entries: its opening and closing instants, and the grace an entry gets
//! after the close when its upload grant was issued before it (a shopper mid-upload at the close
//! is not turned away). The server enforces this and the widget shows it, from the same rule.

use serde::{Deserialize, Serialize};

/// Where a campaign stands in its schedule at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScheduleState {
    NotYetOpen,
    #[default]
    Open,
    Closed,
}

/// A campaign's window in Unix milliseconds; either end may be absent (open since forever, open
/// for good). `opens_at_ms` is inclusive, `closes_at_ms` exclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    pub opens_at_ms: Option<i64>,
    pub closes_at_ms: Option<i64>,
}

impl Schedule {
    pub fn state(&self, now_ms: i64) -> ScheduleState {
        if self.opens_at_ms.is_some_and(|open| now_ms < open) {
            ScheduleState::NotYetOpen
        } else if self.closes_at_ms.is_some_and(|close| now_ms >= close) {
            ScheduleState::Closed
        } else {
            ScheduleState::Open
        }
    }

    /// Whether an entry arriving at `now_ms` is taken. After the close, only one citing a grant
    /// issued before the close, and only until `grace_ms` have passed since the close.
    pub fn admits_entry(&self, now_ms: i64, grant_issued_ms: Option<i64>, grace_ms: i64) -> Result<(), ScheduleState> {
        match self.state(now_ms) {
            ScheduleState::Open => Ok(()),
            ScheduleState::NotYetOpen => Err(ScheduleState::NotYetOpen),
            ScheduleState::Closed => {
                let close = self.closes_at_ms.unwrap_or(i64::MIN);
                let in_grace = now_ms < close.saturating_add(grace_ms);
                let granted_before = grant_issued_ms.is_some_and(|issued| issued < close);
                if in_grace && granted_before {
                    Ok(())
                } else {
                    Err(ScheduleState::Closed)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: i64 = 1_000_000;
    const CLOSE: i64 = 2_000_000;
    const GRACE: i64 = 15 * 60_000;

    fn window() -> Schedule {
        Schedule { opens_at_ms: Some(OPEN), closes_at_ms: Some(CLOSE) }
    }

    #[test]
    fn the_window_opens_at_its_start_and_closes_at_its_end() {
        assert_eq!(window().state(OPEN - 1), ScheduleState::NotYetOpen);
        assert_eq!(window().state(OPEN), ScheduleState::Open);
        assert_eq!(window().state(CLOSE - 1), ScheduleState::Open);
        assert_eq!(window().state(CLOSE), ScheduleState::Closed);
    }

    #[test]
    fn a_campaign_without_a_schedule_is_always_open() {
        for now in [i64::MIN, 0, i64::MAX] {
            assert_eq!(Schedule::default().state(now), ScheduleState::Open);
        }
        assert_eq!(Schedule { opens_at_ms: None, closes_at_ms: Some(CLOSE) }.state(0), ScheduleState::Open);
        assert_eq!(Schedule { opens_at_ms: Some(OPEN), closes_at_ms: None }.state(i64::MAX), ScheduleState::Open);
    }

    #[test]
    fn entries_outside_the_window_are_refused_with_the_reason() {
        assert_eq!(window().admits_entry(OPEN - 1, Some(OPEN - 2), GRACE), Err(ScheduleState::NotYetOpen));
        assert_eq!(window().admits_entry(OPEN, None, GRACE), Ok(()));
        assert_eq!(window().admits_entry(CLOSE, None, GRACE), Err(ScheduleState::Closed));
    }

    #[test]
    fn a_grant_from_before_the_close_is_honoured_until_the_grace_ends() {
        let before = Some(CLOSE - 1);
        assert_eq!(window().admits_entry(CLOSE, before, GRACE), Ok(()));
        assert_eq!(window().admits_entry(CLOSE + GRACE - 1, before, GRACE), Ok(()));
        assert_eq!(window().admits_entry(CLOSE + GRACE, before, GRACE), Err(ScheduleState::Closed));
    }

    #[test]
    fn a_grant_from_the_close_or_later_gets_no_grace() {
        assert_eq!(window().admits_entry(CLOSE + 1, Some(CLOSE), GRACE), Err(ScheduleState::Closed));
        assert_eq!(window().admits_entry(CLOSE + 1, Some(CLOSE + 1), GRACE), Err(ScheduleState::Closed));
        assert_eq!(window().admits_entry(CLOSE + 1, Some(CLOSE - 1), 0), Err(ScheduleState::Closed));
    }
}
