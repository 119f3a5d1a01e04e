//! The secrets of operator sign-in: passwords (argon2id), and the random session ids, CSRF tokens
//! and API tokens, which are stored only as their SHA-256.

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use base64::Engine as _;

/// The prefix of API tokens, so a leaked one is recognisable (secret scanners key on it).
pub const TOKEN_PREFIX: &str = "vat_";

/// 256 random bits, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret())
}

/// How a session id or token is kept: a fast hash is right for 256-bit random values (nothing
/// to guess), unlike passwords.
pub fn digest(secret: &str) -> String {
    crate::crypto::sha256_hex(secret)
}

/// argon2id with the crate's default parameters (19 MiB, 2 passes, 1 lane), as a PHC string.
pub fn hash_password(password: &str) -> String {
    Argon2::default().hash_password(password.as_bytes()).expect("argon2 with default parameters").to_string()
}

/// A hash of a password nobody has: unknown e-mails are checked against it, so they cost the
/// same time as a wrong password.
static DUMMY: LazyLock<String> = LazyLock::new(|| hash_password(&random_secret()));

/// Whether `password` matches `hash`; with no hash (no such operator) a dummy is checked and the
/// answer is `false`. Costs one argon2 run either way: call it off the async threads.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let stored = hash.unwrap_or(DUMMY.as_str());
    let ok =
        PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok());
    ok && hash.is_some()
}

/// Compares secrets in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A readable random password for `operators add` / `reset-password` when none is piped in.
pub fn generated_password() -> String {
    random_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("correct horse batterY", Some(&hash)));
        assert!(!verify_password("correct horse battery", None));
    }

    #[test]
    fn secrets_are_random_and_stored_as_digests() {
        assert_ne!(random_secret(), random_secret());
        assert_eq!(random_secret().len(), 43);
        assert!(new_api_token().starts_with("vat_"));
        assert_eq!(digest("x").len(), 64);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
