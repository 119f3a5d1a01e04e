//! Upload grants: S3 presigned POST policies signed with AWS Signature Version 4. The browser posts
//! the file straight to the object store, which checks the policy (key, content type, size range,
//! expiry) itself. The same code signs for the in-process store and for AWS S3.

use std::collections::BTreeMap;

use base64::Engine as _;
use time::OffsetDateTime;

use crate::backends::signing::Credentials;
use crate::crypto::{format_iso8601, hmac};

/// What one grant allows: exactly one key, one content type, a size range, until `expires`.
#[derive(Debug, Clone)]
pub struct PostPolicy<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    pub max_bytes: u64,
    pub expires: OffsetDateTime,
}

/// The form fields a browser must send (the file goes last, after these).
pub fn presign_post(
    creds: &Credentials,
    region: &str,
    policy: &PostPolicy<'_>,
    now: OffsetDateTime,
) -> BTreeMap<String, String> {
    let date = format_date(now);
    let amz_date = format!("{date}T{:02}{:02}{:02}Z", now.hour(), now.minute(), now.second());
    let credential = format!("{}/{date}/{region}/s3/aws4_request", creds.access_key);
    let mut fields = BTreeMap::from([
        ("key".to_string(), policy.key.to_string()),
        ("Content-Type".to_string(), policy.content_type.to_string()),
        ("success_action_status".to_string(), "201".to_string()),
        ("x-amz-algorithm".to_string(), "AWS4-HMAC-SHA256".to_string()),
        ("x-amz-credential".to_string(), credential),
        ("x-amz-date".to_string(), amz_date),
    ]);
    if let Some(token) = &creds.session_token {
        fields.insert("x-amz-security-token".into(), token.clone());
    }
    let mut conditions = vec![
        serde_json::json!({ "bucket": policy.bucket }),
        serde_json::json!(["content-length-range", 1, policy.max_bytes]),
    ];
    conditions.extend(fields.iter().map(|(k, v)| serde_json::json!({ k: v })));
    let document = serde_json::json!({ "expiration": format_iso8601(policy.expires), "conditions": conditions });
    let encoded = base64::engine::general_purpose::STANDARD.encode(document.to_string());
    let key = signing_key(&creds.secret_key, &date, region, "s3");
    fields.insert("x-amz-signature".into(), hex::encode(hmac(&key, encoded.as_bytes())));
    fields.insert("policy".into(), encoded);
    fields
}

fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

fn format_date(t: OffsetDateTime) -> String {
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn creds() -> Credentials {
        Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    fn policy() -> PostPolicy<'static> {
        PostPolicy {
            bucket: "receipts",
            key: "uploads/demo/abc",
            content_type: "image/jpeg",
            max_bytes: 1000,
            expires: datetime!(2026-11-25 00:10:00 UTC),
        }
    }

    #[test]
    fn the_signing_key_matches_the_aws_documentation_example() {
        // From the AWS SigV4 docs ("Examples of how to derive a signing key").
        let key = signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
        assert_eq!(hex::encode(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    #[test]
    fn the_policy_pins_key_type_size_and_expiry() {
        let fields = presign_post(&creds(), "us-east-1", &policy(), datetime!(2026-11-25 00:00:00 UTC));
        let json = base64::engine::general_purpose::STANDARD.decode(&fields["policy"]).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(doc["expiration"], "2026-11-25T00:10:00.000Z");
        let conditions = doc["conditions"].as_array().unwrap();
        assert!(conditions.contains(&serde_json::json!(["content-length-range", 1, 1000])));
        assert!(conditions.contains(&serde_json::json!({"key": "uploads/demo/abc"})));
        assert!(conditions.contains(&serde_json::json!({"Content-Type": "image/jpeg"})));
        assert_eq!(fields["x-amz-credential"], "AKIDEXAMPLE/20261125/us-east-1/s3/aws4_request");
        assert_eq!(fields["x-amz-date"], "20261125T000000Z");
    }

    #[test]
    fn every_form_field_is_covered_by_a_policy_condition() {
        let creds = Credentials { session_token: Some("TOKEN".into()), ..creds() };
        let fields = presign_post(&creds, "us-east-1", &policy(), datetime!(2026-11-25 00:00:00 UTC));
        let json = base64::engine::general_purpose::STANDARD.decode(&fields["policy"]).unwrap();
        let policy_text = String::from_utf8(json).unwrap();
        for name in fields.keys().filter(|k| !["policy", "x-amz-signature"].contains(&k.as_str())) {
            assert!(policy_text.contains(&format!("\"{name}\"")), "{name} has no condition");
        }
        assert_eq!(fields["x-amz-security-token"], "TOKEN");
    }

    #[test]
    fn the_secret_never_appears_in_the_fields() {
        let fields = presign_post(&creds(), "us-east-1", &policy(), datetime!(2026-11-25 00:00:00 UTC));
        assert!(fields.values().all(|v| !v.contains(&creds().secret_key)));
        assert!(!format!("{:?}", creds()).contains("wJalr"));
    }
}
