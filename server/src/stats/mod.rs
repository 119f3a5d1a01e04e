//! The funnel report of a campaign (`vouch_core::funnel`) read from the analytics store: one
//! function for `vouch stats` ([`cli`]) and `GET /admin/v1/campaigns/{campaign}/stats`.

pub mod cli;
pub mod format;

use vouch_core::age::CivilDate;
use vouch_core::funnel::{self, DayRange, RangeError, Stats};
use vouch_core::ErrorCode;

use crate::backends::analytics::Analytics;
use crate::backends::BackendError;
use crate::http::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Range(#[from] RangeError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// `campaign`'s report over `from..=to` (`YYYY-MM-DD`, UTC; blank or absent: the last 30 days to
/// the day of `now_ms`). The caller has checked the campaign exists and may be read.
pub async fn report(
    analytics: &dyn Analytics,
    campaign: &str,
    from: Option<&str>,
    to: Option<&str>,
    now_ms: i64,
) -> Result<Stats, StatsError> {
    let range = DayRange::parse(from, to, CivilDate::from_unix_ms(now_ms))?;
    let counters = analytics.counters(campaign, &range.from(), &range.to()).await?;
    Ok(funnel::build(campaign, &range, &counters))
}

impl From<StatsError> for ApiError {
    fn from(e: StatsError) -> Self {
        match e {
            // The admin rule: a bad query value is 422, its message starting with its name.
            StatsError::Range(range) => ApiError::new(ErrorCode::ValidationFailed, range.to_string()),
            StatsError::Backend(b) => b.into(),
        }
    }
}
