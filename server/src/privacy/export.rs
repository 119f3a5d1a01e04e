//! `vouch shopper export`: one JSON document with everything held about a shopper, plus the
//! receipt images. The document's shape is [`ExportDocument`] (see docs/privacy.md).

use std::path::Path;

use serde::Serialize;

use super::leftovers::{audit_quoting, conversions_of, wins, Win};
use super::{gather, shopper, PrivacyError};
use crate::app::wiring::Backends;
use crate::backends::consents::ConsentRecord;
use crate::backends::embedded::OutboxMail;
use crate::backends::leftovers::HeldConversion;
use crate::backends::privacy::{Erasure, HeldReferrer, QueuedMessage, QuotaRow};
use crate::backends::referrals::Credit;
use crate::backends::review::{AuditRecord, ReviewCase};
use crate::backends::StoredEntry;
use crate::clock::now_ms;
use crate::consents::MailboxConsent;
use crate::crypto::format_iso8601_ms;
use crate::uploads::keys::THUMBNAILS;
use vouch_core::codes::Pool;
use vouch_core::rewards::Side;

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
    /// Every consent given, with entries and referrer sign-ups, as recorded when it was given:
    /// the words shown and their version, the language, the page's origin and, for marketing,
    /// the double opt-in's state.
    pub consents: Vec<ExportedConsent>,
    pub referrers: Vec<HeldReferrer>,
    pub credits: Vec<ExportedCredit>,
    /// The conversions the shopper made as a friend, with the reporting client's network.
    pub conversions: Vec<HeldConversion>,
    /// Prize draws the shopper's entries won.
    pub wins: Vec<Win>,
    /// Per-person entry counters (entry limits).
    pub entry_limits: Vec<QuotaRow>,
    /// Submissions still queued or dead-lettered (embedded queue).
    pub queued: Vec<QueuedMessage>,
    /// Mails sent (embedded outbox).
    pub mails: Vec<OutboxMail>,
    /// Audit records about the shopper's entries, referrer records and credits, and those whose
    /// free text quotes the shopper.
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
pub struct ExportedConsent {
    #[serde(flatten)]
    pub consent: MailboxConsent,
    /// `entry` or `referrer`: what `source` names.
    pub given_with: &'static str,
    pub given_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
}

impl ExportedConsent {
    fn of(record: ConsentRecord, referrers: &[HeldReferrer]) -> Self {
        let by_referrer = referrers.iter().any(|r| r.referrer.referrer_id == record.source);
        Self {
            given_with: if by_referrer { "referrer" } else { "entry" },
            given_at: format_iso8601_ms(record.given_at_ms),
            confirmed_at: record.confirmed_at_ms.map(format_iso8601_ms),
            consent: record.into(),
        }
    }
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
    /// Its object key (the console links to it instead of carrying the bytes).
    pub key: String,
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
    let held = gather(backends, &who).await?;
    let mut receipts = Vec::new();
    for key in held.objects.iter().filter(|k| !k.starts_with(THUMBNAILS)) {
        if let Some(bytes) = backends.objects.get(key).await? {
            receipts.push(ReceiptFile { name: file_name(key), key: key.clone(), bytes });
        }
    }
    let conversions = conversions_of(backends, &held, &who).await?;
    let wins = wins(backends, &held).await?;
    let quoting = audit_quoting(backends, &held, &who, false).await?;
    let mut entries = Vec::new();
    let consents = held.consents.into_iter().map(|c| ExportedConsent::of(c, &held.referrers)).collect();
    for entry in held.entries {
        let review = backends.moderation.case(&entry.campaign, &entry.entry_id).await?;
        let code = backends.codes.assigned(&entry.campaign, Pool::Entry, &entry.entry_id).await?.map(|(_, c)| c);
        let receipt_file =
            entry.receipt_key.as_deref().map(file_name).filter(|f| receipts.iter().any(|r| &r.name == f));
        entries.push(ExportedEntry { entry, review, code, receipt_file });
    }
    let mut credits = Vec::new();
    for credit in held.credits {
        let pool = if credit.side == Side::Referrer { Pool::Referrer } else { Pool::Friend };
        let code = backends.codes.assigned(&credit.campaign, pool, &credit.credit_id).await?.map(|(_, c)| c);
        credits.push(ExportedCredit { credit, code });
    }
    let mut audit = audit_about(backends, &entries, &held.referrers, &credits).await?;
    let quoting: Vec<_> = quoting.into_iter().filter(|q| !audit.iter().any(|a| a.id == q.id)).collect();
    audit.extend(quoting);
    let document = ExportDocument {
        format: FORMAT,
        identity: who.identity.clone(),
        campaign: who.campaign.clone(),
        generated_at: format_iso8601_ms(now_ms()),
        entries,
        consents,
        referrers: held.referrers,
        credits,
        conversions,
        wins,
        entry_limits: held.quota,
        queued: held.queued,
        mails: held.mails,
        audit,
        erasures: backends.privacy.erasures(&who.tag).await?,
        analytics: Analytics {
            records: Vec::new(),
            note: "page analytics are keyed by a random session id, never by a mailbox: none are tied to a person",
        },
    };
    let detail = format!(
        "entries={} referrers={} consents={} credits={} receipts={}",
        document.entries.len(),
        document.referrers.len(),
        document.consents.len(),
        document.credits.len(),
        receipts.len()
    );
    backends.moderation.audit(who.scope(), actor, "shopper.export", &super::subject(&who), &detail, now_ms()).await?;
    Ok(ShopperExport { document, receipts })
}

/// A receipt's file name in the export: its object key, flattened.
fn file_name(key: &str) -> String {
    format!("receipts/{}", key.replace('/', "_"))
}

/// The audit records whose subject is one of the shopper's entries, referrer records or credits.
async fn audit_about(
    backends: &Backends,
    entries: &[ExportedEntry],
    referrers: &[HeldReferrer],
    credits: &[ExportedCredit],
) -> Result<Vec<AuditRecord>, PrivacyError> {
    let mut subjects: Vec<&str> = entries.iter().map(|e| e.entry.entry_id.as_str()).collect();
    subjects.extend(referrers.iter().map(|r| r.referrer.referrer_id.as_str()));
    subjects.extend(credits.iter().map(|c| c.credit.credit_id.as_str()));
    let mut campaigns: Vec<&str> = entries.iter().map(|e| e.entry.campaign.as_str()).collect();
    campaigns.extend(referrers.iter().map(|r| r.referrer.campaign.as_str()));
    campaigns.extend(credits.iter().map(|c| c.credit.campaign.as_str()));
    campaigns.sort_unstable();
    campaigns.dedup();
    let mut records = Vec::new();
    for campaign in campaigns {
        let log = backends.moderation.list_audit(campaign).await?;
        records.extend(log.into_iter().filter(|r| subjects.contains(&r.subject.as_str())));
    }
    Ok(records)
}

/// Writes `shopper.json` and `receipts/…` into `dir` (created open to this user only).
pub fn write(export: &ShopperExport, dir: &Path) -> Result<(), PrivacyError> {
    crate::backends::embedded::db::private_dir(&dir.join("receipts"))?;
    let json = serde_json::to_vec_pretty(&export.document).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("shopper.json"), json)?;
    for r in &export.receipts {
        std::fs::write(dir.join(&r.name), &r.bytes)?;
    }
    Ok(())
}
