//! Facebook's `signed_request`, posted to a fan-page tab: `base64url(signature).base64url(payload)`,
//! the signature an HMAC-SHA256 of the still-encoded payload under the app secret. Nothing in the
//! payload is trusted before the signature checks out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// How far in the future `issued_at` may lie (clock skew between Facebook and us).
const FUTURE_SKEW_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignedRequestError {
    #[error("the request carries no signed_request")]
    Missing,
    #[error("the signed_request is not two base64url parts with a JSON payload")]
    Malformed,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the signed_request is not signed with HMAC-SHA256")]
    Algorithm,
    #[error("the signed_request is too old or dated in the future")]
    Stale,
}

/// The parts of the payload a tab needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignedRequest {
    pub algorithm: String,
    pub issued_at: i64,
    #[serde(default)]
    pub page: Option<Page>,
    /// Whatever followed `app_data=` in the tab link, e.g. a referral code.
    #[serde(default)]
    pub app_data: Option<String>,
    #[serde(default)]
    pub user: Option<User>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Page {
    #[serde(deserialize_with = "id_string")]
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    /// `de_DE`, `es_LA`…
    #[serde(default)]
    pub locale: Option<String>,
}

/// Page ids are strings in the payload, but be lenient with a number.
fn id_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(u64),
    }
    Ok(match Id::deserialize(d)? {
        Id::Text(s) => s,
        Id::Number(n) => n.to_string(),
    })
}

fn decode(part: &str) -> Result<Vec<u8>, SignedRequestError> {
    // Facebook omits the padding; some proxies add it back.
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|_| SignedRequestError::Malformed)
}

/// Checks `raw` against `secret` at time `now` (Unix seconds): signature first (constant time),
/// then the algorithm it claims, then its age.
pub fn verify(raw: &str, secret: &[u8], now: i64, max_age_secs: u64) -> Result<SignedRequest, SignedRequestError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(SignedRequestError::Missing);
    }
    let (signature, payload) = raw.split_once('.').ok_or(SignedRequestError::Malformed)?;
    let signature = decode(signature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignedRequestError::BadSignature)?;
    mac.update(payload.as_bytes());
    mac.verify_slice(&signature).map_err(|_| SignedRequestError::BadSignature)?;
    let request: SignedRequest =
        serde_json::from_slice(&decode(payload)?).map_err(|_| SignedRequestError::Malformed)?;
    if !request.algorithm.eq_ignore_ascii_case("HMAC-SHA256") {
        return Err(SignedRequestError::Algorithm);
    }
    // Saturating: `issued_at` is whatever the payload says, and i64 arithmetic on it can overflow.
    let age = now.saturating_sub(request.issued_at);
    if age > i64::try_from(max_age_secs).unwrap_or(i64::MAX) || age < -FUTURE_SKEW_SECS {
        return Err(SignedRequestError::Stale);
    }
    Ok(request)
}

/// Builds a signed request the way Facebook does. For tests and for trying a tab locally.
pub fn sign(payload: &serde_json::Value, secret: &[u8]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    format!("{}.{payload}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &[u8] = b"test-app-secret";
    const NOW: i64 = 1_800_000_000;

    fn payload(issued_at: i64) -> serde_json::Value {
        json!({
            "algorithm": "HMAC-SHA256",
            "issued_at": issued_at,
            "page": { "id": "1234567890", "liked": true, "admin": false },
            "user": { "locale": "de_DE", "country": "de", "age": { "min": 21 } },
            "app_data": "K7QW2MNP",
        })
    }

    #[test]
    fn a_request_signed_with_the_secret_is_read() {
        let req = verify(&sign(&payload(NOW - 10), SECRET), SECRET, NOW, 900).unwrap();
        assert_eq!(req.page.unwrap().id, "1234567890");
        assert_eq!(req.user.unwrap().locale.as_deref(), Some("de_DE"));
        assert_eq!(req.app_data.as_deref(), Some("K7QW2MNP"));
    }

    #[test]
    fn another_secret_or_a_changed_payload_is_refused() {
        let signed = sign(&payload(NOW), SECRET);
        assert_eq!(verify(&signed, b"other-secret", NOW, 900), Err(SignedRequestError::BadSignature));
        let (sig, _) = signed.split_once('.').unwrap();
        let mut changed = payload(NOW);
        changed["page"]["id"] = json!("666");
        let forged = format!("{sig}.{}", URL_SAFE_NO_PAD.encode(changed.to_string()));
        assert_eq!(verify(&forged, SECRET, NOW, 900), Err(SignedRequestError::BadSignature));
    }

    #[test]
    fn only_hmac_sha256_is_accepted() {
        let mut p = payload(NOW);
        p["algorithm"] = json!("none");
        assert_eq!(verify(&sign(&p, SECRET), SECRET, NOW, 900), Err(SignedRequestError::Algorithm));
    }

    #[test]
    fn old_or_future_requests_are_stale() {
        assert_eq!(verify(&sign(&payload(NOW - 901), SECRET), SECRET, NOW, 900), Err(SignedRequestError::Stale));
        assert_eq!(verify(&sign(&payload(NOW + 3600), SECRET), SECRET, NOW, 900), Err(SignedRequestError::Stale));
        assert!(verify(&sign(&payload(NOW - 899), SECRET), SECRET, NOW, 900).is_ok());
        // Dates far outside i64 differences are stale too, not an overflow.
        for far in [i64::MIN, i64::MAX] {
            assert_eq!(verify(&sign(&payload(far), SECRET), SECRET, NOW, 900), Err(SignedRequestError::Stale));
        }
    }

    #[test]
    fn garbage_is_malformed_not_a_crash() {
        for raw in ["abc", "a.b", "!!!.???", "..", "a.b.c"] {
            let err = verify(raw, SECRET, NOW, 900).unwrap_err();
            assert!(matches!(err, SignedRequestError::Malformed | SignedRequestError::BadSignature), "{raw}: {err}");
        }
        assert_eq!(verify("  ", SECRET, NOW, 900), Err(SignedRequestError::Missing));
        // A valid signature over something that is not the JSON we expect.
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
        let body = URL_SAFE_NO_PAD.encode("[1,2]");
        mac.update(body.as_bytes());
        let raw = format!("{}.{body}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        assert_eq!(verify(&raw, SECRET, NOW, 900), Err(SignedRequestError::Malformed));
    }
}
