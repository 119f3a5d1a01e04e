//! The person the privacy crash tests (erase, retention) enter and join as, and what a byte search
//! for them looks for.

use serde_json::json;

use crate::entries::{tiny_jpeg, upload};
use crate::process::ORIGIN;

/// Lower-cased forms a byte search looks for.
pub(crate) const TRACES: [&str; 3] = ["vexmoor", "quillonne", "15123459876"];

/// One entry with a receipt as Quillonne Vexmoorian under `email`, accepted (202).
pub(crate) async fn enter(client: &reqwest::Client, bff: &str, email: &str, key: &str) {
    let upload_id = upload(client, bff, &tiny_jpeg()).await.expect("uploaded");
    let body = json!({
        "fields": {"first_name": "Quillonne", "last_name": "Vexmoorian", "email": email,
                   "phone": "+49 151 2345 9876", "postal_code": "10115"},
        "consents": {"terms": true, "marketing": true},
        "receipt_upload_id": upload_id,
    });
    let res = client
        .post(format!("{bff}/v1/campaigns/crash/entries"))
        .header("Origin", ORIGIN)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
}

/// Quillonne joins the referral program under `email` (201: a new referrer).
pub(crate) async fn join(client: &reqwest::Client, bff: &str, email: &str) {
    let join = json!({"first_name": "Quillonne", "email": email, "consents": {"terms": true}});
    let res = client
        .post(format!("{bff}/v1/campaigns/crash/referrers"))
        .header("Origin", ORIGIN)
        .json(&join)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}
