//! A receipt's fingerprints: the SHA-256 of its stored bytes, and a perceptual hash of its pixels
//! that stays nearly the same when the photo is re-compressed, slightly scaled or cropped.

use image::imageops::{self, FilterType};
use image::RgbImage;
use image_hasher::{HashAlg, HasherConfig};
use sha2::{Digest, Sha256};

/// Side of the thumbnail hashed: hashing shrinks to 9×8 anyway, and a 40 MP photo resized
/// with the hasher's filter would cost far more than the box-filtered thumbnail.
const THUMB: u32 = 64;

/// The 64-bit gradient hash (dHash) of the image: one bit per horizontal brightness step of a
/// 9×8 grey thumbnail.
pub fn perceptual(rgb: &RgbImage) -> u64 {
    let thumb = imageops::thumbnail(rgb, THUMB, THUMB);
    let hasher = HasherConfig::with_bytes_type::<[u8; 8]>()
        .hash_alg(HashAlg::Gradient)
        .hash_size(8, 8)
        .resize_filter(FilterType::Triangle)
        .to_hasher();
    let hash = hasher.hash_image(&thumb);
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(hash.as_bytes());
    u64::from_be_bytes(bytes)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The receipt photos the API tests use, drawn the same way here.
#[cfg(test)]
#[path = "../../tests/support/photos.rs"]
#[allow(unreachable_pub)]
mod photos;

#[cfg(test)]
mod tests {
    use vouch_core::duplicates::{hamming, DEFAULT_THRESHOLD};

    use super::photos;
    use super::*;

    fn hash(jpeg: &[u8]) -> u64 {
        perceptual(&image::load_from_memory(jpeg).unwrap().into_rgb8())
    }

    #[test]
    fn the_same_receipt_rephotographed_is_near_and_different_receipts_are_far() {
        let seeds = 1..=20u64;
        let originals: Vec<u64> = seeds.clone().map(|s| hash(&photos::receipt(s))).collect();
        for (i, seed) in seeds.enumerate() {
            assert_eq!(originals[i], hash(&photos::receipt(seed)), "the same file hashes the same");
            let near = hamming(originals[i], hash(&photos::rephotographed(seed)));
            assert!(near <= DEFAULT_THRESHOLD, "receipt {seed}: its copy is {near} bits away");
            let smaller = hamming(originals[i], hash(&photos::downscaled(seed)));
            assert!(smaller <= DEFAULT_THRESHOLD, "receipt {seed}: downscaled, it is {smaller} bits away");
            for (j, other) in originals.iter().enumerate().skip(i + 1) {
                let far = hamming(originals[i], *other);
                assert!(far > DEFAULT_THRESHOLD, "receipts {seed} and {}: only {far} bits apart", j + 1);
            }
        }
    }

    #[test]
    fn the_digest_is_the_sha256_of_the_bytes() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
