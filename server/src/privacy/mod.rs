//! A shopper's data on request: everything Vouch holds about one mailbox identity, exported
//! (`vouch shopper export`, GDPR Art. 15/20) or erased (`vouch shopper erase`, Art. 17). Plain
//! functions over [`Backends`], shared by the CLI and the console.
//!
//! The backends answer kind by kind ([`crate::backends::privacy::Privacy`]); [`gather`] asks them
//! all, so a new kind of personal data is one more field of [`Holdings`].

pub mod cli;
pub mod erase;
pub mod export;
pub mod leftovers;
pub mod retention;
pub mod retention_cli;

use vouch_core::email::Email;
use vouch_core::FieldCode;

use crate::app::wiring::Backends;
use crate::backends::consents::ConsentRecord;
use crate::backends::embedded::OutboxMail;
use crate::backends::privacy::{HeldReferrer, QueuedMessage, QuotaRow, Shopper};
use crate::backends::referrals::Credit;
use crate::backends::{BackendError, StoredEntry};

#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// The address is not an e-mail address (never echoed: it may be personal data).
    #[error("email: {0}")]
    MalformedEmail(FieldCode),
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// The shopper an address names, in `campaign` or in all campaigns; a malformed address is an
/// error before anything is read or written.
pub fn shopper(backends: &Backends, email: &str, campaign: Option<&str>) -> Result<Shopper, PrivacyError> {
    let email = Email::parse(email).map_err(PrivacyError::MalformedEmail)?;
    Ok(Shopper::new(email.as_str(), campaign, &backends.erasure_key))
}

/// How audit records name the shopper: by the start of the keyed hash, never the address.
fn subject(who: &Shopper) -> String {
    format!("shopper:{}", &who.tag[..16])
}

/// Everything the stores hold about one shopper, kind by kind.
#[derive(Debug, Default)]
pub struct Holdings {
    pub entries: Vec<StoredEntry>,
    pub referrers: Vec<HeldReferrer>,
    /// Consent records: the words shown, when, where, and the marketing opt-in's state.
    pub consents: Vec<ConsentRecord>,
    pub credits: Vec<Credit>,
    pub quota: Vec<QuotaRow>,
    pub queued: Vec<QueuedMessage>,
    /// Receipts in the object store: normalised copies, thumbnails and original uploads.
    pub objects: Vec<String>,
    /// Mails in the embedded outbox (SES keeps no copy of a sent mail's text or address).
    pub mails: Vec<OutboxMail>,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
            && self.referrers.is_empty()
            && self.consents.is_empty()
            && self.credits.is_empty()
            && self.quota.is_empty()
            && self.queued.is_empty()
            && self.objects.is_empty()
            && self.mails.is_empty()
    }
}

/// Reads every kind of personal data the shopper has in the stores.
pub async fn gather(backends: &Backends, who: &Shopper) -> Result<Holdings, PrivacyError> {
    let privacy = backends.privacy.as_ref();
    let entries = privacy.entries_of(who).await?;
    let referrers = privacy.referrers_of(who).await?;
    let referrer_ids: Vec<String> = referrers.iter().map(|r| r.referrer.referrer_id.clone()).collect();
    let consents = consents_of(backends, who).await?;
    let credits = privacy.credits_of(who, &referrer_ids).await?;
    let quota = privacy.quota_of(who).await?;
    let queued = privacy.queued_of(who).await?;
    let objects = objects_of(backends, &entries, &queued).await?;
    let mails = match &backends.sqlite {
        Some(db) => db.outbox().mails_to(who).await?,
        None => Vec::new(),
    };
    Ok(Holdings { entries, referrers, consents, credits, quota, queued, objects, mails })
}

/// The shopper's consent records (in scope).
async fn consents_of(backends: &Backends, who: &Shopper) -> Result<Vec<ConsentRecord>, PrivacyError> {
    Ok(crate::consents::consents_of_mailbox(backends.consents.as_ref(), &who.identity, who.campaign.as_deref()).await?)
}

/// The receipt objects that exist for these entries and queued messages.
async fn objects_of(
    backends: &Backends,
    entries: &[StoredEntry],
    queued: &[QueuedMessage],
) -> Result<Vec<String>, PrivacyError> {
    use crate::uploads::keys::{receipt_key, thumbnail_key};
    let mut keys = Vec::new();
    for e in entries {
        let normalised = e.receipt_key.clone().unwrap_or_else(|| receipt_key(&e.campaign, &e.entry_id));
        keys.push(thumbnail_key(&normalised));
        keys.push(normalised);
    }
    keys.extend(backends.privacy.claimed_uploads(entries).await?);
    for q in queued {
        if let (Some(campaign), Some(entry_id)) = (q.body["campaign"].as_str(), q.body["entry_id"].as_str()) {
            keys.push(receipt_key(campaign, entry_id));
        }
        if let Some(original) = q.body["receipt_key"].as_str() {
            keys.push(original.to_string());
        }
    }
    keys.sort();
    keys.dedup();
    let mut present = Vec::new();
    for key in keys {
        if backends.objects.head(&key).await?.is_some() {
            present.push(key);
        }
    }
    Ok(present)
}
