//! `[codes.<pool>]` in a campaign file: which code pools the campaign hands out from, with the
//! low-water mark each is watched against, and when the friend gets a code.

use std::collections::BTreeMap;

use serde::Deserialize;
use vouch_core::codes::{FriendHandOut, Pool};

/// Below this many codes left a pool is reported low, unless the campaign sets its own mark.
pub const DEFAULT_LOW_WATER: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    pub low_water: u64,
    /// Only for the `friend` pool: at conversion or at landing.
    pub hand_out: Option<FriendHandOut>,
    /// The `reward.fulfilled` webhook carries the code itself, not only its id (the merchant's
    /// choice: the code then travels to their endpoint).
    pub webhook_includes_code: bool,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PoolFile {
    #[serde(default)]
    low_water: Option<u64>,
    #[serde(default)]
    hand_out: Option<FriendHandOut>,
    #[serde(default)]
    webhook_includes_code: bool,
}

pub(super) fn check(pools: BTreeMap<Pool, PoolFile>) -> Result<BTreeMap<Pool, PoolConfig>, String> {
    pools
        .into_iter()
        .map(|(pool, file)| {
            if pool != Pool::Friend && file.hand_out.is_some() {
                return Err(format!("[codes.{}] hand_out is only for the friend pool", pool.as_str()));
            }
            let hand_out = (pool == Pool::Friend).then(|| file.hand_out.unwrap_or_default());
            let low_water = file.low_water.unwrap_or(DEFAULT_LOW_WATER);
            Ok((pool, PoolConfig { low_water, hand_out, webhook_includes_code: file.webhook_includes_code }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::parse;

    const BASE: &str = "id = \"c\"\nname = \"C\"\n";

    #[test]
    fn pools_are_declared_by_purpose_with_their_marks() {
        let c = parse(&format!(
            "{BASE}[codes.entry]\nlow_water = 50\n[codes.friend]\nhand_out = \"landing\"\n[codes.winner]\n"
        ))
        .unwrap();
        let entry = PoolConfig { low_water: 50, hand_out: None, webhook_includes_code: false };
        assert_eq!(c.code_pools[&Pool::Entry], entry);
        assert_eq!(c.code_pools[&Pool::Friend].hand_out, Some(FriendHandOut::Landing));
        assert_eq!(c.code_pools[&Pool::Winner].low_water, DEFAULT_LOW_WATER);
        assert!(!c.code_pools.contains_key(&Pool::Referrer));
    }

    #[test]
    fn an_unknown_pool_or_a_misplaced_setting_is_refused() {
        let err = parse(&format!("{BASE}[codes.prize]\n")).unwrap_err();
        assert!(err.contains("prize"), "{err}");
        let err = parse(&format!("{BASE}[codes.entry]\nhand_out = \"landing\"\n")).unwrap_err();
        assert!(err.contains("only for the friend pool"), "{err}");
        let err = parse(&format!("{BASE}[codes.friend]\nhand_out = \"checkout\"\n")).unwrap_err();
        assert!(err.contains("checkout"), "{err}");
    }
}
