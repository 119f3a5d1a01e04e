//! The entries filter of the console's list and its CSV export (`?q=&status=&from=&to=&cursor=
//! &limit=`), read into an [`EntryQuery`]: a bad parameter is refused by name, never ignored.

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, Time};
use vouch_core::wire::EntryStatus;
use vouch_core::ErrorCode;

use crate::backends::entry_search::{Cursor, EntryQuery, TextMatch};
use crate::http::error::ApiError;

/// Rows per page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// The query string as sent; every parameter optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryParams {
    /// An e-mail address (exact, any case) or the start of a first or last name.
    pub q: Option<String>,
    /// `accepted`, `confirmed`, `rejected`, `pending_review` or `approved`.
    pub status: Option<String>,
    /// Accepted at or after: RFC 3339, or a date (`2026-11-30`, from its start, UTC).
    pub from: Option<String>,
    /// Accepted before: RFC 3339, or a date (`2026-11-30`, to its end, UTC).
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Rows per page, 1 to 200 (50 when absent). Read as text so a bad one is refused by name.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// A checked filter: what to match, where to start, how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFilter {
    pub query: EntryQuery,
    pub cursor: Option<Cursor>,
    pub limit: u32,
}

fn invalid(param: &str, message: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, format!("{param}: {message}"))
}

/// `text` as an instant in Unix milliseconds; a bare date is its start, or with `end` the start
/// of the next day (so `to=2026-11-30` takes in that whole day).
fn instant(param: &str, text: &str, end: bool) -> Result<i64, ApiError> {
    let text = text.trim();
    let at = match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let date = Date::parse(text, format_description!("[year]-[month]-[day]")).map_err(|_| {
                invalid(param, "must be an RFC 3339 time (2026-11-30T09:00:00Z) or a date (2026-11-30).")
            })?;
            let day = date.with_time(Time::MIDNIGHT).assume_utc();
            if end {
                day + time::Duration::days(1)
            } else {
                day
            }
        }
    };
    Ok((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The query string, or the structured refusal when it does not even parse (a parameter
/// given twice): never axum's plain-text answer.
pub fn read(query: Result<Query<EntryParams>, QueryRejection>) -> Result<EntryParams, ApiError> {
    query.map(|Query(p)| p).map_err(|rejection| {
        let text = rejection.body_text();
        match ["q", "status", "from", "to", "cursor", "limit"].into_iter().find(|p| text.contains(&format!("`{p}`"))) {
            Some(param) => invalid(param, "must be given at most once."),
            None => ApiError::new(ErrorCode::InvalidQuery, "query: the query string could not be read."),
        }
    })
}

/// Reads the parameters; the first bad one is refused with its name in the message.
pub fn parse(params: &EntryParams) -> Result<EntryFilter, ApiError> {
    let status = match params.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(EntryStatus::parse(s).ok_or_else(|| {
            invalid("status", "must be one of accepted, confirmed, rejected, pending_review, approved.")
        })?),
    };
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let from_ms = blank(&params.from).map(|t| instant("from", &t, false)).transpose()?;
    let to_ms = blank(&params.to).map(|t| instant("to", &t, true)).transpose()?;
    if let (Some(from), Some(to)) = (from_ms, to_ms) {
        if to <= from {
            return Err(invalid("to", "must be after from."));
        }
    }
    let cursor = match blank(&params.cursor) {
        None => None,
        Some(c) => Some(Cursor::decode(&c).ok_or_else(|| {
            invalid("cursor", "is not a cursor this list gave out; start again from the first page.")
        })?),
    };
    let limit = match blank(&params.limit) {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| invalid("limit", &format!("must be a whole number between 1 and {MAX_LIMIT}.")))?,
    };
    let text = params.q.as_deref().and_then(TextMatch::parse);
    Ok(EntryFilter { query: EntryQuery { text, status, from_ms, to_ms, oldest_first: false }, cursor, limit })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(f: impl FnOnce(&mut EntryParams)) -> EntryParams {
        let mut p = EntryParams::default();
        f(&mut p);
        p
    }

    #[test]
    fn an_empty_query_is_everything_newest_first_fifty_at_a_time() {
        let f = parse(&EntryParams::default()).unwrap();
        assert_eq!(f, EntryFilter { query: EntryQuery::default(), cursor: None, limit: DEFAULT_LIMIT });
    }

    #[test]
    fn a_date_covers_its_whole_day() {
        let f = parse(&params(|p| {
            p.from = Some("2026-11-30".into());
            p.to = Some("2026-11-30".into());
        }))
        .unwrap();
        assert_eq!(f.query.to_ms.unwrap() - f.query.from_ms.unwrap(), 86_400_000);
        let exact = parse(&params(|p| p.from = Some("2026-11-30T09:00:00+01:00".into()))).unwrap();
        assert_eq!(exact.query.from_ms, Some(f.query.from_ms.unwrap() + 8 * 3_600_000));
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let cases: [(&str, EntryParams); 5] = [
            ("status", params(|p| p.status = Some("won".into()))),
            ("from", params(|p| p.from = Some("yesterday".into()))),
            ("to", params(|p| (p.from, p.to) = (Some("2026-12-02".into()), Some("2026-12-01".into())))),
            ("cursor", params(|p| p.cursor = Some("!!".into()))),
            ("limit", params(|p| p.limit = Some("0".into()))),
        ];
        for (name, p) in cases {
            let e = parse(&p).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidQuery, "{name}");
            assert!(e.message.starts_with(&format!("{name}: ")), "{}", e.message);
        }
    }
}
