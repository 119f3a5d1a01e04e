//! `vouch shopper erase`: removes or irreversibly anonymises everything held about a shopper,
//! in the stores and the object store. Each step is idempotent and the tombstone is written
//! first, so a rerun after a crash completes the erase and an in-flight entry stays out.

use serde::Serialize;

use super::{consents_of, gather, shopper, PrivacyError};
use crate::app::wiring::Backends;
use crate::backends::privacy::{Erasure, Shopper};
use crate::backends::referrals::Referrer;
use crate::clock::now_ms;

/// What an erase did, for the operator (counts only: nothing personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    /// The erasure log's id of this erase.
    pub erasure_id: String,
    /// Nothing was held: the answer to an unknown address (not an error).
    pub nothing_held: bool,
    /// The identity was erased before (a repeat request), at these times.
    pub erased_before: Vec<i64>,
    pub entries: u64,
    pub referrers: u64,
    /// Consent records deleted.
    pub consents: u64,
    pub credits: u64,
    pub entry_limits: u64,
    pub queued: u64,
    pub objects: u64,
    pub mails: u64,
    /// Audit records whose free text quoted the shopper, now with `[erased]` in its place.
    pub audit_records: u64,
    /// Conversion reports the shopper made as a friend whose client (network) was replaced.
    pub conversions: u64,
    /// Operators' notes on the shopper's credits (reasons, payout references) that quoted them.
    pub credit_notes: u64,
}

/// Erases `email`'s data (in `campaign`, or everywhere) as `actor`; audited. The tombstone goes
/// first (an in-flight entry cannot come back), objects before the rows that name them (a rerun
/// after a crash still finds them), consent records after the entries (see [`erase_consents`]),
/// and every step is idempotent.
pub async fn erase(
    backends: &Backends,
    email: &str,
    campaign: Option<&str>,
    actor: &str,
) -> Result<ErasureReport, PrivacyError> {
    let who = shopper(backends, email, campaign)?;
    let privacy = backends.privacy.as_ref();
    let erasure = Erasure {
        id: format!("era_{}", uuid::Uuid::now_v7().simple()),
        tag: who.tag.clone(),
        campaign: who.scope().to_string(),
        actor: actor.to_string(),
        at_ms: now_ms(),
    };
    privacy.record_erasure(&erasure).await?;
    let erased_before =
        privacy.erasures(&who.tag).await?.into_iter().filter(|e| e.id != erasure.id).map(|e| e.at_ms).collect();
    let held = gather(backends, &who).await?;
    // One anonymous id per erasure: it links the anonymised rows to each other, not to the person.
    let anon_id = format!("anon_{}", uuid::Uuid::new_v4().simple());
    for key in &held.objects {
        backends.objects.delete(key).await?;
    }
    let referrers: Vec<Referrer> = held.referrers.iter().map(|r| r.referrer.clone()).collect();
    // Before the rows they quote are anonymised: a rerun after a crash still finds the quotes
    // through the entries and referrers that are left.
    let audit_records = super::leftovers::redact_audit(backends, &held, &who).await?;
    let credit_notes = super::leftovers::redact_credit_notes(backends, &held, &who).await?;
    let conversions = privacy.anonymise_conversions(&super::leftovers::own_conversions(&held, &who), &anon_id).await?;
    let report = ErasureReport {
        audit_records,
        conversions,
        credit_notes,
        erasure_id: erasure.id.clone(),
        nothing_held: held.is_empty(),
        erased_before,
        objects: held.objects.len() as u64,
        queued: privacy.erase_queued(&held.queued).await?,
        entries: privacy.anonymise_entries(&held.entries, &anon_id).await?,
        credits: privacy.anonymise_credits(&held.credits, &anon_id).await?,
        referrers: privacy.anonymise_referrers(&referrers, &anon_id).await?,
        consents: erase_consents(backends, &who).await?,
        entry_limits: privacy.erase_quota(&who).await?,
        mails: match &backends.sqlite {
            Some(db) => db.outbox().anonymise(&held.mails, &anon_id).await?,
            None => 0,
        },
    };
    let detail = format!(
        "entries={} referrers={} consents={} credits={} objects={} repeat={}",
        report.entries,
        report.referrers,
        report.consents,
        report.credits,
        report.objects,
        !report.erased_before.is_empty()
    );
    backends.moderation.audit(who.scope(), actor, "shopper.erase", &erasure.id, &detail, erasure.at_ms).await?;
    Ok(report)
}

/// Deletes the shopper's consent records, read afresh after the entries are anonymised: a worker
/// records an entry's consents and then checks that the entry still names the shopper, so a
/// record written after this read is one whose worker sees the anonymised entry and removes it.
async fn erase_consents(backends: &Backends, who: &Shopper) -> Result<u64, PrivacyError> {
    let records = consents_of(backends, who).await?;
    Ok(backends.consents.erase_consents(&records).await?)
}
