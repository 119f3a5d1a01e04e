//! The entries filter as the console's query string gives it (`?q=&status=&from=&to=&cursor=
//! &limit=`). Checking it is the entry search's (`crate::entries::search`, shared with `vouch
//! entries list|export`); this only reads the text and answers its refusals as `invalid_query`.

use serde::Deserialize;

use crate::entries::export::ExportError;
use crate::entries::search::{EntryFilter, FilterError, SearchError};
use crate::http::error::ApiError;

/// The query string as sent; every parameter optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryParams {
    /// An e-mail address (whole, any case) or the start of a first or last name.
    pub q: Option<String>,
    /// `confirmed`, `pending_review`, `approved` or `rejected`.
    pub status: Option<String>,
    /// Accepted at or after: RFC 3339, or a date (`2026-11-30`, from its start, UTC).
    pub from: Option<String>,
    /// Accepted before: RFC 3339, or a date (`2026-11-30`, to its end, UTC).
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Rows per page, 1 to 500 (50 when absent). Read as text so a bad one is refused by name.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
}

impl EntryParams {
    pub fn filter(&self) -> EntryFilter {
        EntryFilter { q: self.q.clone(), status: self.status.clone(), from: self.from.clone(), to: self.to.clone() }
    }

    /// The limit as a number (the search checks its range); blank is absent.
    pub fn limit(&self) -> Result<Option<u32>, FilterError> {
        match self.limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| FilterError::Limit),
        }
    }
}

impl From<FilterError> for ApiError {
    fn from(e: FilterError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Filter(f) => f.into(),
            SearchError::Backend(b) => b.into(),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Store(b) => b.into(),
            other => {
                tracing::error!(error = %other, "an entries export failed");
                ApiError::new(vouch_core::ErrorCode::Internal, "Something went wrong on our side.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_that_is_no_number_is_refused_as_the_limit() {
        let params = |l: &str| EntryParams { limit: Some(l.into()), ..Default::default() };
        assert_eq!(params(" 20 ").limit(), Ok(Some(20)));
        assert_eq!(params("").limit(), Ok(None));
        for bad in ["abc", "-1", "1.5"] {
            assert_eq!(params(bad).limit(), Err(FilterError::Limit), "{bad}");
        }
    }
}
