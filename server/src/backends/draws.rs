//! What a prize draw stores: the record of each draw (its inputs, seed and outcome, written once)
//! and the forfeits that later promote alternates. One trait for SQLite and DynamoDB.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::wire::EntryStatus;

use super::referrals::OutboxEvent;
use super::Result;

/// One entry as a draw needs it, and no more: a million of these must fit a draw's budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolEntry {
    pub entry_id: String,
    /// As entered; the draw normalises it to look up bonus entries.
    pub email: String,
    pub status: EntryStatus,
}

/// A winner who gave up (or was disqualified), and who took the place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forfeit {
    pub entry_id: String,
    /// The next unused alternate, or `None` when none was left.
    pub replaced_by: Option<String>,
    pub at_ms: i64,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub draw_id: String,
    pub campaign: String,
    /// 1 for the campaign's first draw: two draws racing for the same number cannot both commit,
    /// so no draw misses the winners of the one before.
    pub sequence: u32,
    pub algorithm: String,
    /// Hex SHA-256 over the sorted pool (see `vouch_core::draw`).
    pub inputs_digest: String,
    pub eligible: u64,
    pub beacon: String,
    pub beacon_source: Option<String>,
    /// Hex.
    pub seed: String,
    pub winners: Vec<String>,
    pub alternates: Vec<String>,
    /// Winners of the campaign's earlier draws, left out of this pool. Kept here, so verifying
    /// this draw later still leaves out exactly these, not the winners of draws after it.
    pub excluded: Vec<String>,
    /// Entries that held more than one ticket, with their weight (the rest held one).
    pub weights: Vec<(String, u32)>,
    pub created_at_ms: i64,
    pub actor: String,
    pub claim_deadline_ms: i64,
    pub history: Vec<Forfeit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forfeited {
    /// Recorded; the draw as it is now.
    Done(Box<DrawRecord>),
    UnknownDraw,
    NotAWinner,
}

impl DrawRecord {
    /// The winners now: the drawn ones, each forfeit replaced by its alternate, in place.
    pub fn current_winners(&self) -> Vec<String> {
        let mut winners = self.winners.clone();
        for f in &self.history {
            if let Some(at) = winners.iter().position(|w| *w == f.entry_id) {
                match &f.replaced_by {
                    Some(next) => winners[at] = next.clone(),
                    None => {
                        winners.remove(at);
                    }
                }
            }
        }
        winners
    }

    /// Everyone who has ever held a win in this draw: left out of the campaign's later draws.
    pub fn ever_won(&self) -> impl Iterator<Item = &String> {
        self.winners.iter().chain(self.history.iter().filter_map(|f| f.replaced_by.as_ref()))
    }

    /// Records `entry_id`'s forfeit and promotes the next unused alternate; `false` (and no
    /// change) when `entry_id` is not a current winner. The stores call this inside their
    /// conditional write, so the rule lives once.
    pub fn forfeit(&mut self, entry_id: &str, actor: &str, at_ms: i64) -> bool {
        if !self.current_winners().iter().any(|w| w == entry_id) {
            return false;
        }
        let used = self.history.iter().filter(|f| f.replaced_by.is_some()).count();
        let replaced_by = self.alternates.get(used).cloned();
        self.history.push(Forfeit { entry_id: entry_id.to_string(), replaced_by, at_ms, actor: actor.to_string() });
        true
    }
}

#[async_trait]
pub trait Draws: Send + Sync {
    /// Every entry the worker decided for `campaign` (any status), ordered by entry id.
    async fn pool_entries(&self, campaign: &str) -> Result<Vec<PoolEntry>>;
    /// Stores the draw once, with `events` queued in the same step. `false` (and nothing written)
    /// when its id or its campaign's `sequence` is taken.
    async fn save_draw(&self, draw: &DrawRecord, events: &[OutboxEvent]) -> Result<bool>;
    async fn get_draw(&self, draw_id: &str) -> Result<Option<DrawRecord>>;
    /// The campaign's draws, first first.
    async fn list_draws(&self, campaign: &str) -> Result<Vec<DrawRecord>>;
    /// Records a forfeit with [`DrawRecord::forfeit`], atomically against other forfeits.
    async fn forfeit(&self, draw_id: &str, entry_id: &str, actor: &str, at_ms: i64) -> Result<Forfeited>;
}
