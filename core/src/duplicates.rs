//! Duplicate receipts: what a campaign does with one, and how near two perceptual hashes must be
//! to count as the same receipt.
//!
//! A perceptual hash is 64 bits; two photos of the same receipt differ in a few bits. Finding the
//! near ones among 250,000 entries without comparing against each uses the pigeonhole principle:
//! split the hash into `threshold + 1` bands; two hashes that differ in at most `threshold` bits
//! cannot differ in every band, so they share at least one band exactly. The store indexes every
//! band of every hash, looks candidates up by band, and [`hamming`] decides.

use serde::{Deserialize, Serialize};

/// What happens to an entry whose receipt another entry of the campaign already sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicatePolicy {
    /// The entry ends `rejected` with reason `receipt_duplicate`.
    Reject,
    /// The entry waits for a person (`pending_review`).
    Review,
}

/// Bits two hashes may differ in and still be the same receipt. Measured on drawn receipts (the
/// server's fingerprint tests): a re-compressed copy scaled to 96 % and cropped by 2 % a side is
/// 0–9 bits away, two different receipts 14 or more (receipts look alike: white slip, dark lines).
pub const DEFAULT_THRESHOLD: u32 = 10;
/// More would make bands so narrow that every lookup returns a large share of the campaign.
pub const MAX_THRESHOLD: u32 = 12;

/// Number of bits in which two hashes differ.
pub const fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Whether two hashes are the same receipt under `threshold`.
pub const fn is_near(a: u64, b: u64, threshold: u32) -> bool {
    hamming(a, b) <= threshold
}

/// The band keys of `hash` for `threshold` (`"{bands}.{index}.{value:x}"`): two hashes within the
/// threshold share at least one key. The band count is part of the key, so a campaign whose
/// threshold changes never compares bands of different widths.
pub fn band_keys(hash: u64, threshold: u32) -> Vec<String> {
    let bands = threshold.min(MAX_THRESHOLD) + 1;
    let mut keys = Vec::with_capacity(bands as usize);
    let mut start = 0u32;
    for i in 0..bands {
        // The first `64 % bands` bands take one bit more, so the widths add up to 64.
        let width = 64 / bands + u32::from(i < 64 % bands);
        let value = (hash >> start) & (u64::MAX >> (64 - width));
        keys.push(format!("{bands}.{i}.{value:x}"));
        start += width;
    }
    keys
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn hamming_counts_the_differing_bits() {
        assert_eq!(hamming(0, 0), 0);
        assert_eq!(hamming(0b1011, 0b0001), 2);
        assert_eq!(hamming(0, u64::MAX), 64);
        assert!(is_near(0xFF, 0xF0, 4));
        assert!(!is_near(0xFF, 0xF0, 3));
    }

    #[test]
    fn bands_cover_all_64_bits_once() {
        for t in 0..=MAX_THRESHOLD {
            let all = band_keys(u64::MAX, t);
            assert_eq!(all.len() as u32, t + 1);
            let bits: u32 =
                all.iter().map(|k| u64::from_str_radix(k.rsplit('.').next().unwrap(), 16).unwrap().count_ones()).sum();
            assert_eq!(bits, 64, "threshold {t}");
        }
    }

    #[test]
    fn the_threshold_is_capped() {
        assert_eq!(band_keys(1, 60).len() as u32, MAX_THRESHOLD + 1);
    }

    proptest! {
        #[test]
        fn hashes_within_the_threshold_share_a_band(a: u64, flips in proptest::collection::vec(0u32..64, 0..=8), t in 0u32..=MAX_THRESHOLD) {
            let b = flips.iter().fold(a, |h, bit| h ^ (1 << bit));
            prop_assume!(hamming(a, b) <= t);
            let (ka, kb) = (band_keys(a, t), band_keys(b, t));
            prop_assert!(ka.iter().any(|k| kb.contains(k)));
        }

        #[test]
        fn a_hash_differing_in_every_band_shares_none(a: u64, t in 0u32..=MAX_THRESHOLD) {
            prop_assert!(band_keys(a, t).iter().all(|k| !band_keys(!a, t).contains(k)));
        }
    }
}
