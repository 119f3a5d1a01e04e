//! The retention sweep (GDPR Art. 5(1)(e)): once a campaign is past `retention_days` after its
//! close ([`vouch_core::retention`]), its receipts and personal fields go; entry counts, stats and
//! the ledger (amounts and states, with an anonymous id for the person) stay.
//!
//! The same code runs on both backends, through the traits. A campaign is swept step by step and
//! page by page ([`SweepStep`]); the record of where it stands is saved after every page, so a
//! sweep killed midway resumes where it was (every page's work is idempotent), and a finished
//! campaign is not read again.

use crate::app::wiring::Backends;
use crate::backends::entry_search::{Cursor, EntryQuery};
use crate::backends::privacy::anonymous_email;
use crate::backends::retention::{Page, SweepRecord, SweepStep, SWEEP_ACTION};
use crate::backends::BackendError;
use crate::campaigns::{Campaign, Campaigns};
use crate::uploads::keys::{RECEIPTS, THUMBNAILS, UPLOADS};

/// Rows (or objects) per page: one short transaction each, whatever the campaign's size.
pub const PAGE: u32 = 500;

/// The generation of the sweep's steps. 1 ended with the entry counters; 2 added what points at
/// people from beside their rows (conversions' clients, credit notes, undelivered webhook events,
/// the audit log's free text), from [`SweepStep::Conversions`] on.
pub const GENERATION: u32 = 2;

/// The object folders a campaign's receipts live in: originals and orphans (uploads never claimed
/// by an entry), normalised copies, thumbnails.
const FOLDERS: [&str; 3] = [UPLOADS, RECEIPTS, THUMBNAILS];

/// When the campaign's personal data is due for deletion: `retention_days` after the last moment
/// an entry could come in (the close plus its grace); `None` for a campaign without a close.
pub fn due_at_ms(campaign: &Campaign) -> Option<i64> {
    let s = &campaign.schedule;
    let last_entry = s.window.closes_at_ms.map(|close| close.saturating_add(s.close_grace_ms));
    campaign.retention.due_at_ms(last_entry)
}

/// Whether the campaign is past retention at `now_ms`.
pub fn is_due(campaign: &Campaign, now_ms: i64) -> bool {
    due_at_ms(campaign).is_some_and(|due| now_ms >= due)
}

/// Sweeps every campaign past retention at `now_ms` that is not swept yet; returns the records of
/// the campaigns swept now (finished ones are skipped after one read of their record).
pub async fn sweep_due(
    backends: &Backends,
    campaigns: &Campaigns,
    now_ms: i64,
) -> Result<Vec<SweepRecord>, BackendError> {
    let mut ids: Vec<String> = campaigns.ids().map(str::to_string).collect();
    ids.sort();
    let mut swept = Vec::new();
    for id in ids {
        let Some(campaign) = campaigns.get(&id) else { continue };
        if !is_due(&campaign, now_ms) {
            continue;
        }
        if let Some(record) = sweep_campaign(backends, &id, now_ms).await? {
            swept.push(record);
        }
    }
    Ok(swept)
}

/// Sweeps one campaign to the end, resuming a sweep that was interrupted. `None` when it was
/// swept before. The caller checks that it is due.
pub async fn sweep_campaign(
    backends: &Backends,
    campaign: &str,
    now_ms: i64,
) -> Result<Option<SweepRecord>, BackendError> {
    sweep_campaign_in_pages(backends, campaign, now_ms, PAGE).await
}

/// [`sweep_campaign`] with pages of `limit` items (tests sweep in small pages).
pub async fn sweep_campaign_in_pages(
    backends: &Backends,
    campaign: &str,
    now_ms: i64,
    limit: u32,
) -> Result<Option<SweepRecord>, BackendError> {
    let store = backends.retention.as_ref();
    let mut record = match store.sweep_record(campaign).await? {
        Some(r) if r.step == SweepStep::Done && r.generation >= GENERATION => return Ok(None),
        // Finished by an older generation: the steps it lacked run now, with the same anonymous id.
        Some(r) if r.step == SweepStep::Done => {
            SweepRecord { step: SweepStep::Conversions, cursor: None, done_at_ms: None, generation: GENERATION, ..r }
        }
        // Interrupted: it goes on through every step of this generation.
        Some(r) => SweepRecord { generation: GENERATION, ..r },
        None => {
            let fresh = SweepRecord {
                campaign: campaign.to_string(),
                anon_id: format!("anon_{}", uuid::Uuid::new_v4().simple()),
                started_at_ms: now_ms,
                step: SweepStep::Objects,
                cursor: None,
                counts: Default::default(),
                done_at_ms: None,
                generation: GENERATION,
            };
            store.save_sweep_record(&fresh).await?;
            fresh
        }
    };
    tracing::info!(campaign, step = ?record.step, "retention sweep of the campaign runs");
    while record.step != SweepStep::Done {
        let (done, next) = page(backends, &record, limit.max(1)).await?;
        count(&mut record, done);
        match next {
            Some(cursor) => record.cursor = Some(cursor),
            None => {
                record.step = after(record.step);
                record.cursor = None;
            }
        }
        if record.step == SweepStep::Done {
            record.done_at_ms = Some(now_ms);
        }
        store.save_sweep_record(&record).await?;
    }
    let c = &record.counts;
    let detail = format!(
        "objects={} entries={} fingerprints={} referrers={} credits={} consents={} entry_limits={} mails={} \
         dead_letters={} conversions={} credit_notes={} pending_events={} audit_notes={}",
        c.objects,
        c.entries,
        c.fingerprints,
        c.referrers,
        c.credits,
        c.consents,
        c.entry_limits,
        c.mails,
        c.dead_letters,
        c.conversions,
        c.credit_notes,
        c.pending_events,
        c.audit_notes
    );
    tracing::info!(campaign, %detail, "retention sweep of the campaign is done");
    backends.moderation.audit(campaign, "retention", SWEEP_ACTION, campaign, &detail, now_ms).await?;
    Ok(Some(record))
}

