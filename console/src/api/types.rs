//! The admin API's answers as the console reads them (docs/admin-api.md). Shared enums come from
//! `vouch-core`; the admin shapes live here, in one file, until the server's own types move to
//! `vouch-core` (then these become re-exports). Optional fields default, so a field the server
//! adds later does not break an older console.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use vouch_core::rewards::CreditState;
pub use vouch_core::wire::EntryStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Moderator,
    Viewer,
}

/// Who is logged in (`GET`/`POST /admin/v1/session`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: Role,
    /// `None`: every campaign (owners).
    #[serde(default)]
    pub campaigns: Option<Vec<String>>,
    pub csrf_token: String,
}

impl Me {
    /// Viewers read only; the server refuses their writes anyway, the console hides the buttons.
    pub fn can_write(&self) -> bool {
        self.role != Role::Viewer
    }

    /// Queues are shared by all campaigns: owners only.
    pub fn sees_queues(&self) -> bool {
        self.role == Role::Owner
    }
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
    #[serde(default)]
    pub referrers: u64,
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
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub full_url: Option<String>,
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
    pub detail: Option<Value>,
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

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewItem {
    pub entry_id: String,
    #[serde(default)]
    pub receipt_url: Option<String>,
    #[serde(default)]
    pub duplicate_receipt_url: Option<String>,
    #[serde(default)]
    pub duplicate_of: Option<String>,
    #[serde(default)]
    pub signals: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Reject {
        reason: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Winner {
    pub entry_id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub contact_status: Option<String>,
    #[serde(default)]
    pub forfeited: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Draw {
    pub draw_id: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub beacon: Option<String>,
    #[serde(default)]
    pub winners: Vec<Winner>,
    #[serde(default)]
    pub alternates: Vec<Winner>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrawRequest {
    pub winners: u32,
    pub alternates: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beacon_round: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Credit {
    pub credit_id: String,
    pub state: CreditState,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default)]
    pub amount_minor: Option<i64>,
    #[serde(default)]
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Pool {
    pub pool: String,
    #[serde(default)]
    pub available: u64,
    #[serde(default)]
    pub claimed: u64,
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
