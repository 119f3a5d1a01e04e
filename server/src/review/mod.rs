//! Moderation decisions, for every front end (the `vouch review` commands now, the console
//! later): what waits for review, and approving or rejecting one entry. A decision is a
//! conditional write (only from `pending_review`) together with its audit record; the shopper then
//! gets one e-mail in their language.

pub mod cli;

use vouch_core::i18n::{fill, reject_reason, review_mail, Locale};
use vouch_core::moderation::Decision;
use vouch_core::wire::EntryStatus;

use crate::backends::entry_search::{Cursor, EntryQuery, EntrySearch};
use crate::backends::review::{AuditRecord, Decided, Moderation, ReviewCase};
use crate::backends::{BackendError, Mail, Mailer, Store, StoredEntry};
use crate::campaigns::{Campaign, Campaigns};
use crate::clock::now_ms;
use crate::codes::fulfil::Fulfil;

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("no campaign has an entry {0}")]
    UnknownEntry(String),
    #[error("entry {entry_id} is {} and not waiting for review; nothing was changed", .status.as_str())]
    NotPending { entry_id: String, status: EntryStatus },
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// What a front end needs to decide an entry.
pub struct Reviews<'a> {
    pub store: &'a dyn Store,
    pub moderation: &'a dyn Moderation,
    pub mailer: &'a dyn Mailer,
    pub campaigns: &'a Campaigns,
    /// The `entry` pool's code for each approved entry.
    pub fulfil: &'a Fulfil,
}

/// One page of the review queue; `next_cursor` is set when more may follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPage {
    pub items: Vec<Pending>,
    pub next_cursor: Option<String>,
}

/// An entry waiting for review, and why it waits.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pending {
    pub entry: StoredEntry,
    pub case: Option<ReviewCase>,
}

impl Reviews<'_> {
    /// Up to `limit` of the campaign's entries waiting for review, oldest first, after `cursor`
    /// (a page's `next_cursor`): each page reads only its own entries, however long the queue.
    pub async fn pending_page(
        &self,
        search: &dyn EntrySearch,
        campaign: &str,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<PendingPage, ReviewError> {
        let query = EntryQuery { status: Some(EntryStatus::PendingReview), oldest_first: true, ..Default::default() };
        let page = search.search_entries(campaign, &query, cursor, limit).await?;
        let mut items = Vec::with_capacity(page.entries.len());
        for entry in page.entries {
            let case = self.moderation.case(campaign, &entry.entry_id).await?;
            items.push(Pending { entry, case });
        }
        Ok(PendingPage { items, next_cursor: page.next_cursor })
    }

    /// The campaign's entries waiting for review, oldest first: every page of [`Self::pending_page`].
    pub async fn pending(&self, search: &dyn EntrySearch, campaign: &str) -> Result<Vec<Pending>, ReviewError> {
        let (mut out, mut cursor) = (Vec::new(), None);
        loop {
            let page = self.pending_page(search, campaign, cursor.as_ref(), 500).await?;
            out.extend(page.items);
            match page.next_cursor.as_deref().and_then(Cursor::decode) {
                Some(next) => cursor = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// Decides an entry waiting for review. Deciding the same again (a retry after a lost answer)
    /// is not an error and sends no second e-mail; the opposite decision is refused.
    pub async fn decide(&self, entry_id: &str, decision: &Decision, actor: &str) -> Result<StoredEntry, ReviewError> {
        let (campaign, entry) = self.find(entry_id).await?;
        let (status, reason) = decision.outcome();
        let detail = match decision {
            Decision::Approve => String::new(),
            Decision::Reject { reason, note } => {
                [reason.code(), note.as_deref().unwrap_or_default()].join(" ").trim().to_string()
            }
        };
        let audit = AuditRecord::new(campaign.id(), actor, decision.action(), entry_id, &detail, now_ms());
        match self.moderation.decide(campaign.id(), entry_id, status, reason, &audit).await? {
            Decided::Done => {}
            Decided::NotPending(now) if now == status && entry.reason == reason => {}
            Decided::NotPending(now) => {
                return Err(ReviewError::NotPending { entry_id: entry_id.into(), status: now });
            }
            Decided::Unknown => return Err(ReviewError::UnknownEntry(entry_id.into())),
        }
        tracing::info!(entry_id, action = decision.action(), "review decided");
        let locale = self.moderation.case(campaign.id(), entry_id).await?.map(|c| c.locale).unwrap_or_default();
        let decided = StoredEntry { status, reason, ..entry };
        let dedup_key = format!("review:{entry_id}:{}", status.as_str());
        let mut mail = outcome_mail(&campaign, &decided, decision, locale);
        if status == EntryStatus::Approved {
            // The same code on a retry, so the retry's mail (if the first was lost) carries it too.
            let code = self.fulfil.hand_out(&campaign, vouch_core::codes::Pool::Entry, entry_id).await?;
            code.append_to(&mut mail.text, campaign.locale_for(Some(locale)));
        }
        self.mailer.send_once(&dedup_key, &mail).await?;
        Ok(decided)
    }

    /// The campaign holding `entry_id`, and the entry.
    async fn find(&self, entry_id: &str) -> Result<(std::sync::Arc<Campaign>, StoredEntry), ReviewError> {
        for id in self.campaigns.ids() {
            if let Some(entry) = self.store.get_entry(id, entry_id).await? {
                let campaign = self.campaigns.get(id).ok_or_else(|| ReviewError::UnknownEntry(entry_id.into()))?;
                return Ok((campaign, entry));
            }
        }
        Err(ReviewError::UnknownEntry(entry_id.into()))
    }
}

/// The shopper's e-mail with the outcome: approved, or rejected with the reason (and the
/// reviewer's note) in their language.
pub fn outcome_mail(campaign: &Campaign, entry: &StoredEntry, decision: &Decision, locale: Locale) -> Mail {
    let locale = campaign.locale_for(Some(locale));
    let (subject, text) = review_mail(locale, matches!(decision, Decision::Approve));
    let name = &campaign.public.name;
    let mut text = fill(text, &[&entry.entrant.first_name, name, &entry.entry_id]);
    if let Decision::Reject { reason, note } = decision {
        text.push_str("\n\n");
        text.push_str(reject_reason(reason.reject_reason(), locale));
        if let Some(note) = note {
            text.push_str("\n\n");
            text.push_str(note);
        }
    }
    text.push('\n');
    Mail { to: entry.entrant.email.clone(), subject: fill(subject, &[name]), text }
}
