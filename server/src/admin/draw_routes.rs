//! Prize draws: `GET/POST …/draws`, `GET …/draws/{draw_id}` and its `verify`, `forfeit` and
//! `notify`, through the same functions as `vouch draw`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use vouch_core::ErrorCode;

use super::json::AdminJson;
use super::review_routes::invalid;
use super::{Caller, SharedAdmin};
use crate::backends::draws::DrawRecord;
use crate::clock::now_ms;
use crate::crypto::format_iso8601_ms;
use crate::draw::{self, DrawFailure, DrawRequest};
use crate::http::error::ApiError;

impl From<DrawFailure> for ApiError {
    fn from(e: DrawFailure) -> Self {
        match e {
            // The CLI's --force is the body's `force`.
            DrawFailure::NotClosed { closes_at } => ApiError::new(
                ErrorCode::Conflict,
                format!("The campaign is still open (it closes at {closes_at}); draw after the close, or send \"force\": true."),
            ),
            DrawFailure::NeverCloses => ApiError::new(
                ErrorCode::Conflict,
                "The campaign has no closes_at; send \"force\": true to draw anyway.",
            ),
            DrawFailure::TooFewEntries { .. } | DrawFailure::NoWinners => invalid(e.to_string()),
            DrawFailure::UnknownDraw(_) | DrawFailure::UnknownCampaign(_) => {
                ApiError::new(ErrorCode::NotFound, "No such draw in this campaign.")
            }
            DrawFailure::NotAWinner { .. } | DrawFailure::Raced => ApiError::new(ErrorCode::Conflict, e.to_string()),
            DrawFailure::BadPool(why) => {
                tracing::error!(%why, "a draw's pool cannot be drawn");
                ApiError::new(ErrorCode::Internal, "Something went wrong on our side.")
            }
            DrawFailure::Backend(b) => b.into(),
        }
    }
}

/// What `vouch draw` takes: the beacon is a public random value nobody knew before the close
/// (a drand round's randomness, a lottery result), given as text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewDraw {
    pub winners: usize,
    #[serde(default)]
    pub alternates: usize,
    pub beacon: String,
    /// Where the beacon comes from, in words (recorded with the draw).
    pub beacon_source: Option<String>,
    /// Draw before the campaign's close.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ForfeitBody {
    /// A current winner of the draw.
    pub entry_id: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ForfeitView {
    pub entry_id: String,
    /// The alternate who took the place; absent when none was left.
    pub replaced_by: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
}

