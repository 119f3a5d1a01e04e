//! The one place codes are sealed and opened, and hashed for uniqueness. Keys derive from the
//! server's `codes_key` secret: a copy of the database without it holds neither a readable code
//! nor a hash that a list of guessed codes could be matched against.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};

use crate::backends::{BackendError, Result};
use crate::crypto::hmac;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct CodeKeys {
    hash_key: Vec<u8>,
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for CodeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKeys(..)")
    }
}

impl CodeKeys {
    pub fn new(secret: &[u8]) -> Self {
        let seal_key = hmac(secret, b"vouch codes: seal");
        Self {
            hash_key: hmac(secret, b"vouch codes: uniqueness"),
            cipher: ChaCha20Poly1305::new_from_slice(&seal_key).expect("HMAC-SHA256 gives a 32-byte key"),
        }
    }

    /// The uniqueness key of `code` in `campaign` (hex).
    pub fn hash(&self, campaign: &str, code: &str) -> String {
        hex::encode(hmac(&self.hash_key, format!("{campaign}\0{code}").as_bytes()))
    }

    /// A code's id: shown to operators and sent in webhooks in place of the code.
    pub fn code_id(hash: &str) -> String {
        format!("cd_{}", &hash[..24])
    }

    /// `code` encrypted and bound to its id, so a sealed code copied onto another row fails to open.
    pub fn seal(&self, code_id: &str, code: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| BackendError::Unavailable("random numbers", e.to_string()))?;
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: code.as_bytes(), aad: code_id.as_bytes() })
            .map_err(|_| BackendError::Corrupt("cannot seal a code".into()))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    pub fn open(&self, code_id: &str, sealed: &[u8]) -> Result<String> {
        let wrong = || BackendError::Corrupt(format!("code {code_id} does not open with this server's codes key"));
        if sealed.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, text) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| wrong())?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: text, aad: code_id.as_bytes() })
            .map_err(|_| wrong())?;
        String::from_utf8(plain).map_err(|_| wrong())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_code_opens_under_its_id_only_and_does_not_show_the_code() {
        let keys = CodeKeys::new(b"secret");
        let sealed = keys.seal("cd_1", "SPRING-2026").unwrap();
        assert!(!sealed.windows(11).any(|w| w == b"SPRING-2026"));
        assert_eq!(keys.open("cd_1", &sealed).unwrap(), "SPRING-2026");
        assert!(keys.open("cd_2", &sealed).is_err());
        assert!(CodeKeys::new(b"other").open("cd_1", &sealed).is_err());
        assert_ne!(keys.seal("cd_1", "SPRING-2026").unwrap(), sealed, "a fresh nonce each time");
    }

    #[test]
    fn the_hash_depends_on_the_key_and_campaign() {
        let keys = CodeKeys::new(b"secret");
        assert_eq!(keys.hash("demo", "A"), keys.hash("demo", "A"));
        assert_ne!(keys.hash("demo", "A"), keys.hash("other", "A"));
        assert_ne!(keys.hash("demo", "A"), CodeKeys::new(b"other").hash("demo", "A"));
    }
}
