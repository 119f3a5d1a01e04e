//! The few primitives several concerns share: HMAC-SHA256 (upload policies, upload ids, webhook
//! signatures), SHA-256 in hex (stored secret hashes), and the ISO-8601 form of a time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// HMAC-SHA256 of `msg` under `key`.
pub fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC-SHA256 takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// SHA-256 of `value`, lower-case hex: how secrets and tokens are stored.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A stored time (Unix milliseconds) as a UTC time; `None` outside what `time` can represent.
pub fn utc_from_ms(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// A stored time (Unix milliseconds) in the ISO-8601 form of [`format_iso8601`], as exports show
/// it; empty when out of range.
pub fn format_iso8601_ms(ms: i64) -> String {
    utc_from_ms(ms).map(format_iso8601).unwrap_or_default()
}

/// `2026-11-25T00:10:00.000Z`, the form S3 wants in policies and we return as `expires_at`.
pub fn format_iso8601(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
