//! Prize draws: run one, verify one, record a forfeit. Plain functions over the backends, so the
//! CLI (`vouch draw`) and the admin API share them; the algorithm itself is
//! `vouch_core::draw`.

pub mod cli;
mod contacts;
mod notify;
mod verify;

use std::collections::{HashMap, HashSet};

use serde_json::json;
use vouch_core::draw::{self, Candidate, DrawError, ALGORITHM};
use vouch_core::referral::identity_email;

use crate::app::wiring::Backends;
use crate::backends::draws::{DrawRecord, Forfeited, PoolEntry};
use crate::backends::BackendError;
use crate::campaigns::{Campaign, Campaigns};
use crate::referrals::webhooks::{Event, EventKind};

pub use contacts::{contacts, Contact};
pub use notify::{notify, notify_draw};
pub use verify::{verify, Verification};

const DAY_MS: i64 = 24 * 3600 * 1000;

/// What the operator asks for.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    pub winners: usize,
    pub alternates: usize,
    pub beacon: String,
    pub beacon_source: Option<String>,
    /// Draw before the campaign's close.
    pub force: bool,
    pub actor: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DrawFailure {
    #[error("the campaign is still open (it closes at {closes_at}); draw after the close, or pass --force")]
    NotClosed { closes_at: String },
    #[error("the campaign has no closes_at; pass --force to draw anyway")]
    NeverCloses,
    #[error("{winners} winners wanted but only {eligible} entries are eligible; nothing was drawn")]
    TooFewEntries { eligible: usize, winners: usize },
    #[error("a draw needs at least one winner")]
    NoWinners,
    #[error("no draw {0:?}")]
    UnknownDraw(String),
    #[error("no campaign {0:?}")]
    UnknownCampaign(String),
    #[error("{entry_id} is not a current winner of draw {draw_id}; nothing changed")]
    NotAWinner { draw_id: String, entry_id: String },
    #[error("another draw of this campaign was stored at the same time; run the draw again")]
    Raced,
    #[error("the entries cannot be drawn: {0}")]
    BadPool(String),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl From<DrawError> for DrawFailure {
    fn from(e: DrawError) -> Self {
        match e {
            DrawError::TooFewEntries { eligible, winners } => DrawFailure::TooFewEntries { eligible, winners },
            DrawError::NoWinners => DrawFailure::NoWinners,
            DrawError::BadPool(why) => DrawFailure::BadPool(why),
        }
    }
}

/// The draw's pool: drawable entries not in `excluded`, each weighted by `weight`.
fn pool(entries: Vec<PoolEntry>, excluded: &HashSet<&str>, weight: impl Fn(&PoolEntry) -> u32) -> Vec<Candidate> {
    entries
        .into_iter()
        .filter(|e| draw::is_drawable(e.status) && !excluded.contains(e.entry_id.as_str()))
        .map(|e| Candidate { weight: weight(&e), entry_id: e.entry_id })
        .collect()
}

/// Draws winners and alternates for `campaign` and stores the draw with its `draw.completed`
/// event, then mails the winners. `bonus` maps a normalised mailbox identity to its bonus
/// entries. The mails of earlier draws that a killed run left unsent go out too.
pub async fn run(
    backends: &Backends,
    campaign: &Campaign,
    req: &DrawRequest,
    bonus: &HashMap<String, u32>,
    now_ms: i64,
) -> Result<DrawRecord, DrawFailure> {
    match campaign.schedule.window.closes_at_ms {
        _ if req.force => {}
        None => return Err(DrawFailure::NeverCloses),
        Some(closes) if now_ms < closes => {
            let closes_at = campaign.public.closes_at.clone().unwrap_or_default();
            return Err(DrawFailure::NotClosed { closes_at });
        }
        Some(_) => {}
    }
    let earlier = backends.draws.list_draws(campaign.id()).await?;
    for d in &earlier {
        notify(backends, campaign, d).await?;
    }
    let mut excluded: Vec<&String> = earlier.iter().flat_map(DrawRecord::ever_won).collect();
    excluded.sort();
    excluded.dedup();
    let skip: HashSet<&str> = excluded.iter().map(|s| s.as_str()).collect();
    let entries = backends.draws.pool_entries(campaign.id()).await?;
    let weight = |e: &PoolEntry| {
        // Normalising a million addresses costs; with no bonus at all there is nothing to look up.
        if bonus.is_empty() {
            return 1;
        }
        1u32.saturating_add(bonus.get(&identity_email(&e.email)).copied().unwrap_or(0))
    };
    let mut candidates = pool(entries, &skip, weight);
    let eligible = candidates.len() as u64;
    let outcome = draw::draw(campaign.id(), &mut candidates, &req.beacon, req.winners, req.alternates)?;
    let seed = hex::encode(outcome.seed);
    let record = DrawRecord {
        draw_id: format!("drw_{}", &seed[..20]),
        campaign: campaign.id().to_string(),
        sequence: earlier.iter().map(|d| d.sequence).max().unwrap_or(0) + 1,
        algorithm: ALGORITHM.to_string(),
        inputs_digest: hex::encode(outcome.inputs_digest),
        eligible,
        beacon: req.beacon.clone(),
        beacon_source: req.beacon_source.clone(),
        seed,
        winners: outcome.winners,
        alternates: outcome.alternates,
        excluded: excluded.into_iter().cloned().collect(),
        weights: candidates.iter().filter(|c| c.weight > 1).map(|c| (c.entry_id.clone(), c.weight)).collect(),
        created_at_ms: now_ms,
        actor: req.actor.clone(),
        claim_deadline_ms: now_ms + i64::from(campaign.claim_days) * DAY_MS,
        history: Vec::new(),
    };
    if !backends.draws.save_draw(&record, &[completed(&record).outbox()]).await? {
        return Err(DrawFailure::Raced);
    }
    tracing::info!(draw_id = %record.draw_id, campaign = %record.campaign, eligible, "draw stored");
    let detail = format!(
        "{} winners, {} alternates from {eligible} eligible; beacon {:?} ({})",
        record.winners.len(),
        record.alternates.len(),
        record.beacon,
        record.beacon_source.as_deref().unwrap_or("source not given"),
    );
    // The audit line follows the draw's own write (which already names who and when, in the record
    // and its history), so a crash between the two loses this line but never the draw.
    backends.moderation.audit(&record.campaign, &req.actor, "draw", &record.draw_id, &detail, now_ms).await?;
    notify(backends, campaign, &record).await?;
    Ok(record)
}

/// [`run`] with the bonus entries the campaign's referral rule gives: `vouch draw` and the admin
/// API.
pub async fn draw_campaign(
    backends: &Backends,
    campaign: &Campaign,
    req: &DrawRequest,
    now_ms: i64,
) -> Result<DrawRecord, DrawFailure> {
    let bonus = crate::referrals::bonus::bonus_entries(backends.referrals.as_ref(), campaign).await?;
    run(backends, campaign, req, &bonus, now_ms).await
}

/// Records that `entry_id` forfeits its win; the next alternate takes its place and is mailed.
pub async fn forfeit(
    backends: &Backends,
    campaigns: &Campaigns,
    draw_id: &str,
    entry_id: &str,
    actor: &str,
    now_ms: i64,
) -> Result<(DrawRecord, Option<String>), DrawFailure> {
    let record = match backends.draws.forfeit(draw_id, entry_id, actor, now_ms).await? {
        Forfeited::Done(record) => *record,
        Forfeited::UnknownDraw => return Err(DrawFailure::UnknownDraw(draw_id.to_string())),
        Forfeited::NotAWinner => {
            return Err(DrawFailure::NotAWinner { draw_id: draw_id.to_string(), entry_id: entry_id.to_string() })
        }
    };
    let replaced_by = record.history.last().and_then(|f| f.replaced_by.clone());
    tracing::info!(draw_id, promoted = replaced_by.is_some(), "forfeit recorded");
    let detail = match &replaced_by {
        Some(next) => format!("{entry_id} forfeits; {next} is promoted"),
        None => format!("{entry_id} forfeits; no alternate was left"),
    };
    backends.moderation.audit(&record.campaign, actor, "draw.forfeit", draw_id, &detail, now_ms).await?;
    if let Some(campaign) = campaigns.get(&record.campaign) {
        notify(backends, &campaign, &record).await?;
    }
    Ok((record, replaced_by))
}

/// The `draw.completed` webhook: ids and proof, no personal data.
fn completed(d: &DrawRecord) -> Event {
    Event {
        id: format!("evt_{}_completed", d.draw_id),
        kind: EventKind::DrawCompleted,
        created_at: crate::crypto::format_iso8601(time::OffsetDateTime::now_utc()),
        campaign: d.campaign.clone(),
        data: json!({
            "draw_id": d.draw_id, "algorithm": d.algorithm, "eligible": d.eligible,
            "inputs_digest": d.inputs_digest, "beacon": d.beacon, "beacon_source": d.beacon_source,
            "seed": d.seed, "winners": d.winners, "alternates": d.alternates,
            "claim_deadline": crate::crypto::format_iso8601(at(d.claim_deadline_ms)),
        }),
    }
}

fn at(ms: i64) -> time::OffsetDateTime {
    crate::crypto::utc_from_ms(ms).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}
