//! Building consent records (the words are taken when the entry or join is accepted, so a record
//! holds what the shopper saw, not what the campaign says later) and reading them by mailbox.

use serde::{Deserialize, Serialize};
use vouch_core::consent::{given, label, wording_version, ConsentForm, ConsentKind, MarketingState};
use vouch_core::i18n::Locale;
use vouch_core::referral::identity_email;
use vouch_core::wire::{Consents, JoinRequest};

use crate::backends::consents::{ConsentRecord, ConsentStore};
use crate::backends::referrals::Referrals;
use crate::backends::Result;
use crate::campaigns::Campaign;
use crate::clock::now_ms;

/// One consent as the shopper was shown it: carried in the entry message from the BFF to the
/// worker, which stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownConsent {
    pub kind: ConsentKind,
    pub version: String,
    pub label: String,
    pub locale: Locale,
}

/// The consents `consents` gives on `form` of `campaign`, each with the words shown in `locale`.
pub fn shown(campaign: &Campaign, form: ConsentForm, locale: Locale, consents: &Consents) -> Vec<ShownConsent> {
    let copy = campaign.copy_in(locale);
    given(consents)
        .into_iter()
        .map(|kind| {
            let words = label(kind, form, copy, locale).to_string();
            ShownConsent { kind, version: wording_version(&words), label: words, locale }
        })
        .collect()
}

/// Where a set of consents came from: an entry or a join of `campaign`, by the mailbox `email`.
pub struct Source<'a> {
    pub id: &'a str,
    pub campaign: &'a str,
    pub email: &'a str,
    pub at_ms: i64,
    pub origin: Option<&'a str>,
}

/// The records to store for `shown`, keyed by source and kind (a redelivery writes the same keys).
pub fn records(source: &Source<'_>, shown: &[ShownConsent]) -> Vec<ConsentRecord> {
    let identity = identity_email(source.email);
    shown
        .iter()
        .map(|c| ConsentRecord {
            record_id: ConsentRecord::id(source.id, c.kind),
            identity: identity.clone(),
            campaign: source.campaign.to_string(),
            source: source.id.to_string(),
            kind: c.kind,
            given_at_ms: source.at_ms,
            version: c.version.clone(),
            label: c.label.clone(),
            locale: c.locale,
            origin: source.origin.map(str::to_string),
            confirmed_at_ms: None,
        })
        .collect()
}

/// A referral join that was answered: its consents are recorded under the referrer's id.
pub struct Join<'a> {
    pub campaign: &'a Campaign,
    pub request: &'a JoinRequest,
    /// The code the join answered with (the referrer's, new or not).
    pub code: &'a str,
    pub origin: Option<&'a str>,
}

/// Records the consents a join gave. Keyed by referrer and kind: a repeat join (another device)
/// or a retry after a failure here writes nothing new, or what the failure left out.
pub async fn record_join(store: &dyn ConsentStore, referrals: &dyn Referrals, join: &Join<'_>) -> Result<()> {
    let campaign = join.campaign;
    let locale = campaign.locale_for(join.request.locale.as_deref().and_then(Locale::parse));
    let shown = shown(campaign, ConsentForm::Join, locale, &join.request.consents);
    if shown.is_empty() {
        return Ok(());
    }
    let Some(referrer) = referrals.referrer_by_code(Some(campaign.id()), join.code).await? else {
        return Ok(());
    };
    let source = Source {
        id: &referrer.referrer_id,
        campaign: campaign.id(),
        email: &referrer.email,
        at_ms: now_ms(),
        origin: join.origin,
    };
    let written = records(&source, &shown);
    store.record_consents(&written).await?;
    // An erase anonymises the referrer before it reads the mailbox's records: if it ran meanwhile,
    // these records came too late for it, so they are taken back here.
    let now = referrals.referrer_by_code(Some(campaign.id()), join.code).await?;
    if now.is_none_or(|r| r.email != referrer.email) {
        store.erase_consents(&written).await?;
    }
    Ok(())
}

/// A consent record as the export and the admin API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MailboxConsent {
    pub kind: ConsentKind,
    pub campaign: String,
    /// The entry or referrer id it came with.
    pub source: String,
    pub given_at_ms: i64,
    pub version: String,
    /// The words shown, in `locale`.
    pub label: String,
    pub locale: Locale,
    pub origin: Option<String>,
    /// Marketing only: pending until the shopper confirms through the mailed link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marketing: Option<MarketingState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at_ms: Option<i64>,
}

impl From<ConsentRecord> for MailboxConsent {
    fn from(r: ConsentRecord) -> Self {
        Self {
            marketing: r.marketing_state(),
            kind: r.kind,
            campaign: r.campaign,
            source: r.source,
            given_at_ms: r.given_at_ms,
            version: r.version,
            label: r.label,
            locale: r.locale,
            origin: r.origin,
            confirmed_at_ms: r.confirmed_at_ms,
        }
    }
}

/// Every consent the mailbox `email` gave (however it is spelled: core's mailbox rule), of one
/// campaign or all, oldest first. The shopper export and erase start here.
pub async fn consents_of_mailbox(
    store: &dyn ConsentStore,
    email: &str,
    campaign: Option<&str>,
) -> Result<Vec<ConsentRecord>> {
    store.consents_of(&identity_email(email), campaign).await
}
