//! Entries at scale, for the operator console: a filtered search paged by an opaque keyset cursor
//! (newest first) and the counts by status. Keyset paging reads only the page it answers, however
//! deep, and a page boundary is a position in (accepted_at_ms, entry_id) order, so entries that
//! arrive while someone pages never make a row repeat or vanish between pages.

use std::collections::BTreeMap;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use vouch_core::wire::EntryStatus;

use super::{Result, StoredEntry};

/// What the text box matches: an e-mail address exactly (compared by [`email_key`]), or the
/// start of a first or last name (compared by [`name_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMatch {
    Email(String),
    NamePrefix(String),
}

impl TextMatch {
    /// Text with an `@` is an e-mail address; other text the start of a name; blank text nothing.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        match text {
            "" => None,
            t if t.contains('@') => Some(Self::Email(email_key(t))),
            t => Some(Self::NamePrefix(name_key(t))),
        }
    }
}

/// The form of an e-mail address that searches compare: trimmed, ASCII letters in lower case
/// (what SQLite's `lower()` does, so the index and the query agree).
pub fn email_key(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

/// The form of a name that prefix searches compare: as [`email_key`] (SQLite's `NOCASE` folds
/// ASCII letters only, so "mü" finds "Müller" but "MÜ" does not).
pub fn name_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// A filter over one campaign's recorded entries; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryQuery {
    pub text: Option<TextMatch>,
    pub status: Option<EntryStatus>,
    /// Accepted at or after this instant.
    pub from_ms: Option<i64>,
    /// Accepted before this instant (exclusive, so consecutive days do not overlap).
    pub to_ms: Option<i64>,
    /// Newest first unless set: the review queue is worked oldest first.
    pub oldest_first: bool,
}

/// A position in (accepted_at_ms, entry_id) order: the page after it starts with the next older
/// entry (the next newer one when the query is oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub accepted_at_ms: i64,
    pub entry_id: String,
}

impl Cursor {
    pub fn after(entry: &StoredEntry) -> Self {
        Self { accepted_at_ms: entry.accepted_at_ms, entry_id: entry.entry_id.clone() }
    }

    /// Opaque to clients: they hand it back, never build one.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.accepted_at_ms, self.entry_id))
    }

    /// `None` for anything [`Cursor::encode`] did not make.
    pub fn decode(text: &str) -> Option<Self> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let (ms, id) = raw.split_once(':')?;
        let accepted_at_ms = ms.parse().ok()?;
        (!id.is_empty()).then(|| Self { accepted_at_ms, entry_id: id.to_string() })
    }
}

/// One page, newest first. `next_cursor` is set when more entries may follow (a last page can
/// come back empty); without it the search is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPage {
    pub entries: Vec<StoredEntry>,
    pub next_cursor: Option<String>,
}

/// Recorded entries of one campaign by status (`pending_review` among them); statuses without
/// entries are left out.
pub type StatusCounts = BTreeMap<String, u64>;

#[async_trait]
pub trait EntrySearch: Send + Sync {
    /// Up to `limit` (at least 1) of the campaign's recorded entries matching `query`, newest
    /// first (oldest first when `query.oldest_first`), starting after `cursor`.
    async fn search_entries(
        &self,
        campaign: &str,
        query: &EntryQuery,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<EntryPage>;

    /// The campaign's recorded entries counted by status.
    async fn entry_counts(&self, campaign: &str) -> Result<StatusCounts>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_comes_back_as_it_went_and_junk_is_refused() {
        let c = Cursor { accepted_at_ms: 1_700_000_000_123, entry_id: "ent_0190:x".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for junk in ["", "!!", &URL_SAFE_NO_PAD.encode("12"), &URL_SAFE_NO_PAD.encode("x:ent_1")] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }

    #[test]
    fn text_with_an_at_sign_is_an_email_and_other_text_a_name() {
        assert_eq!(TextMatch::parse(" Anna@Example.com "), Some(TextMatch::Email("anna@example.com".into())));
        assert_eq!(TextMatch::parse("Mü"), Some(TextMatch::NamePrefix("mü".into())));
        assert_eq!(TextMatch::parse("  "), None);
    }
}