fn after(step: SweepStep) -> SweepStep {
    match step {
        SweepStep::Objects => SweepStep::Entries,
        SweepStep::Entries => SweepStep::Fingerprints,
        SweepStep::Fingerprints => SweepStep::Mails,
        SweepStep::Mails => SweepStep::DeadLetters,
        SweepStep::DeadLetters => SweepStep::Referrers,
        SweepStep::Referrers => SweepStep::Credits,
        SweepStep::Credits => SweepStep::Consents,
        SweepStep::Consents => SweepStep::EntryLimits,
        SweepStep::EntryLimits => SweepStep::Conversions,
        SweepStep::Conversions => SweepStep::CreditNotes,
        SweepStep::CreditNotes => SweepStep::PendingEvents,
        SweepStep::PendingEvents => SweepStep::AuditNotes,
        SweepStep::AuditNotes | SweepStep::Done => SweepStep::Done,
    }
}

fn count(record: &mut SweepRecord, done: u64) {
    let c = &mut record.counts;
    match record.step {
        SweepStep::Objects => c.objects += done,
        SweepStep::Entries => c.entries += done,
        SweepStep::Fingerprints => c.fingerprints += done,
        SweepStep::Mails => c.mails += done,
        SweepStep::DeadLetters => c.dead_letters += done,
        SweepStep::Referrers => c.referrers += done,
        SweepStep::Credits => c.credits += done,
        SweepStep::Consents => c.consents += done,
        SweepStep::EntryLimits => c.entry_limits += done,
        SweepStep::Conversions => c.conversions += done,
        SweepStep::CreditNotes => c.credit_notes += done,
        SweepStep::PendingEvents => c.pending_events += done,
        SweepStep::AuditNotes => c.audit_notes += done,
        SweepStep::Done => {}
    }
}

