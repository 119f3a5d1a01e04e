//! Re-running a stored draw from the entries as they are stored now.

use std::collections::{HashMap, HashSet};

use vouch_core::draw::{self, ALGORITHM};

use super::{pool, DrawFailure};
use crate::app::wiring::Backends;
use crate::backends::draws::DrawRecord;

#[derive(Debug, Clone)]
pub struct Verification {
    pub draw: DrawRecord,
    /// What the recomputation disagrees with, in words; empty when it matches.
    pub differences: Vec<String>,
}

impl Verification {
    pub fn matches(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Rebuilds the draw's pool from the stored entries (drawable now, less the winners of earlier
/// draws the record names, with the weights it names) and draws again with the recorded beacon.
pub async fn verify(backends: &Backends, draw_id: &str) -> Result<Verification, DrawFailure> {
    let record = backends.draws.get_draw(draw_id).await?.ok_or_else(|| DrawFailure::UnknownDraw(draw_id.into()))?;
    let mut differences = Vec::new();
    if record.algorithm != ALGORITHM {
        differences.push(format!("recorded with {}, which this build does not run ({ALGORITHM})", record.algorithm));
        return Ok(Verification { draw: record, differences });
    }
    let skip: HashSet<&str> = record.excluded.iter().map(String::as_str).collect();
    let weights: HashMap<&str, u32> = record.weights.iter().map(|(id, w)| (id.as_str(), *w)).collect();
    let entries = backends.draws.pool_entries(&record.campaign).await?;
    let mut candidates = pool(entries, &skip, |e| weights.get(e.entry_id.as_str()).copied().unwrap_or(1));
    if candidates.len() as u64 != record.eligible {
        differences.push(format!("eligible entries: recorded {}, now {}", record.eligible, candidates.len()));
    }
    let winners = record.winners.len();
    match draw::draw(&record.campaign, &mut candidates, &record.beacon, winners, record.alternates.len()) {
        Err(e) => differences.push(format!("the draw cannot be repeated: {e}")),
        Ok(out) => {
            let digest = hex::encode(out.inputs_digest);
            if digest != record.inputs_digest {
                differences.push(format!("inputs digest: recorded {}, now {digest}", record.inputs_digest));
            }
            let seed = hex::encode(out.seed);
            if seed != record.seed {
                differences.push(format!("seed: recorded {}, now {seed}", record.seed));
            }
            if out.winners != record.winners {
                differences.push(format!("winners: recorded {:?}, now {:?}", record.winners, out.winners));
            }
            if out.alternates != record.alternates {
                differences.push(format!("alternates: recorded {:?}, now {:?}", record.alternates, out.alternates));
            }
        }
    }
    Ok(Verification { draw: record, differences })
}