/// Everyone who has held a win in the draw, and whether they were told.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WinnerView {
    pub entry_id: String,
    /// A winner now; `false` once forfeited.
    pub current: bool,
    /// `true` for an alternate promoted in place of a forfeit.
    pub promoted: bool,
    /// RFC 3339, UTC; when promoted.
    pub promoted_at: Option<String>,
    pub notified: bool,
    /// RFC 3339, UTC; when the winner's e-mail went out.
    pub notified_at: Option<String>,
    pub forfeited: bool,
    /// RFC 3339, UTC.
    pub forfeited_at: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DrawView {
    pub draw_id: String,
    pub campaign: String,
    /// 1 for the campaign's first draw.
    pub sequence: u32,
    pub algorithm: String,
    pub inputs_digest: String,
    pub eligible: u64,
    pub beacon: String,
    pub beacon_source: Option<String>,
    pub seed: String,
    /// As drawn, in order.
    pub winners: Vec<String>,
    pub alternates: Vec<String>,
    /// The winners now: each forfeit replaced by its alternate.
    pub current_winners: Vec<String>,
    /// Winners of the campaign's earlier draws, left out of this one.
    pub excluded: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub actor: String,
    /// RFC 3339, UTC.
    pub claim_deadline: String,
    pub forfeits: Vec<ForfeitView>,
    pub contacts: Vec<WinnerView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationView {
    pub draw_id: String,
    /// The stored entries give the same pool, seed, winners and alternates.
    pub matches: bool,
    /// What differs, in words; empty when it matches.
    pub differences: Vec<String>,
}

fn rfc3339(ms: Option<i64>) -> Option<String> {
    ms.map(format_iso8601_ms)
}

async fn view(state: &SharedAdmin, d: DrawRecord) -> Result<DrawView, ApiError> {
    let contacts = draw::contacts(&state.backends, &d).await?;
    Ok(DrawView {
        current_winners: d.current_winners(),
        contacts: contacts
            .into_iter()
            .map(|c| WinnerView {
                entry_id: c.entry_id,
                current: c.current,
                promoted: c.promoted_at_ms.is_some(),
                promoted_at: rfc3339(c.promoted_at_ms),
                notified: c.mailed_at_ms.is_some(),
                notified_at: rfc3339(c.mailed_at_ms),
                forfeited: c.forfeited_at_ms.is_some(),
                forfeited_at: rfc3339(c.forfeited_at_ms),
            })
            .collect(),
        forfeits: d
            .history
            .into_iter()
            .map(|f| ForfeitView {
                entry_id: f.entry_id,
                replaced_by: f.replaced_by,
                at: format_iso8601_ms(f.at_ms),
                actor: f.actor,
            })
            .collect(),
        draw_id: d.draw_id,
        campaign: d.campaign,
        sequence: d.sequence,
        algorithm: d.algorithm,
        inputs_digest: d.inputs_digest,
        eligible: d.eligible,
        beacon: d.beacon,
        beacon_source: d.beacon_source,
        seed: d.seed,
        winners: d.winners,
        alternates: d.alternates,
        excluded: d.excluded,
        created_at: format_iso8601_ms(d.created_at_ms),
        actor: d.actor,
        claim_deadline: format_iso8601_ms(d.claim_deadline_ms),
    })
}

/// The draw, if it is one of `campaign`'s: a draw id never reaches past the caller's scope.
async fn draw_of(state: &SharedAdmin, campaign: &str, draw_id: &str) -> Result<DrawRecord, ApiError> {
    match state.backends.draws.get_draw(draw_id).await? {
        Some(d) if d.campaign == campaign => Ok(d),
        _ => Err(DrawFailure::UnknownDraw(draw_id.to_string()).into()),
    }
}

/// The campaign's draws, first first, with their winners' contact status.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/draws", tag = "draws",
    params(("campaign" = String, Path, description = "Campaign id")),
    responses((status = 200, body = [DrawView]), (status = 401), (status = 403, description = "`forbidden`")))]
pub async fn list(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
) -> Result<Json<Vec<DrawView>>, ApiError> {
    caller.read(&campaign)?;
    let mut out = Vec::new();
    for d in state.backends.draws.list_draws(&campaign).await? {
        out.push(view(&state, d).await?);
    }
    Ok(Json(out))
}

/// Draws winners and alternates (as `vouch draw`), stores the draw and mails the winners. A
/// campaign still open is refused unless `force`.
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/draws", tag = "draws",
    params(("campaign" = String, Path, description = "Campaign id")), request_body = NewDraw,
    responses((status = 201, body = DrawView), (status = 401), (status = 403, description = "`forbidden`, `csrf_rejected`"),
        (status = 409, description = "`conflict`: the campaign is still open (or has no close) and `force` was not sent, or another draw was stored at once"),
        (status = 422, description = "`validation_failed`: no winners, fewer eligible entries than winners, or a blank beacon")))]
pub async fn run(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(campaign): Path<String>,
    body: Result<AdminJson<NewDraw>, ApiError>,
) -> Result<(StatusCode, Json<DrawView>), ApiError> {
    let campaign = caller.write(&campaign)?;
    let AdminJson(new) = body?;
    if new.beacon.trim().is_empty() {
        return Err(invalid("The beacon must not be blank."));
    }
    let request = DrawRequest {
        winners: new.winners,
        alternates: new.alternates,
        beacon: new.beacon,
        beacon_source: new.beacon_source.filter(|s| !s.trim().is_empty()),
        force: new.force,
        actor: caller.actor.clone(),
    };
    let record = draw::draw_campaign(&state.backends, &campaign, &request, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(view(&state, record).await?)))
}

