//! `GET /admin/v1/campaigns/{campaign}/stats`: the campaign's funnel report (the same as
//! `vouch stats`), for every role that may read the campaign.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use vouch_core::funnel::Stats;

use super::query::AdminQuery;
use super::{Caller, SharedAdmin};
use crate::clock::now_ms;
use crate::http::error::ApiError;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day, `YYYY-MM-DD`, UTC (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, included, `YYYY-MM-DD`, UTC (default: today). At most 366 days in all.
    pub to: Option<String>,
}

/// The funnels with their rates, rejections by reason, shares by channel and the daily series.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/stats", tag = "campaigns",
    params(("campaign" = String, Path, description = "Campaign id"), StatsParams),
    responses((status = 200, body = Stats), (status = 400, description = "`invalid_query`: a parameter given twice"),
        (status = 422, description = "`validation_failed`: the message starts with the bad parameter's name (`from`, `to`)"),
        (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn stats(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
    AdminQuery(params): AdminQuery<StatsParams>,
) -> Result<Json<Stats>, ApiError> {
    let campaign = caller.read(&campaign)?;
    let analytics = state.backends.analytics.as_ref();
    let (from, to) = (params.from.as_deref(), params.to.as_deref());
    Ok(Json(crate::stats::report(analytics, campaign.id(), from, to, now_ms()).await?))
}
