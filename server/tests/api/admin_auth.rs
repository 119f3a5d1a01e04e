//! Operator sign-in, sessions, CSRF, throttling and API tokens of the admin API.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use vouch_core::admin::Role;
use vouch_server::admin::operators;

use crate::admin_helpers::{assert_authorization, AdminClient, ADMIN_ROUTES, PASSWORD};
use crate::helpers::TestApp;

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn every_admin_route_is_authorized() {
    let app = TestApp::spawn().await;
    assert_authorization(&app, ADMIN_ROUTES, "demo").await;
}

#[tokio::test]
async fn the_route_list_and_the_openapi_document_agree() {
    let app = TestApp::spawn().await;
    let spec: Value = app.client.get(app.url("/admin/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1");
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let listed: BTreeSet<String> = ADMIN_ROUTES.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(listed, documented);
}

#[tokio::test]
async fn an_operator_signs_in_and_sees_who_it_is() {
    let app = TestApp::spawn().await;
    app.add_operator("Mod@Staff.Example", Role::Moderator, &["demo"]).await;
    let anonymous = AdminClient::anonymous(&app);
    let response = anonymous.post_login("  MOD@staff.example ", PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    for attribute in ["vouch_admin=", "HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: the browser would drop a Secure cookie");
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["email"], "mod@staff.example");
    assert_eq!(me["role"], "moderator");
    assert_eq!(me["campaigns"], json!(["demo"]));
    let signed_in = AdminClient::login(&app, "mod@staff.example", PASSWORD).await;
    let again = signed_in.get("/admin/v1/session").await;
    assert_eq!(again.headers()["cache-control"], "no-store", "the back button must show nothing private");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["email"], "mod@staff.example");
    assert_eq!(again["csrf_token"], signed_in.csrf.clone().unwrap().as_str());
    assert_eq!(anonymous.get("/admin/v1/session").await.status(), 401);
}