/// One draw, with its winners' contact status.
#[utoipa::path(get, path = "/admin/v1/campaigns/{campaign}/draws/{draw_id}", tag = "draws",
    params(("campaign" = String, Path, description = "Campaign id"), ("draw_id" = String, Path, description = "Draw id")),
    responses((status = 200, body = DrawView), (status = 401), (status = 403, description = "`forbidden`"), (status = 404, description = "`not_found`")))]
pub async fn get(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, draw_id)): Path<(String, String)>,
) -> Result<Json<DrawView>, ApiError> {
    caller.read(&campaign)?;
    let record = draw_of(&state, &campaign, &draw_id).await?;
    Ok(Json(view(&state, record).await?))
}

/// Recomputes the draw from the entries as stored now (as `vouch draw verify`). Changes nothing,
/// so viewers may verify too.
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/draws/{draw_id}/verify", tag = "draws",
    params(("campaign" = String, Path, description = "Campaign id"), ("draw_id" = String, Path, description = "Draw id")),
    responses((status = 200, body = VerificationView), (status = 401), (status = 403, description = "`forbidden`, `csrf_rejected`"), (status = 404, description = "`not_found`")))]
pub async fn verify(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, draw_id)): Path<(String, String)>,
) -> Result<Json<VerificationView>, ApiError> {
    caller.read(&campaign)?;
    draw_of(&state, &campaign, &draw_id).await?;
    let v = draw::verify(&state.backends, &draw_id).await?;
    Ok(Json(VerificationView { matches: v.matches(), differences: v.differences, draw_id }))
}

/// A winner gives up the prize (as `vouch draw forfeit`): the next alternate takes the place and
/// is mailed. Forfeiting one who is no longer a winner is `conflict`.
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/draws/{draw_id}/forfeit", tag = "draws",
    params(("campaign" = String, Path, description = "Campaign id"), ("draw_id" = String, Path, description = "Draw id")),
    request_body = ForfeitBody,
    responses((status = 200, body = DrawView), (status = 401), (status = 403, description = "`forbidden`, `csrf_rejected`"),
        (status = 404, description = "`not_found`"), (status = 409, description = "`conflict`: not a current winner")))]
pub async fn forfeit(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, draw_id)): Path<(String, String)>,
    body: Result<AdminJson<ForfeitBody>, ApiError>,
) -> Result<Json<DrawView>, ApiError> {
    caller.write(&campaign)?;
    let AdminJson(body) = body?;
    draw_of(&state, &campaign, &draw_id).await?;
    let (record, _) =
        draw::forfeit(&state.backends, &state.campaigns, &draw_id, &body.entry_id, &caller.actor, now_ms()).await?;
    Ok(Json(view(&state, record).await?))
}

/// Mails the current winners not mailed yet (as `vouch draw notify`, after an interrupted run).
#[utoipa::path(post, path = "/admin/v1/campaigns/{campaign}/draws/{draw_id}/notify", tag = "draws",
    params(("campaign" = String, Path, description = "Campaign id"), ("draw_id" = String, Path, description = "Draw id")),
    responses((status = 200, body = DrawView), (status = 401), (status = 403, description = "`forbidden`, `csrf_rejected`"), (status = 404, description = "`not_found`")))]
pub async fn notify(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path((campaign, draw_id)): Path<(String, String)>,
) -> Result<Json<DrawView>, ApiError> {
    caller.write(&campaign)?;
    draw_of(&state, &campaign, &draw_id).await?;
    let record = draw::notify_draw(&state.backends, &state.campaigns, &draw_id).await?;
    let view = view(&state, record).await?;
    let mailed: Vec<&str> =
        view.contacts.iter().filter(|c| c.current && c.notified).map(|c| c.entry_id.as_str()).collect();
    let detail =
        format!("{} of {} current winners mailed: {}", mailed.len(), view.current_winners.len(), mailed.join(" "));
    super::audit(&state.backends, &campaign, &caller.actor, "draw.notify", &draw_id, &detail).await?;
    Ok(Json(view))
}
