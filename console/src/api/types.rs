//! The admin API's answers as the console reads them (docs/admin-api.md and
//! `/admin/v1/openapi.json`). `Me`, `Role` and the shared enums come from `vouch-core`; the other
//! shapes are the server's, read with only the fields the console shows (serde ignores the rest),
//! and optional fields default, so a field the server adds later does not break an older console.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use vouch_core::rewards::CreditState;
pub use vouch_core::wire::EntryStatus;

pub use vouch_core::admin::{Access, Me, Role};

/// Viewers read only; the server refuses their writes anyway, the console hides the buttons.
pub fn can_write(me: &Me) -> bool {
    me.role != Role::Viewer
}

/// Queues are shared by all campaigns, shoppers' data spans them: owners only.
pub fn sees_queues(me: &Me) -> bool {
    me.may(None, Access::Owner)
}

#[derive(Debug, Clone, Serialize)]
pub struct Login<'a> {
    pub email: &'a str,
    pub password: &'a str,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CampaignSummary {
    pub id: String,
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub opens_at: Option<String>,
    #[serde(default)]
    pub closes_at: Option<String>,
    #[serde(default)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Counts {
    #[serde(default)]
    pub entries: BTreeMap<String, u64>,
    #[serde(default)]
    pub pending_review: u64,
    /// `null`: not counted yet (see docs/admin-api.md).
    #[serde(default)]
    pub referrers: Option<u64>,
    #[serde(default)]
    pub conversions: u64,
    #[serde(default)]
    pub credits: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Embed {
    pub snippet: String,
    #[serde(default)]
    pub hosted_url: Option<String>,
    #[serde(default)]
    pub preview_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EntryRow {
    pub entry_id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    pub status: EntryStatus,
    /// When the entry was taken (RFC 3339).
    #[serde(default, alias = "created_at")]
    pub accepted_at: Option<String>,
}

impl EntryRow {
    /// `name`, or first and last name as the stored entry has them.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            [&self.first_name, &self.last_name].into_iter().flatten().cloned().collect::<Vec<_>>().join(" ")
        })
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EntryPage {
    pub entries: Vec<EntryRow>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReceiptUrls {
    /// The full image, signed for a few minutes.
    pub url: String,
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuditRecord {
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EntryDetail {
    pub entry_id: String,
    pub status: EntryStatus,
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    #[serde(default)]
    pub consents: BTreeMap<String, Value>,
    #[serde(default)]
    pub receipt: Option<ReceiptUrls>,
    #[serde(default)]
    pub audit: Vec<AuditRecord>,
}

/// An entry waiting for review, as the queue shows it (`ReviewEntry`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewEntry {
    pub entry_id: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub accepted_at: String,
}

/// Why it waits (`ReviewCaseView`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ReviewCase {
    #[serde(default)]
    pub signals: Vec<String>,
    #[serde(default)]
    pub duplicate_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewItem {
    pub entry: ReviewEntry,
    #[serde(default)]
    pub case: ReviewCase,
    #[serde(default)]
    pub receipt_url: Option<String>,
    #[serde(default)]
    pub duplicate_receipt_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewPage {
    pub items: Vec<ReviewItem>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A reason a reviewer may reject with, numbered by its place (`GET …/review/reasons`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Reason {
    pub code: String,
    #[serde(default)]
    pub note_required: bool,
    #[serde(default)]
    pub shopper_text: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// Someone who has held a win: a drawn winner or a promoted alternate (`Contact`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Contact {
    pub entry_id: String,
    #[serde(default)]
    pub current: bool,
    #[serde(default)]
    pub promoted: bool,
    #[serde(default)]
    pub notified: bool,
    #[serde(default)]
    pub notified_at: Option<String>,
    #[serde(default)]
    pub forfeited: bool,
}

impl Contact {
    /// Where contacting this person stands, in words.
    pub fn status(&self) -> String {
        let how = if self.promoted { "promoted alternate" } else { "winner" };
        let state = match (self.forfeited, self.notified, &self.notified_at) {
            (true, _, _) => "forfeited".to_string(),
            (false, true, Some(at)) => format!("mailed {at}"),
            (false, true, None) => "mailed".to_string(),
            (false, false, _) => "not mailed yet".to_string(),
        };
        format!("{how}, {state}")
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Draw {
    pub draw_id: String,
    #[serde(default)]
    pub sequence: u32,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub beacon: String,
    #[serde(default)]
    pub beacon_source: Option<String>,
    #[serde(default)]
    pub eligible: u64,
    #[serde(default)]
    pub seed: String,
    #[serde(default)]
    pub winners: Vec<String>,
    #[serde(default)]
    pub alternates: Vec<String>,
    #[serde(default)]
    pub current_winners: Vec<String>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrawRequest {
    pub winners: u32,
    pub alternates: u32,
    /// The beacon as text: a drand round's randomness, a lottery result.
    pub beacon: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beacon_source: Option<String>,
    /// Draw a campaign that is still open (as `vouch draw --force`).
    pub force: bool,
}

/// `POST …/draws/{draw_id}/verify`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Verification {
    pub draw_id: String,
    pub matches: bool,
    #[serde(default)]
    pub differences: Vec<String>,
}

/// `POST …/redrive`: how many dead letters went back to their queue.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Redriven {
    pub redriven: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Credit {
    pub credit_id: String,
    pub state: CreditState,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default)]
    pub amount_minor: Option<i64>,
    /// ISO 4217, with `amount_minor`.
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub reward: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Pool {
    pub pool: String,
    #[serde(default)]
    pub available: u64,
    /// Handed out.
    #[serde(default)]
    pub assigned: u64,
    #[serde(default)]
    pub low_water: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct QueueState {
    pub name: String,
    #[serde(default)]
    pub ready: u64,
    #[serde(default)]
    pub in_flight: u64,
    #[serde(default)]
    pub dead: u64,
    #[serde(default)]
    pub paused: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeadLetter {
    pub id: String,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub failed_at: Option<String>,
    #[serde(default)]
    pub campaign: Option<String>,
}

/// The error body, read loosely: admin fields (e.g. `winners`) are not all in the shopper
/// form's `Field` enum, and an unknown code still has its message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorDetail {
    pub code: vouch_core::ErrorCode,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    pub field: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// `POST /admin/v1/shoppers/export|erase`'s body.
#[derive(Debug, Clone, Serialize)]
pub struct ShopperRequest {
    pub email: String,
    pub campaign: Option<String>,
}
