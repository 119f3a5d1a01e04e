//! Finding entries for operators: the console's Entries page (`GET /admin/v1/campaigns/{c}/entries`),
//! its campaign counts and `vouch entries list` all call these functions. They take the filter as
//! a query string or the command line gives it, check it, and answer one page, newest first.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use vouch_core::wire::EntryStatus;
use vouch_core::ErrorCode;

use crate::backends::entry_search::{Cursor, EntryPage, EntryQuery, EntrySearch, StatusCounts, TextMatch};
use crate::backends::BackendError;

/// A page holds this many entries unless the caller asks for another number…
pub const DEFAULT_LIMIT: u32 = 50;
/// …and never more than this.
pub const MAX_LIMIT: u32 = 500;

/// The filter as given: `q` (an e-mail address, or the start of a first or last name), `status`
/// (`confirmed`, `pending_review`, …), `from` and `to` (RFC 3339 times, or dates: `to`'s day is
/// included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EntryFilter {
    pub q: Option<String>,
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A filter, cursor or limit the caller got wrong: which parameter, and why (every message
/// starts with the parameter's name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("status must be one of confirmed, pending_review, approved, rejected")]
    Status,
    #[error("{0} must be an RFC 3339 time (2026-11-30T09:00:00Z) or a date (2026-11-30)")]
    Time(&'static str),
    #[error("from must be before to")]
    Range,
    #[error("cursor is not one this list handed out; start again without it")]
    Cursor,
    #[error("limit must be between 1 and {MAX_LIMIT}")]
    Limit,
}

impl FilterError {
    /// The query parameter at fault, for the structured error.
    pub fn field(&self) -> &'static str {
        match self {
            FilterError::Status => "status",
            FilterError::Time(field) => field,
            FilterError::Range => "from",
            FilterError::Cursor => "cursor",
            FilterError::Limit => "limit",
        }
    }

    /// A value the caller got wrong (the admin API's rule, docs/admin-api.md): 422.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::ValidationFailed
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// `text` as RFC 3339 or as a date's first instant (with `end_of_day`, the next day's first).
fn parse_time(text: &str, field: &'static str, end_of_day: bool) -> Result<i64, FilterError> {
    let text = text.trim();
    let t = match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let day =
                Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| FilterError::Time(field))?;
            let day = if end_of_day { day.next_day().ok_or(FilterError::Time(field))? } else { day };
            day.midnight().assume_utc()
        }
    };
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|_| FilterError::Time(field))
}

impl EntryFilter {
    /// The checked query; blank parameters count as absent.
    pub fn query(&self) -> Result<EntryQuery, FilterError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let status = match given(&self.status) {
            Some(s) => Some(EntryStatus::parse(&s).filter(|s| *s != EntryStatus::Accepted).ok_or(FilterError::Status)?),
            None => None,
        };
        let from_ms = given(&self.from).map(|t| parse_time(&t, "from", false)).transpose()?;
        let to_ms = given(&self.to).map(|t| parse_time(&t, "to", true)).transpose()?;
        if let (Some(from), Some(to)) = (from_ms, to_ms) {
            if from >= to {
                return Err(FilterError::Range);
            }
        }
        Ok(EntryQuery {
            text: self.q.as_deref().and_then(TextMatch::parse),
            status,
            from_ms,
            to_ms,
            oldest_first: false,
        })
    }
}

/// The checked page size: [`DEFAULT_LIMIT`] when not given.
pub fn page_limit(limit: Option<u32>) -> Result<u32, FilterError> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        n if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(FilterError::Limit),
    }
}

/// One page of the campaign's entries matching `filter`, after `cursor` (the `next_cursor` of
/// the page before). The caller has checked that the campaign is one it may see.
pub async fn search(
    store: &dyn EntrySearch,
    campaign: &str,
    filter: &EntryFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<EntryPage, SearchError> {
    let query = filter.query()?;
    let limit = page_limit(limit)?;
    let cursor = cursor.filter(|c| !c.is_empty()).map(|c| Cursor::decode(c).ok_or(FilterError::Cursor)).transpose()?;
    Ok(store.search_entries(campaign, &query, cursor.as_ref(), limit).await?)
}

/// The campaign's entries counted by status, for the campaign list.
pub async fn counts(store: &dyn EntrySearch, campaign: &str) -> Result<StatusCounts, BackendError> {
    store.entry_counts(campaign).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(status: &str, from: &str, to: &str) -> EntryFilter {
        let some = |v: &str| Some(v.to_string());
        EntryFilter { q: None, status: some(status), from: some(from), to: some(to) }
    }

    #[test]
    fn a_day_runs_from_its_midnight_to_the_next_and_times_are_kept_to_the_millisecond() {
        let q = filter("pending_review", "2026-11-30", "2026-11-30").query().unwrap();
        assert_eq!(q.status, Some(EntryStatus::PendingReview));
        assert_eq!((q.from_ms, q.to_ms), (Some(1_795_996_800_000), Some(1_796_083_200_000)));
        let q = filter("", "2026-11-30T09:00:00.250+01:00", " ").query().unwrap();
        assert_eq!((q.status, q.from_ms, q.to_ms), (None, Some(1_796_025_600_250), None));
    }

    #[test]
    fn a_bad_parameter_is_named() {
        let cases = [
            (filter("accepted", "", ""), "status"),
            (filter("won", "", ""), "status"),
            (filter("", "yesterday", ""), "from"),
            (filter("", "", "2026-13-01"), "to"),
            (filter("", "2026-12-01", "2026-11-30"), "from"),
        ];
        for (f, field) in cases {
            assert_eq!(f.query().unwrap_err().field(), field, "{f:?}");
        }
        assert_eq!(page_limit(Some(0)).unwrap_err().field(), "limit");
        assert_eq!(page_limit(Some(MAX_LIMIT + 1)).unwrap_err().field(), "limit");
        assert_eq!(page_limit(None), Ok(DEFAULT_LIMIT));
    }
}