#[tokio::test]
async fn the_cookie_is_secure_behind_https_and_writes_must_come_from_that_origin() {
    let app = TestApp::spawn_with(|c| c.http.public_url = Some("https://vouch.example/".into())).await;
    let owner = app.operator(Role::Owner, &[]).await;
    assert!(owner.set_cookie.contains("; Secure"), "{}", owner.set_cookie);
    let foreign = owner.builder("DELETE", "/admin/v1/session").header("origin", "https://evil.example");
    let (status, body) = error_of(foreign.send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("csrf_rejected")));
    let own = owner.builder("DELETE", "/admin/v1/session").header("origin", "https://vouch.example");
    assert_eq!(own.send().await.unwrap().status(), 204);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.add_operator("known@staff.example", Role::Owner, &[]).await;
    let anonymous = AdminClient::anonymous(&app);
    let wrong = error_of(anonymous.post_login("known@staff.example", "not the password").await).await;
    let unknown = error_of(anonymous.post_login("nobody@staff.example", "not the password").await).await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["error"]["code"], "invalid_credentials");
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn an_account_is_locked_after_five_failures_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    app.add_operator("target@staff.example", Role::Owner, &[]).await;
    let anonymous = AdminClient::anonymous(&app);
    for _ in 0..5 {
        assert_eq!(anonymous.post_login("target@staff.example", "guess guess guess").await.status(), 401);
    }
    let locked = anonymous.post_login("target@staff.example", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let wait: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((850..=900).contains(&wait), "about 15 minutes: {wait}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "login_locked");
    assert!(body["error"]["message"].as_str().unwrap().contains("15 minute"), "{body}");
    // Another account is not locked by these failures (the client limit is higher).
    app.add_operator("other@staff.example", Role::Viewer, &["demo"]).await;
    assert_eq!(anonymous.post_login("other@staff.example", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn one_client_guessing_across_accounts_is_throttled() {
    let app = TestApp::spawn_with(|c| {
        c.admin.max_failures_per_client = 3;
        c.admin.max_failures_per_account = 100;
    })
    .await;
    app.add_operator("real@staff.example", Role::Owner, &[]).await;
    let anonymous = AdminClient::anonymous(&app);
    for n in 0..3 {
        let response = anonymous.post_login(&format!("guess{n}@staff.example"), "guess guess guess").await;
        assert_eq!(response.status(), 401);
    }
    let (status, body) = error_of(anonymous.post_login("real@staff.example", PASSWORD).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("login_locked")));
}

#[tokio::test]
async fn writes_need_the_sessions_csrf_token_and_sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let owner = app.operator(Role::Owner, &[]).await;
    let missing = error_of(owner.without_csrf().delete("/admin/v1/session").await).await;
    assert_eq!((missing.0, missing.1["error"]["code"].as_str()), (403, Some("csrf_rejected")));
    let wrong = AdminClient { csrf: Some("not-the-token".into()), ..owner.clone() };
    assert_eq!(wrong.delete("/admin/v1/session").await.status(), 403);
    assert_eq!(owner.get("/admin/v1/session").await.status(), 200, "refused writes changed nothing");
    let out = owner.delete("/admin/v1/session").await;
    assert_eq!(out.status(), 204);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    // The old cookie, replayed, no longer opens anything.
    assert_eq!(owner.get("/admin/v1/session").await.status(), 401);
    assert_eq!(owner.get("/admin/v1/operators").await.status(), 401);
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = TestApp::spawn_with(|c| c.admin.session_idle_minutes = 0.01).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    assert_eq!(viewer.get("/admin/v1/session").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert_eq!(viewer.get("/admin/v1/session").await.status(), 401);
}

#[tokio::test]
async fn a_used_session_still_ends_at_its_absolute_limit() {
    let app = TestApp::spawn_with(|c| c.admin.session_max_hours = 1.0 / 3600.0).await;
    let viewer = app.operator(Role::Viewer, &["demo"]).await;
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_millis(800) {
        assert_eq!(viewer.get("/admin/v1/session").await.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(viewer.get("/admin/v1/session").await.status(), 401);
}

#[tokio::test]
async fn a_removed_or_reset_operator_is_signed_out_everywhere() {
    let app = TestApp::spawn().await;
    let gone = app.operator(Role::Moderator, &["demo"]).await;
    let reset = app.operator(Role::Moderator, &["demo"]).await;
    let b = &app.running.backends;
    operators::remove(b, "test", &gone.email).await.unwrap();
    operators::reset_password(b, "test", &reset.email, "a brand new password").await.unwrap();
    assert_eq!(gone.get("/admin/v1/session").await.status(), 401);
    assert_eq!(reset.get("/admin/v1/session").await.status(), 401);
    AdminClient::login(&app, &reset.email, "a brand new password").await;
    assert_eq!(AdminClient::anonymous(&app).post_login(&gone.email, PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn an_api_token_is_scoped_needs_no_csrf_token_and_stops_when_revoked() {
    let app = TestApp::spawn().await;
    let token = app.admin_token("shop-sync", Role::Viewer, &["demo"]).await;
    let me: Value = token.get("/admin/v1/session").await.json().await.unwrap();
    assert_eq!((me["email"].as_str(), me["role"].as_str()), (Some("token:shop-sync"), Some("viewer")));
    assert_eq!(token.get("/admin/v1/campaigns/demo/audit").await.status(), 200);
    assert_eq!(token.get("/admin/v1/campaigns/other/audit").await.status(), 403);
    assert_eq!(token.get("/admin/v1/operators").await.status(), 403);
    let owner_token = app.admin_token("provisioning", Role::Owner, &[]).await;
    let added = owner_token
        .post(
            "/admin/v1/operators",
            json!({"email": "new@staff.example", "role": "viewer", "campaigns": ["demo"], "password": PASSWORD}),
        )
        .await;
    assert_eq!(added.status(), 201, "bearer writes need no CSRF token");
    operators::revoke_token(&app.running.backends, "test", "shop-sync").await.unwrap();
    assert_eq!(token.get("/admin/v1/session").await.status(), 401);
    let fake = AdminClient { bearer: Some("vat_made_up".into()), ..AdminClient::anonymous(&app) };
    assert_eq!(fake.get("/admin/v1/session").await.status(), 401);
}

#[tokio::test]
async fn owners_manage_operators_and_every_change_is_audited() {
    let app = TestApp::spawn().await;
    let owner = app.operator(Role::Owner, &[]).await;
    let new =
        json!({"email": "Helper@Staff.example", "role": "moderator", "campaigns": ["demo"], "password": PASSWORD});
    let added: Value = owner.post("/admin/v1/operators", new.clone()).await.json().await.unwrap();
    assert_eq!((added["email"].as_str(), added["campaigns"].clone()), (Some("helper@staff.example"), json!(["demo"])));
    let (status, body) = error_of(owner.post("/admin/v1/operators", new).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")));
    let short = json!({"email": "x@staff.example", "role": "owner", "password": "short"});
    assert_eq!(owner.post("/admin/v1/operators", short).await.status(), 422);
    let listed: Value = owner.get("/admin/v1/operators").await.json().await.unwrap();
    assert!(listed.as_array().unwrap().iter().any(|o| o["email"] == "helper@staff.example"));
    assert_eq!(owner.delete("/admin/v1/operators/helper@staff.example").await.status(), 204);
    assert_eq!(owner.delete("/admin/v1/operators/helper@staff.example").await.status(), 404);
    let audit: Value = owner.get("/admin/v1/audit").await.json().await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["subject"] == "helper@staff.example")
        .map(|r| (r["action"].as_str().unwrap(), r["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(actions, [("operator.remove", owner.email.as_str()), ("operator.add", owner.email.as_str())]);
    assert_eq!(app.operator(Role::Moderator, &["demo"]).await.get("/admin/v1/audit").await.status(), 403);
}

#[tokio::test]
async fn sign_in_sessions_and_tokens_work_on_aws() {
    let app = TestApp::spawn_aws_with(|c| c.admin.max_failures_per_account = 2).await;
    let moderator = app.operator(Role::Moderator, &["demo"]).await;
    assert_eq!(moderator.get("/admin/v1/campaigns/demo/audit").await.status(), 200);
    assert_eq!(moderator.get("/admin/v1/campaigns/other/audit").await.status(), 403);
    assert_eq!(moderator.without_csrf().delete("/admin/v1/session").await.status(), 403);
    assert_eq!(moderator.delete("/admin/v1/session").await.status(), 204);
    assert_eq!(moderator.get("/admin/v1/session").await.status(), 401);
    let anonymous = AdminClient::anonymous(&app);
    for _ in 0..2 {
        assert_eq!(anonymous.post_login(&moderator.email, "guess guess guess").await.status(), 401);
    }
    assert_eq!(anonymous.post_login(&moderator.email, PASSWORD).await.status(), 429);
    let token = app.admin_token("aws-sync", Role::Viewer, &["demo"]).await;
    assert_eq!(token.get("/admin/v1/campaigns/demo/audit").await.status(), 200);
    operators::revoke_token(&app.running.backends, "test", "aws-sync").await.unwrap();
    assert_eq!(token.get("/admin/v1/session").await.status(), 401);
    let owner = app.operator(Role::Owner, &[]).await;
    operators::remove(&app.running.backends, "test", &owner.email).await.unwrap();
    assert_eq!(owner.get("/admin/v1/session").await.status(), 401);
}
