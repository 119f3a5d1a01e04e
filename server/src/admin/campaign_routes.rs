//! `GET /admin/v1/campaigns`, `…/{campaign}` and `…/{campaign}/embed`: the campaigns in the
//! caller's scope with their status and counts, and what a merchant pastes to embed one.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;

use super::campaign_summary::{summary, CampaignSummary};
use super::{Caller, SharedAdmin};
use crate::campaigns::Campaign;
use crate::clock::now_ms;
use crate::http::error::ApiError;

/// The campaigns the caller may see, by id.
#[utoipa::path(get, path = "/admin/v1/campaigns", tag = "campaigns",
    responses((status = 200, body = [CampaignSummary]), (status = 401)))]
pub async fn list(State(state): State<SharedAdmin>, caller: Caller) -> Result<Json<Vec<CampaignSummary>>, ApiError> {
    let mut ids = caller.visible(state.campaigns.ids());
    ids.sort_unstable();
    let now = now_ms();
    let mut all = Vec::with_capacity(ids.len());
    for campaign in ids.into_iter().filter_map(|id| state.campaigns.get(id)) {
        all.push(summary(&state.backends, &campaign, now).await?);
    }
    Ok(Json(all))
}

/// One campaign's status and counts.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}", tag = "campaigns",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignSummary), (status = 401), (status = 403, description = "`forbidden`"),
        (status = 404, description = "`campaign_not_found` (owners)")))]
pub async fn show(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
) -> Result<Json<CampaignSummary>, ApiError> {
    let campaign = caller.read(&campaign)?;
    Ok(Json(summary(&state.backends, &campaign, now_ms()).await?))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FacebookTab {
    /// The tab URL to enter in the Facebook app's page-tab settings.
    pub tab_url: String,
    /// The Facebook pages whose tab shows this campaign (`[facebook] page_ids`).
    pub page_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Embed {
    /// The HTML a merchant pastes where the form goes (the README's snippet).
    pub snippet: String,
    /// The hosted campaign page, for links and QR codes.
    pub hosted_url: String,
    /// A page showing the widget live (the hosted page with `?preview=1`, which this BFF's own
    /// pages may frame), for the console's preview frame.
    pub preview_url: String,
    /// Present when Facebook pages show this campaign in a tab.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facebook: Option<FacebookTab>,
}

/// How to embed `campaign` when the BFF is reached at `origin`.
pub fn embed(origin: &str, campaign: &Campaign) -> Embed {
    let origin = origin.trim_end_matches('/');
    let hosted_url = format!("{origin}/c/{}", campaign.id());
    Embed {
        snippet: crate::app::demo::snippet(origin, campaign.id()),
        preview_url: format!("{hosted_url}?preview=1"),
        hosted_url,
        facebook: (!campaign.facebook_page_ids.is_empty())
            .then(|| FacebookTab { tab_url: format!("{origin}/fb/tab"), page_ids: campaign.facebook_page_ids.clone() }),
    }
}

/// The snippet, hosted page and Facebook tab of one campaign.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/embed", tag = "campaigns",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, body = Embed), (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn embed_route(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
) -> Result<Json<Embed>, ApiError> {
    let campaign = caller.read(&campaign)?;
    Ok(Json(embed(&state.origin, &campaign)))
}
