//! Code pools: the merchant's codes, imported by the operator and each handed to exactly one owed
//! item (an entry, a credit, a draw winner). One trait, so the embedded (SQLite) and the
//! distributed (DynamoDB) stores are interchangeable; both keep the code text sealed
//! ([`CodeKeys`]) and key uniqueness by a keyed hash of the code, never the code itself.

mod keys;

use async_trait::async_trait;
use serde::Serialize;
use vouch_core::codes::{valid_code, CodeProblem, Pool};

pub use keys::CodeKeys;

use super::Result;

/// What an import did, per line of the input (`invalid` holds 0-based positions, never codes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub new: u64,
    pub duplicate: u64,
    pub invalid: Vec<(usize, CodeProblem)>,
}

/// The outcome of claiming a code for an owed item.
#[derive(Clone, PartialEq, Eq)]
pub enum Claim {
    /// The owed item's code: the same one on every call for the same owed id.
    Assigned { code_id: String, code: String },
    /// The pool is empty (or others wait before this item): the item waits, in order of arrival,
    /// for the next import and [`Codes::fill_awaiting`].
    AwaitingCode,
}

/// Codes are secrets: a debug print (a log line) shows the code's id only.
impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim::Assigned { code_id, .. } => write!(f, "Assigned({code_id})"),
            Claim::AwaitingCode => f.write_str("AwaitingCode"),
        }
    }
}

/// One pool's counts as the store knows them (the low-water mark is the campaign's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PoolCounts {
    pub available: u64,
    pub assigned: u64,
    pub awaiting: u64,
}

#[async_trait]
pub trait Codes: Send + Sync {
    /// Adds the valid, new codes of `codes` to the end of `pool`, in order. A code already in any
    /// pool of the campaign is a duplicate, so importing the same file again adds nothing.
    async fn import(&self, campaign: &str, pool: Pool, codes: &[String]) -> Result<ImportReport>;
    /// Hands `owed_id` the next code of `pool`, once: every later call for the same owed id and
    /// pool, concurrent or not, answers the same code (or `AwaitingCode` until one is filled in).
    /// The same id in another pool is another owed item (an entry that also wins the draw).
    async fn claim(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Claim>;
    /// Gives the waiting items of `pool` codes, first come first served, while codes are left.
    /// Returns who got which code id, for the caller to deliver; each stays in [`Codes::undelivered`]
    /// until [`Codes::delivered`], in the same step as its fill.
    async fn fill_awaiting(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>>;
    /// The items a fill handed a code whose delivery nobody recorded yet, in fill order:
    /// `(owed_id, code_id)`. What a crash between fill and mail left behind is still here.
    async fn undelivered(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>>;
    /// Records that `owed_id`'s filled code was delivered; doing it again changes nothing.
    async fn delivered(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<()>;
    /// The code `owed_id` holds from `pool`, to show it again: `(code_id, code)`.
    async fn assigned(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Option<(String, String)>>;
    /// Counts for every pool the store holds anything for.
    async fn status(&self, campaign: &str) -> Result<Vec<(Pool, PoolCounts)>>;
}

/// The valid codes of an import with their positions, de-duplicated within the input (the first
/// occurrence counts; later ones are duplicates), and the report so far.
pub(crate) fn prepare(codes: &[String]) -> (Vec<&str>, ImportReport) {
    let mut report = ImportReport::default();
    let mut seen = std::collections::HashSet::new();
    let mut valid = Vec::new();
    for (i, raw) in codes.iter().enumerate() {
        match valid_code(raw) {
            Err(problem) => report.invalid.push((i, problem)),
            Ok(code) if !seen.insert(code) => report.duplicate += 1,
            Ok(code) => valid.push(code),
        }
    }
    (valid, report)
}
