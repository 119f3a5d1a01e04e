//! `vouch shopper export`: one JSON document with everything held about a shopper, plus the
//! receipt images. The document's shape is [`ExportDocument`] (see docs/privacy.md).

use std::path::Path;

use serde::Serialize;

use super::{gather, shopper, PrivacyError};
use crate::app::wiring::Backends;
use crate::backends::embedded::OutboxMail;
use crate::backends::privacy::{Erasure, HeldReferrer, QueuedMessage, QuotaRow};
use crate::backends::referrals::Credit;
use crate::backends::review::{AuditRecord, ReviewCase};
use crate::backends::StoredEntry;

/// The format name and version the document carries.
pub const FORMAT: &str = "vouch.shopper-export/1";

#[derive(Debug, Serialize)]
pub struct ExportDocument {
    pub format: &'static str,
    /// The mailbox identity (normalised address) the export is for.
    pub identity: String,
    /// The campaign it is limited to, or none for all.
    pub campaign: Option<String>,
    pub generated_at: String,
    pub entries: Vec<ExportedEntry>,
    /// Every consent given, from entries and referrer sign-ups.
    pub consents: Vec<Consent>,
    pub referrers: Vec<HeldReferrer>,
    pub credits: Vec<ExportedCredit>,
    /// Per-person entry counters (entry limits).
    pub entry_limits: Vec<QuotaRow>,
    /// Submissions still queued or dead-lettered (embedded queue).
    pub queued: Vec<QueuedMessage>,
    /// Mails sent (embedded outbox).
    pub mails: Vec<OutboxMail>,
    /// Audit records about the shopper's entries, referrer records and credits.
    pub audit: Vec<AuditRecord>,
    /// Earlier erasures of this identity (only their time, scope and actor).
    pub erasures: Vec<Erasure>,
    pub analytics: Analytics,
}

#[derive(Debug, Serialize)]
pub struct ExportedEntry {
    #[serde(flatten)]
    pub entry: StoredEntry,
    pub review: Option<ReviewCase>,
    /// The code handed out for the entry, if any.
    pub code: Option<String>,
    /// The receipt image's file name in the export folder.
    pub receipt_file: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExportedCredit {
    #[serde(flatten)]
    pub credit: Credit,
    pub code: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Consent {
    pub campaign: String,
    /// `entry` or `referrer`.
    pub given_with: &'static str,
    pub id: String,
    pub terms: bool,
    pub marketing: bool,
    pub at_ms: i64,
}

/// Analytics tied to the shopper: none. Page analytics are keyed by a random session id, never by
/// a mailbox, so nothing there can be found for (or is about) a person.
#[derive(Debug, Serialize)]
pub struct Analytics {
    pub records: Vec<serde_json::Value>,
    pub note: &'static str,
}

/// A receipt image of the export.
#[derive(Debug)]
pub struct ReceiptFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
pub struct ShopperExport {
    pub document: ExportDocument,
    pub receipts: Vec<ReceiptFile>,
}

/// Everything held about `email` (in `campaign`, or everywhere), for `actor`; audited. A malformed
/// address is an error that reads nothing.
pub async fn export(
    backends: &Backends,
    email: &str,
    campaign: Option<&str>,
    actor: &str,
) -> Result<ShopperExport, PrivacyError> {
    let who = shopper(backends, email, campaign)?;
    let _held = gather(backends, &who).await?;
    todo!("export document")
}

/// Writes `shopper.json` and `receipts/…` into `dir` (created, private).
pub fn write(export: &ShopperExport, dir: &Path) -> Result<(), PrivacyError> {
    let _ = (export, dir);
    todo!("write export")
}
