//! The parts of an export and an erase that reach beyond the shopper's own rows: audit records
//! whose free text quotes them (a reviewer's note), the conversions they made as a friend, and the
//! draws their entries won.

use std::collections::BTreeSet;

use serde::Serialize;
use vouch_core::referral::identity_email;
use vouch_core::rewards::Side;

use super::{Holdings, PrivacyError};
use crate::app::wiring::Backends;
use crate::backends::leftovers::HeldConversion;
use crate::backends::privacy::{Shopper, ALL_CAMPAIGNS};
use crate::backends::review::AuditRecord;

/// What a redacted audit detail holds in place of the shopper's data.
pub use crate::backends::retention::ERASED;
/// Two phone numbers that agree in this many final digits are taken as one (with or without the
/// country code, typed with spaces or dashes).
const PHONE_TAIL: usize = 9;

/// The shopper's data as it may be quoted in free text: addresses, names, postal codes, phones.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    words: BTreeSet<String>,
    phones: BTreeSet<String>,
}

impl Redaction {
    pub fn of(held: &Holdings, who: &Shopper) -> Self {
        let mut r = Self::default();
        r.word(&who.identity);
        for e in &held.entries {
            let p = &e.entrant;
            for w in [&p.email, &identity_email(&p.email), &p.first_name, &p.last_name] {
                r.word(w);
            }
            p.postal_code.iter().for_each(|c| r.word(c));
            p.phone.iter().for_each(|ph| r.phone(ph));
        }
        for h in &held.referrers {
            r.word(&h.referrer.email);
            r.word(&h.referrer.first_name);
        }
        for c in held.credits.iter().filter(|c| who.holds(&c.campaign, &c.recipient)) {
            r.word(&c.recipient);
        }
        r
    }

    fn word(&mut self, w: &str) {
        let w = w.trim().to_ascii_lowercase();
        if w.chars().count() >= 2 {
            self.words.insert(w);
        }
    }

    fn phone(&mut self, p: &str) {
        let digits: String = p.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 6 {
            self.phones.insert(digits);
        }
    }

    /// `text` with every quote of the shopper replaced by [`ERASED`]; `None` when it quotes none.
    pub fn apply(&self, text: &str) -> Option<String> {
        let mut out = text.to_string();
        for w in &self.words {
            out = replace_word(&out, w);
        }
        out = self.replace_phones(&out);
        (out != text).then_some(out)
    }

    /// Replaces each run of digits (with the separators people type) that is one of the phones.
    fn replace_phones(&self, text: &str) -> String {
        let is_part = |c: char| c.is_ascii_digit() || " -/.()".contains(c);
        let (mut out, mut rest) = (String::new(), text);
        while let Some(start) = rest.find(|c: char| c.is_ascii_digit() || c == '+') {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let run_len = 1 + tail[1..].find(|c: char| !is_part(c)).unwrap_or(tail.len() - 1);
            let run = tail[..run_len].trim_end_matches(|c: char| !c.is_ascii_digit());
            let digits: String = run.chars().filter(char::is_ascii_digit).collect();
            if run.is_empty() {
                // A lone `+`: kept, and the search goes on after it.
                out.push('+');
            } else if self.phones.iter().any(|p| same_phone(p, &digits)) {
                out.push_str(ERASED);
            } else {
                out.push_str(run);
            }
            rest = &tail[run.len().max(1)..];
        }
        out.push_str(rest);
        out
    }
}

fn same_phone(known: &str, typed: &str) -> bool {
    let tail = |d: &str| d[d.len().saturating_sub(PHONE_TAIL)..].to_string();
    known == typed || (typed.len() >= PHONE_TAIL && known.len() >= PHONE_TAIL && tail(known) == tail(typed))
}