/// One page of the record's step, from its cursor: how many items it deleted or anonymised, and
/// the cursor of the next page (`None`: the step is done).
async fn page(backends: &Backends, record: &SweepRecord, limit: u32) -> Result<(u64, Option<String>), BackendError> {
    let (campaign, cursor, anon) = (record.campaign.as_str(), record.cursor.as_deref(), record.anon_id.as_str());
    let privacy = backends.privacy.as_ref();
    let retention = backends.retention.as_ref();
    let of = |n: usize| n as u64;
    match record.step {
        SweepStep::Objects => {
            // The cursor is the folder being emptied; a listing after deletions starts afresh.
            let folder: usize = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
            let Some(name) = FOLDERS.get(folder) else { return Ok((0, None)) };
            let keys = backends.objects.list(&format!("{name}/{campaign}"), limit as usize).await?;
            for key in &keys {
                backends.objects.delete(key).await?;
            }
            let next = if keys.len() >= limit as usize { Some(folder) } else { Some(folder + 1) };
            Ok((of(keys.len()), next.filter(|f| *f < FOLDERS.len()).map(|f| f.to_string())))
        }
        SweepStep::Entries => {
            let query = EntryQuery { oldest_first: true, ..Default::default() };
            let from = cursor.and_then(Cursor::decode);
            let found = backends.search.search_entries(campaign, &query, from.as_ref(), limit).await?;
            let personal: Vec<_> =
                found.entries.into_iter().filter(|e| e.entrant.email != anonymous_email(anon)).collect();
            let done = retention.anonymise_entry_page(&personal, anon).await?;
            Ok((done, found.next_cursor))
        }
        SweepStep::Fingerprints => {
            let Page { items, next } = retention.erase_fingerprints(campaign, cursor, limit).await?;
            Ok((of(items.len()), next))
        }
        SweepStep::Mails => match &backends.sqlite {
            Some(db) => {
                let Page { items, next } = db.anonymise_campaign_mails(campaign, cursor, limit, anon).await?;
                Ok((of(items.len()), next))
            }
            None => Ok((0, None)),
        },
        SweepStep::DeadLetters => match &backends.sqlite {
            Some(db) => Ok((db.erase_campaign_dead_letters(campaign).await?, None)),
            // SQS drops a dead letter after its retention (at most 14 days).
            None => Ok((0, None)),
        },
        SweepStep::Referrers => {
            let Page { items, next } = retention.referrers_page(campaign, cursor, limit).await?;
            let personal: Vec<_> = items.into_iter().filter(|r| r.email != anonymous_email(anon)).collect();
            Ok((privacy.anonymise_referrers(&personal, anon).await?, next))
        }
        SweepStep::Credits => {
            // Credits keep their amounts and states: only the recipient goes.
            let Page { items, next } = retention.credits_page(campaign, cursor, limit).await?;
            let personal: Vec<_> = items.into_iter().filter(|c| c.recipient != anonymous_email(anon)).collect();
            Ok((privacy.anonymise_credits(&personal, anon).await?, next))
        }
        SweepStep::Consents => {
            let Page { items, next } = retention.consents_page(campaign, cursor, limit).await?;
            Ok((backends.consents.erase_consents(&items).await?, next))
        }
        SweepStep::EntryLimits => {
            let Page { items, next } = retention.erase_entry_limits(campaign, cursor, limit).await?;
            Ok((of(items.len()), next))
        }
        SweepStep::Conversions => {
            let Page { items, next } = retention.anonymise_campaign_conversions(campaign, cursor, limit, anon).await?;
            Ok((of(items.len()), next))
        }
        SweepStep::CreditNotes => {
            let Page { items, next } = retention.redact_campaign_credit_notes(campaign, cursor, limit).await?;
            Ok((of(items.len()), next))
        }
        SweepStep::PendingEvents => {
            let Page { items, next } = retention.erase_campaign_pending_events(campaign, cursor, limit).await?;
            Ok((of(items.len()), next))
        }
        SweepStep::AuditNotes => {
            let Page { items, next } = retention.redact_campaign_audit(campaign, cursor, limit).await?;
            Ok((of(items.len()), next))
        }
        SweepStep::Done => Ok((0, None)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::campaigns::parse;

    const DAY_MS: i64 = 86_400_000;
    /// 2026-12-24T23:59:59Z.
    const CLOSE: i64 = 1_798_156_799_000;

    fn campaign(extra: &str) -> Result<Campaign, String> {
        parse(&format!("id = \"demo\"\nname = \"Demo\"\n{extra}\n[form]\nphone = \"optional\"\n"))
    }

    #[test]
    fn retention_days_is_ninety_unless_set_and_must_be_between_one_day_and_ten_years() {
        assert_eq!(campaign("").unwrap().retention.days(), 90);
        assert_eq!(campaign("retention_days = 7").unwrap().retention.days(), 7);
        assert!(campaign("retention_days = 0").unwrap_err().contains("retention_days must be at least 1"));
        assert!(campaign("retention_days = 4000").unwrap_err().contains("at most 3650"));
        assert!(campaign("retention_days = -1").is_err());
    }

    #[test]
    fn the_days_count_from_the_close_plus_its_grace_and_an_open_ended_campaign_is_never_due() {
        let c = campaign("closes_at = \"2026-12-24T23:59:59Z\"\nclose_grace_minutes = 30\nretention_days = 2").unwrap();
        let due = CLOSE + 30 * 60_000 + 2 * DAY_MS;
        assert_eq!(due_at_ms(&c), Some(due));
        assert!(!is_due(&c, due - 1) && is_due(&c, due));
        let open_ended = campaign("retention_days = 1").unwrap();
        assert_eq!(due_at_ms(&open_ended), None);
        assert!(!is_due(&open_ended, i64::MAX));
    }

    proptest! {
        /// Whatever the settings, a campaign past retention takes no entry: nothing comes in after
        /// its sweep.
        #[test]
        fn a_campaign_past_retention_takes_no_entry(
            days in 1u32..=3650,
            grace in 0u32..=100_000,
            late in 0i64..=1_000 * DAY_MS,
            granted_before in 0i64..=10 * DAY_MS,
        ) {
            let c = campaign(&format!(
                "closes_at = \"2026-12-24T23:59:59Z\"\nclose_grace_minutes = {grace}\nretention_days = {days}"
            )).unwrap();
            let now = due_at_ms(&c).unwrap() + late;
            prop_assert!(is_due(&c, now));
            let s = &c.schedule;
            prop_assert!(s.window.admits_entry(now, Some(CLOSE - granted_before), s.close_grace_ms).is_err());
            prop_assert!(s.window.admits_entry(now, None, s.close_grace_ms).is_err());
        }
    }
}
