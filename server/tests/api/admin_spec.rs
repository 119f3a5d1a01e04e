//! What Schemathesis found in the admin API: answers the document did not list, or that were not
//! the structured error. Each case is sent as it sent it, and the answer must be the error body
//! under a status the served document lists for that operation.

use serde_json::{json, Value};
use vouch_core::admin::Role;

use crate::admin_helpers::AdminClient;
use crate::helpers::TestApp;

/// Sends `method path` (with `body` as raw bytes and `content_type` when given) and checks the
/// answer: `status`, `code`, and the served document listing that status with `ErrorBody`.
async fn answered_as_documented(
    owner: &AdminClient,
    doc: &Value,
    (method, path, template): (&str, &str, &str),
    body: Option<(&str, &str)>,
    (status, code): (u16, &str),
) {
    let mut request = owner.builder(method, path);
    if let Some((content_type, bytes)) = body {
        request = request.header("content-type", content_type).body(bytes.to_string());
    }
    let res = request.send().await.unwrap();
    assert_eq!(res.status(), status, "{method} {path}");
    let text = res.text().await.unwrap();
    let answer: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert_eq!(answer["error"]["code"], code, "{method} {path}: {answer}");
    let listed = &doc["paths"][template][method.to_lowercase()]["responses"][status.to_string()];
    assert_eq!(
        listed["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
        "{method} {template} does not list {status}"
    );
}

#[tokio::test]
async fn answers_schemathesis_found_undocumented_are_listed_and_structured() {
    let app = TestApp::spawn().await;
    let owner = app.admin_token("schemathesis", Role::Owner, &[]).await;
    let doc: Value = owner.get("/admin/v1/openapi.json").await.json().await.unwrap();

    // Removing an operator by something that is not an e-mail address.
    let op = ("DELETE", "/admin/v1/operators/0", "/admin/v1/operators/{email}");
    answered_as_documented(&owner, &doc, op, None, (422, "validation_failed")).await;
    // A typed query parameter that is no number: once axum's plain-text "Failed to deserialize".
    let review = "/admin/v1/campaigns/{campaign}/review";
    let op = ("GET", "/admin/v1/campaigns/demo/review?limit=-1", review);
    answered_as_documented(&owner, &doc, op, None, (400, "invalid_query")).await;
    // JSON routes: no body at all, a body that is not JSON, JSON of another shape.
    let decision = "/admin/v1/campaigns/{campaign}/credits/{credit_id}/decision";
    let op = ("POST", "/admin/v1/campaigns/demo/credits/0/decision", decision);
    answered_as_documented(&owner, &doc, op, None, (415, "unsupported_media_type")).await;
    answered_as_documented(&owner, &doc, op, Some(("application/json", "\0")), (400, "malformed_json")).await;
    let paid = "/admin/v1/campaigns/{campaign}/payouts/{payout_id}/paid";
    let op = ("POST", "/admin/v1/campaigns/demo/payouts/0/paid", paid);
    answered_as_documented(&owner, &doc, op, Some(("application/json", "{}")), (400, "malformed_json")).await;
    let op = ("POST", "/admin/v1/campaigns/demo/draws", "/admin/v1/campaigns/{campaign}/draws");
    let body = json!({"winners": 8906.5}).to_string();
    answered_as_documented(&owner, &doc, op, Some(("application/json", &body)), (400, "malformed_json")).await;
}
