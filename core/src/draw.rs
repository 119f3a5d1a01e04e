//! The prize draw, as a pure function anyone can re-run: the same campaign, eligible entries and
//! public beacon always give the same winners. README ("Verifying a draw") publishes the byte
//! layout below so that a draw can be checked without Vouch.
//!
//! - Candidates are sorted by entry id (bytes); the inputs digest is SHA-256 over
//!   `u64be(count) ‖ for each: u32be(len(id)) ‖ id ‖ u32be(weight)`.
//! - The seed is SHA-256 over `lp(ALGORITHM) ‖ lp(campaign) ‖ digest ‖ lp(beacon)`, where
//!   `lp(x) = u32be(len(x)) ‖ x` (UTF-8).
//! - The random stream: the k-th number (k = 0, 1, …) is the first 8 bytes, big-endian, of
//!   SHA-256(`seed ‖ u64be(k)`).
//! - Each pick wants a number in `[0, T)`, T the total weight still in the pool: numbers below
//!   `2^64 mod T` are skipped (so no value is likelier than another), the first other `r` gives
//!   `x = r mod T`. The pick is the first remaining candidate, in sorted order, whose cumulative
//!   weight exceeds `x`; it leaves the pool.
//! - The first `winners` picks win; the next `alternates` picks are the alternates, in order.

use sha2::{Digest, Sha256};

use crate::wire::EntryStatus;

/// Recorded with every draw; a change to anything above gets a new version.
pub const ALGORITHM: &str = "vouch-draw-v1";

/// Whether an entry in this state takes part in a draw: confirmed by the worker, or approved by a
/// person. Entries still being processed, rejected or waiting for a person's review do not.
pub fn is_drawable(status: EntryStatus) -> bool {
    matches!(status, EntryStatus::Confirmed | EntryStatus::Approved)
}

/// An entry in the pool: its id and how many tickets it holds (1 + bonus entries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub entry_id: String,
    pub weight: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub inputs_digest: [u8; 32],
    pub seed: [u8; 32],
    pub winners: Vec<String>,
    pub alternates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrawError {
    /// More winners wanted than there are eligible entries.
    TooFewEntries {
        eligible: usize,
        winners: usize,
    },
    NoWinners,
    /// An entry id listed twice, or with weight 0: the caller built the pool wrong.
    BadPool(String),
}

impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrawError::TooFewEntries { eligible, winners } => {
                write!(f, "{winners} winners wanted but only {eligible} entries are eligible")
            }
            DrawError::NoWinners => f.write_str("a draw needs at least one winner"),
            DrawError::BadPool(why) => write!(f, "the pool of entries is malformed: {why}"),
        }
    }
}

impl std::error::Error for DrawError {}

/// Sorts the pool into the order the digest and the walk use, refusing duplicates and weight 0.
pub fn sort_pool(pool: &mut [Candidate]) -> Result<(), DrawError> {
    pool.sort_unstable_by(|a, b| a.entry_id.as_bytes().cmp(b.entry_id.as_bytes()));
    if let Some(w) = pool.windows(2).find(|w| w[0].entry_id == w[1].entry_id) {
        return Err(DrawError::BadPool(format!("{} is listed twice", w[0].entry_id)));
    }
    if let Some(c) = pool.iter().find(|c| c.weight == 0) {
        return Err(DrawError::BadPool(format!("{} has weight 0", c.entry_id)));
    }
    Ok(())
}

/// The digest of a sorted pool (see the module notes).
pub fn inputs_digest(sorted: &[Candidate]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update((sorted.len() as u64).to_be_bytes());
    for c in sorted {
        length_prefixed(&mut h, c.entry_id.as_bytes());
        h.update(c.weight.to_be_bytes());
    }
    h.finalize().into()
}

pub fn seed(campaign: &str, inputs_digest: &[u8; 32], beacon: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    length_prefixed(&mut h, ALGORITHM.as_bytes());
    length_prefixed(&mut h, campaign.as_bytes());
    h.update(inputs_digest);
    length_prefixed(&mut h, beacon.as_bytes());
    h.finalize().into()
}

fn length_prefixed(h: &mut Sha256, bytes: &[u8]) {
    // Ids, campaign ids and beacons are far below 4 GiB; saturating keeps this total anyway.
    h.update(u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
    h.update(bytes);
}

/// Draws `winners` then `alternates` from `pool` (any order; it is sorted here). Fewer alternates
/// than asked come back when the pool runs out.
pub fn draw(
    campaign: &str,
    pool: &mut [Candidate],
    beacon: &str,
    winners: usize,
    alternates: usize,
) -> Result<Outcome, DrawError> {
    if winners == 0 {
        return Err(DrawError::NoWinners);
    }
    if winners > pool.len() {
        return Err(DrawError::TooFewEntries { eligible: pool.len(), winners });
    }
    sort_pool(pool)?;
    let inputs_digest = inputs_digest(pool);
    let seed = seed(campaign, &inputs_digest, beacon);
    let mut stream = Stream { seed, counter: 0 };
    let mut tree = Fenwick::new(pool.iter().map(|c| u64::from(c.weight)));
    let picks = (winners + alternates).min(pool.len());
    let mut picked = Vec::with_capacity(picks);
    for _ in 0..picks {
        let x = stream.below(tree.total);
        let i = tree.find(x);
        tree.remove(i, u64::from(pool[i].weight));
        picked.push(pool[i].entry_id.clone());
    }
    let alternates = picked.split_off(winners);
    Ok(Outcome { inputs_digest, seed, winners: picked, alternates })
}

/// SHA-256 in counter mode over the seed.
struct Stream {
    seed: [u8; 32],
    counter: u64,
}

impl Stream {
    fn next_u64(&mut self) -> u64 {
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.counter.to_be_bytes());
        self.counter += 1;
        let block: [u8; 32] = h.finalize().into();
        let mut first = [0u8; 8];
        first.copy_from_slice(&block[..8]);
        u64::from_be_bytes(first)
    }

    /// Uniform in `[0, bound)`: skipping numbers below `2^64 mod bound` leaves a multiple of
    /// `bound` values, so the remainder has no bias.
    fn below(&mut self, bound: u64) -> u64 {
        let skip = bound.wrapping_neg() % bound;
        loop {
            let r = self.next_u64();
            if r >= skip {
                return r % bound;
            }
        }
    }
}

/// Prefix sums with O(log n) removal, so a million-entry pool draws in milliseconds.
struct Fenwick {
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(weights: impl Iterator<Item = u64>) -> Self {
        let mut tree: Vec<u64> = std::iter::once(0).chain(weights).collect();
        let n = tree.len();
        for i in 1..n {
            let parent = i + (i & i.wrapping_neg());
            if parent < n {
                tree[parent] += tree[i];
            }
        }
        let mut t = Self { tree, total: 0 };
        t.total = t.prefix(n - 1);
        t
    }

    fn prefix(&self, mut i: usize) -> u64 {
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    fn remove(&mut self, index: usize, weight: u64) {
        let mut i = index + 1;
        while i < self.tree.len() {
            self.tree[i] -= weight;
            i += i & i.wrapping_neg();
        }
        self.total -= weight;
    }

    /// The 0-based index of the first element whose cumulative weight exceeds `x` (`x < total`).
    fn find(&self, mut x: u64) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = if n == 0 { 0 } else { 1 << (usize::BITS - 1 - n.leading_zeros()) };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= x {
                pos = next;
                x -= self.tree[next];
            }
            step >>= 1;
        }
        pos
    }
}

#[cfg(test)]
#[path = "draw_tests.rs"]
mod tests;