/// Replaces `needle` (lower case) in `text`, ignoring ASCII case, where it stands as a word of
/// its own: a postal code inside an id is not the shopper's.
fn replace_word(text: &str, needle: &str) -> String {
    // ASCII lower-casing keeps every byte offset, so positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase();
    let (mut out, mut copied, mut from) = (String::new(), 0, 0);
    while let Some(found) = lower[from..].find(needle) {
        let (start, end) = (from + found, from + found + needle.len());
        let free_before = text[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let free_after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if free_before && free_after {
            out.push_str(&text[copied..start]);
            out.push_str(ERASED);
            copied = end;
            from = end;
        } else {
            from = start + lower[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The audit logs an erase of `who` looks through: the shopper's campaigns, and the operators'
/// log (`*`) for an erase in every campaign.
fn audit_campaigns(held: &Holdings, who: &Shopper) -> BTreeSet<String> {
    let mut campaigns: BTreeSet<String> = held.entries.iter().map(|e| e.campaign.clone()).collect();
    campaigns.extend(held.referrers.iter().map(|r| r.referrer.campaign.clone()));
    campaigns.extend(held.credits.iter().map(|c| c.campaign.clone()));
    match &who.campaign {
        Some(c) => {
            campaigns.retain(|x| x == c);
            campaigns.insert(c.clone());
        }
        None => {
            campaigns.insert(ALL_CAMPAIGNS.to_string());
        }
    }
    campaigns
}

/// The audit records whose detail quotes the shopper, as they are (`redacted`: false) or with the
/// quotes replaced (`true`).
pub async fn audit_quoting(
    backends: &Backends,
    held: &Holdings,
    who: &Shopper,
    redacted: bool,
) -> Result<Vec<AuditRecord>, PrivacyError> {
    let redaction = Redaction::of(held, who);
    let mut found = Vec::new();
    for campaign in audit_campaigns(held, who) {
        for record in backends.moderation.list_audit(&campaign).await? {
            if let Some(detail) = redaction.apply(&record.detail) {
                found.push(if redacted { AuditRecord { detail, ..record } } else { record });
            }
        }
    }
    Ok(found)
}

/// Replaces the shopper's data in the audit log's free text; the records stay. How many changed.
pub async fn redact_audit(backends: &Backends, held: &Holdings, who: &Shopper) -> Result<u64, PrivacyError> {
    let records = audit_quoting(backends, held, who, true).await?;
    Ok(backends.privacy.rewrite_audit(&records).await?)
}

/// Replaces the shopper's data in the operators' notes on their credits (reasons, payout
/// references). How many changed.
pub async fn redact_credit_notes(backends: &Backends, held: &Holdings, who: &Shopper) -> Result<u64, PrivacyError> {
    let redaction = Redaction::of(held, who);
    let ids: Vec<String> = held.credits.iter().map(|c| c.credit_id.clone()).collect();
    let redact = std::sync::Arc::new(move |text: &str| redaction.apply(text));
    Ok(backends.privacy.redact_credit_notes(&ids, redact).await?)
}

/// The conversions the shopper made as a friend (their friend-side credits'). A referrer's
/// conversions are their friends' purchases: the reporting client is the friend's, not theirs.
pub fn own_conversions(held: &Holdings, who: &Shopper) -> Vec<String> {
    let mut ids: Vec<String> = held
        .credits
        .iter()
        .filter(|c| c.side == Side::Friend && who.holds(&c.campaign, &c.recipient))
        .map(|c| c.conversion_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

pub async fn conversions_of(
    backends: &Backends,
    held: &Holdings,
    who: &Shopper,
) -> Result<Vec<HeldConversion>, PrivacyError> {
    Ok(backends.privacy.conversions_of(&own_conversions(held, who)).await?)
}

/// A win of one of the shopper's entries in a prize draw. Draws name entries by id only, so
/// nothing in them is erased: the entry they point to is anonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Win {
    pub draw_id: String,
    pub campaign: String,
    pub entry_id: String,
    /// Still a winner (not forfeited).
    pub current: bool,
    pub drawn_at_ms: i64,
}

pub async fn wins(backends: &Backends, held: &Holdings) -> Result<Vec<Win>, PrivacyError> {
    let campaigns: BTreeSet<&str> = held.entries.iter().map(|e| e.campaign.as_str()).collect();
    let mut wins = Vec::new();
    for campaign in campaigns {
        for draw in backends.draws.list_draws(campaign).await? {
            let current = draw.current_winners();
            for entry_id in draw.ever_won() {
                if held.entries.iter().any(|e| &e.entry_id == entry_id && e.campaign == campaign) {
                    wins.push(Win {
                        draw_id: draw.draw_id.clone(),
                        campaign: campaign.to_string(),
                        entry_id: entry_id.clone(),
                        current: current.contains(entry_id),
                        drawn_at_ms: draw.created_at_ms,
                    });
                }
            }
        }
    }
    Ok(wins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redaction() -> Redaction {
        let mut r = Redaction::default();
        for w in ["Quillonne", "Vexmoorian", "q.vexmoor@example.org", "80331"] {
            r.word(w);
        }
        r.phone("+4915123459876");
        r
    }

    #[test]
    fn quotes_of_the_shopper_are_replaced_wherever_and_however_typed() {
        let r = redaction();
        let note = "receipt_unreadable called QUILLONNE vexmoorian (Q.Vexmoor@Example.org) on 0151 2345-9876";
        assert_eq!(r.apply(note).unwrap(), "receipt_unreadable called [erased] [erased] ([erased]) on [erased]");
        assert_eq!(r.apply("+49 151 23459876, 80331 München").unwrap(), "[erased], [erased] München");
    }

    #[test]
    fn text_that_quotes_nobody_is_left_alone() {
        let r = redaction();
        assert_eq!(r.apply("receipt_duplicate"), None);
        // An id that happens to contain a postal code, another number, a longer name.
        assert_eq!(r.apply("ent_0180331a forfeits; 3 winners from 1200 eligible; Quillonnes"), None);
        assert_eq!(r.apply(""), None);
    }
}
