//! Moderation: which entries wait for a person, and what that person may decide.

use serde::{Deserialize, Serialize};

use crate::referral::is_disposable_domain;
use crate::wire::{EntryStatus, RejectReason};

/// Which entries a campaign sends to review (`moderation = …`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationMode {
    /// No entry waits for a person.
    #[default]
    None,
    /// Entries with a fraud signal wait for a person.
    Flagged,
    /// Every entry waits for a person.
    All,
}

/// Why an entry looks suspicious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// The mailbox is at a throwaway-address provider (the list in [`crate::referral`]).
    DisposableEmail,
    /// One client sent many entries in a short time.
    ClientBurst,
    /// The receipt is a near copy of an earlier entry's.
    NearDuplicate,
}

impl Signal {
    pub const fn code(self) -> &'static str {
        match self {
            Signal::DisposableEmail => "disposable_email",
            Signal::ClientBurst => "client_burst",
            Signal::NearDuplicate => "near_duplicate",
        }
    }
}

/// More entries than this from one client (IP address) within [`CLIENT_BURST_WINDOW_SECS`] is a
/// burst: the later ones carry [`Signal::ClientBurst`]. A household or an office shares an address,
/// so a burst sends entries to review rather than refusing them.
pub const CLIENT_BURST_ENTRIES: u32 = 3;
pub const CLIENT_BURST_WINDOW_SECS: u64 = 600;

/// The signals an entrant's mailbox raises by itself.
pub fn mailbox_signals(email: &str) -> Vec<Signal> {
    let domain = email.rsplit_once('@').map_or("", |(_, d)| d);
    if is_disposable_domain(domain) {
        vec![Signal::DisposableEmail]
    } else {
        Vec::new()
    }
}

/// Whether an entry with these signals waits for a person.
pub fn needs_review(mode: ModerationMode, signals: &[Signal]) -> bool {
    match mode {
        ModerationMode::None => false,
        ModerationMode::Flagged => !signals.is_empty(),
        ModerationMode::All => true,
    }
}

/// The reasons a reviewer may reject an entry with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    Unreadable,
    WrongStore,
    OutsideDates,
    Duplicate,
    /// Needs a note saying why.
    Other,
}

impl ReviewReason {
    pub const ALL: [ReviewReason; 5] = [
        ReviewReason::Unreadable,
        ReviewReason::WrongStore,
        ReviewReason::OutsideDates,
        ReviewReason::Duplicate,
        ReviewReason::Other,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ReviewReason::Unreadable => "unreadable",
            ReviewReason::WrongStore => "wrong_store",
            ReviewReason::OutsideDates => "outside_dates",
            ReviewReason::Duplicate => "duplicate",
            ReviewReason::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The reason the shopper is shown (status route, widget, e-mail).
    pub const fn reject_reason(self) -> RejectReason {
        match self {
            ReviewReason::Unreadable => RejectReason::ReceiptUnreadable,
            ReviewReason::WrongStore => RejectReason::ReceiptWrongStore,
            ReviewReason::OutsideDates => RejectReason::ReceiptOutsideDates,
            ReviewReason::Duplicate => RejectReason::ReceiptDuplicate,
            ReviewReason::Other => RejectReason::ReviewOther,
        }
    }
}

/// A reviewer's decision on an entry waiting for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: ReviewReason, note: Option<String> },
}

/// The longest note a reviewer may attach (it goes into the shopper's e-mail).
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("unknown reason {0:?}; use unreadable, wrong_store, outside_dates, duplicate or other")]
    UnknownReason(String),
    #[error("the reason `other` needs a note saying why")]
    NoteRequired,
    #[error("the note is longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
}

impl Decision {
    /// A rejection from a reason code and an optional note, checked.
    pub fn reject(reason: &str, note: Option<&str>) -> Result<Self, DecisionError> {
        let reason = ReviewReason::parse(reason).ok_or_else(|| DecisionError::UnknownReason(reason.to_string()))?;
        let note = note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        if reason == ReviewReason::Other && note.is_none() {
            return Err(DecisionError::NoteRequired);
        }
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
            return Err(DecisionError::NoteTooLong);
        }
        Ok(Decision::Reject { reason, note })
    }

    /// The entry's status and reason once decided.
    pub const fn outcome(&self) -> (EntryStatus, Option<RejectReason>) {
        match self {
            Decision::Approve => (EntryStatus::Approved, None),
            Decision::Reject { reason, .. } => (EntryStatus::Rejected, Some(reason.reject_reason())),
        }
    }

    /// The audit log's action name.
    pub const fn action(&self) -> &'static str {
        match self {
            Decision::Approve => "review.approve",
            Decision::Reject { .. } => "review.reject",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_code_parses_back_and_maps_to_a_shopper_reason() {
        for r in ReviewReason::ALL {
            assert_eq!(ReviewReason::parse(r.code()), Some(r));
        }
        assert_eq!(ReviewReason::parse("blurry"), None);
        assert_eq!(ReviewReason::Duplicate.reject_reason(), RejectReason::ReceiptDuplicate);
        assert_eq!(ReviewReason::WrongStore.reject_reason().code(), "receipt_wrong_store");
    }

    #[test]
    fn other_needs_a_note_and_notes_are_bounded() {
        assert_eq!(Decision::reject("other", None), Err(DecisionError::NoteRequired));
        assert_eq!(Decision::reject("other", Some("  ")), Err(DecisionError::NoteRequired));
        assert_eq!(
            Decision::reject("other", Some(" Photo of a screen ")),
            Ok(Decision::Reject { reason: ReviewReason::Other, note: Some("Photo of a screen".into()) })
        );
        assert_eq!(Decision::reject("wrong_store", None).unwrap().outcome().1, Some(RejectReason::ReceiptWrongStore));
        assert_eq!(Decision::reject("other", Some(&"x".repeat(501))), Err(DecisionError::NoteTooLong));
        assert!(matches!(Decision::reject("nope", None), Err(DecisionError::UnknownReason(_))));
        assert_eq!(Decision::Approve.outcome(), (EntryStatus::Approved, None));
    }

    #[test]
    fn the_mode_decides_who_waits() {
        let flagged = mailbox_signals("zoe@mailinator.com");
        assert_eq!(flagged, vec![Signal::DisposableEmail]);
        assert!(mailbox_signals("zoe@example.com").is_empty());
        assert!(!needs_review(ModerationMode::None, &flagged));
        assert!(needs_review(ModerationMode::Flagged, &flagged));
        assert!(!needs_review(ModerationMode::Flagged, &[]));
        assert!(needs_review(ModerationMode::All, &[]));
    }
}
