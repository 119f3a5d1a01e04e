//! What the console shows of a campaign: where its schedule stands and its counts, from the store
//! operations that exist (entry counts by status are kept per campaign; credits are read whole).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use vouch_core::schedule::ScheduleState;

use crate::app::wiring::Backends;
use crate::campaigns::Campaign;
use crate::crypto::format_iso8601_ms;

/// Where a campaign stands now, by its schedule (`vouch_core::schedule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Scheduled,
    Open,
    Closed,
}

impl From<ScheduleState> for CampaignStatus {
    fn from(state: ScheduleState) -> Self {
        match state {
            ScheduleState::NotYetOpen => Self::Scheduled,
            ScheduleState::Open => Self::Open,
            ScheduleState::Closed => Self::Closed,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignCounts {
    /// Recorded entries by status (`accepted`, `confirmed`, `rejected`, `pending_review`,
    /// `approved`); statuses without entries are left out.
    pub entries: BTreeMap<String, u64>,
    /// Entries waiting for a person (also in `entries`).
    pub pending_review: u64,
    /// Referrers who joined the campaign's referral program.
    pub referrers: u64,
    /// Orders that earned a credit (distinct conversions in the ledger).
    pub conversions: u64,
    /// Credits by state (`pending`, `approved`, `denied`).
    pub credits: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignSummary {
    pub id: String,
    pub name: String,
    pub status: CampaignStatus,
    /// RFC 3339, UTC; absent: open since forever.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    /// RFC 3339, UTC; absent: open for good.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    pub counts: CampaignCounts,
}

/// The campaign's summary at `now_ms`. Entry counts come from the counters the entry search
/// keeps; conversions and credits from the campaign's whole ledger (one read of its credits).
pub async fn summary(
    backends: &Backends,
    campaign: &Campaign,
    now_ms: i64,
) -> crate::backends::Result<CampaignSummary> {
    let id = campaign.id();
    let entries = backends.search.entry_counts(id).await?;
    let referrers = backends.referrals.count_referrers(id).await?;
    let credits = backends.referrals.list_credits(id).await?;
    let mut by_state = BTreeMap::new();
    for credit in &credits {
        *by_state.entry(credit.state.as_str().to_string()).or_insert(0) += 1;
    }
    let conversions = credits.iter().map(|c| c.conversion_id.as_str()).collect::<BTreeSet<_>>().len() as u64;
    let window = campaign.schedule.window;
    Ok(CampaignSummary {
        id: id.to_string(),
        name: campaign.public.name.clone(),
        status: window.state(now_ms).into(),
        opens_at: window.opens_at_ms.map(format_iso8601_ms),
        closes_at: window.closes_at_ms.map(format_iso8601_ms),
        counts: CampaignCounts {
            pending_review: entries.get("pending_review").copied().unwrap_or(0),
            entries,
            referrers,
            conversions,
            credits: by_state,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_not_yet_open_is_scheduled() {
        assert_eq!(CampaignStatus::from(ScheduleState::NotYetOpen), CampaignStatus::Scheduled);
        assert_eq!(serde_json::to_string(&CampaignStatus::Scheduled).unwrap(), r#""scheduled""#);
    }
}
