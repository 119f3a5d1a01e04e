//! Upload ids: what the widget gets back with a grant and later names in its entry. An id is the
//! object key's random part plus a MAC over (campaign, random part), so the BFF needs no database
//! write to hand out a grant, and an id forged or borrowed from another campaign resolves to nothing.
//! The random part is a UUIDv7, so the signed id also says when the grant was issued (the close's
//! grace needs it); ids from before that change (UUIDv4) still resolve, with no issue time.

use base64::Engine as _;

use crate::crypto::hmac;
use crate::uploads::keys::upload_key;

const MAC_BYTES: usize = 16;

#[derive(Clone)]
pub struct UploadIds {
    secret: Vec<u8>,
}

impl std::fmt::Debug for UploadIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UploadIds(..)")
    }
}

impl UploadIds {
    pub fn new(secret: &[u8]) -> Self {
        Self { secret: secret.to_vec() }
    }

    /// A fresh (upload id, object key) pair for `campaign`.
    pub fn issue(&self, campaign: &str) -> (String, String) {
        let nonce = uuid::Uuid::now_v7().simple().to_string();
        (format!("{nonce}.{}", self.mac(campaign, &nonce)), upload_key(campaign, &nonce))
    }

    /// The object key `id` stands for, if this server issued it for `campaign`.
    pub fn resolve(&self, campaign: &str, id: &str) -> Option<String> {
        let (nonce, mac) = id.split_once('.')?;
        let well_formed = nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
        // Both sides are public-length strings; comparing them in constant time keeps timing mute.
        (well_formed && constant_time_eq(mac.as_bytes(), self.mac(campaign, nonce).as_bytes()))
            .then(|| upload_key(campaign, nonce))
    }

    /// When this server issued `id` for `campaign` (Unix ms), if it is genuine and carries a time.
    pub fn issued_at_ms(&self, campaign: &str, id: &str) -> Option<i64> {
        self.resolve(campaign, id)?;
        let nonce = id.split_once('.')?.0;
        // UUIDv7: 48 bits of Unix milliseconds, then the version nibble.
        (nonce.as_bytes()[12] == b'7').then(|| i64::from_str_radix(&nonce[..12], 16).ok()).flatten()
    }

    fn mac(&self, campaign: &str, nonce: &str) -> String {
        let tag = hmac(&self.secret, format!("upload\0{campaign}\0{nonce}").as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&tag[..MAC_BYTES])
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_id_resolves_to_its_key_in_its_campaign() {
        let ids = UploadIds::new(b"secret");
        let (id, key) = ids.issue("demo");
        assert!(key.starts_with("uploads/demo/"));
        assert_eq!(ids.resolve("demo", &id), Some(key));
    }

    #[test]
    fn an_issued_id_carries_its_issue_time_and_an_old_one_still_resolves_without() {
        let ids = UploadIds::new(b"secret");
        let before = crate::clock::now_ms();
        let (id, _) = ids.issue("demo");
        let issued = ids.issued_at_ms("demo", &id).unwrap();
        assert!((before..=crate::clock::now_ms()).contains(&issued), "{issued}");
        let old_nonce = uuid::Uuid::new_v4().simple().to_string();
        let old = format!("{old_nonce}.{}", ids.mac("demo", &old_nonce));
        assert_eq!(ids.resolve("demo", &old), Some(upload_key("demo", &old_nonce)));
        assert_eq!(ids.issued_at_ms("demo", &old), None);
        assert_eq!(ids.issued_at_ms("other", &id), None);
    }

    #[test]
    fn an_id_from_another_campaign_resolves_to_nothing() {
        let ids = UploadIds::new(b"secret");
        let (id, _) = ids.issue("other");
        assert_eq!(ids.resolve("demo", &id), None);
    }

    #[test]
    fn forged_and_malformed_ids_resolve_to_nothing() {
        let ids = UploadIds::new(b"secret");
        let (id, _) = ids.issue("demo");
        let forged = UploadIds::new(b"guess").issue("demo").0;
        for bad in [forged.as_str(), "", "abc", "../../etc.x", &id[..id.len() - 1], &format!("{}0", &id)] {
            assert_eq!(ids.resolve("demo", bad), None, "{bad}");
        }
    }
}
