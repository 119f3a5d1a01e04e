//! The hosted campaign page and the Facebook fan-page tab, over HTTP: what a shared link and a
//! Facebook iframe get, and what a forged tab request gets instead.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Response;
use serde_json::{json, Value};
use vouch_server::config::Secret;
use vouch_server::pages::facebook::sign;

use crate::helpers::TestApp;

const SECRET: &str = "test-app-secret";
const PAGE: &str = "1234567890";

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

fn payload(page: &str, issued_at: i64) -> Value {
    json!({
        "algorithm": "HMAC-SHA256",
        "issued_at": issued_at,
        "page": { "id": page, "liked": false, "admin": false },
        "user": { "locale": "de_DE", "country": "de" },
        "app_data": "k7qw2mnp",
    })
}

async fn facebook_app() -> TestApp {
    TestApp::spawn_with(|c| c.facebook.app_secret = Some(Secret::new(SECRET))).await
}

async fn post_tab(app: &TestApp, signed_request: &str) -> Response {
    app.client.post(app.url("/fb/tab")).form(&[("signed_request", signed_request)]).send().await.unwrap()
}

fn header<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn the_hosted_page_previews_well_and_embeds_the_widget_from_its_own_origin() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/c/demo")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").unwrap().starts_with("text/html"));
    assert_eq!(header(&res, "x-frame-options"), Some("DENY"), "only the tab may be framed");
    let csp = header(&res, "content-security-policy").unwrap().to_string();
    let upload_origin = format!("http://{}", app.running.s3.unwrap());
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("connect-src 'self' {upload_origin}"),
        "img-src 'self' data: blob: https://cdn.example",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.split("; ").any(|d| d == directive), "{directive} missing from {csp}");
    }
    let html = res.text().await.unwrap();
    assert!(html.contains("<title>Enter the giveaway · Demo</title>"), "{html}");
    assert!(html.contains("<meta property=\"og:image\" content=\"https://cdn.example/demo.jpg\">"));
    assert!(html.contains(&format!("<meta property=\"og:url\" content=\"{}\">", app.url("/c/demo"))));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("<div data-vouch-campaign=\"demo\""));
    assert!(html.contains("<script async src=\"/v1/loader.js\"></script>"));
    assert!(html.contains("<noscript>"));
}

#[tokio::test]
async fn the_hosted_page_may_be_framed_by_the_bff_itself_only_as_a_preview() {
    let app = TestApp::spawn().await;
    for (path, frame_ancestors, frame_options) in [
        ("/c/demo?preview=1", "frame-ancestors 'self'", "SAMEORIGIN"),
        ("/c/demo", "frame-ancestors 'none'", "DENY"),
        ("/c/demo?preview=yes", "frame-ancestors 'none'", "DENY"),
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "x-frame-options"), Some(frame_options), "{path}");
        let csp = header(&res, "content-security-policy").unwrap();
        let framing: Vec<&str> = csp.split("; ").filter(|d| d.starts_with("frame-ancestors")).collect();
        assert_eq!(framing, [frame_ancestors], "{path}: {csp}");
    }
    // The console's Embed page frames what the API names as the preview.
    let owner = app.operator(vouch_core::admin::Role::Owner, &[]).await;
    let embed: serde_json::Value = owner.get("/admin/v1/campaigns/demo/embed").await.json().await.unwrap();
    assert_eq!(embed["preview_url"], app.url("/c/demo?preview=1"));
}

#[tokio::test]
async fn the_hosted_page_speaks_the_browsers_language_and_an_unknown_campaign_is_a_404_page() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/c/demo")).header("Accept-Language", "fr-FR, de;q=0.8").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"de\">"));
    assert!(html.contains("<title>Gewinnen Sie ein Jahr Kaffee · Demo</title>"), "{html}");
    let html = app.client.get(app.url("/c/demo?lang=es")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-vouch-locale=\"es\""));
    let res = app.client.get(app.url("/c/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("no campaign"));
}

#[tokio::test]
async fn the_widget_on_the_hosted_page_may_use_the_campaign() {
    let app = TestApp::spawn().await;
    let own_origin = app.running.bff_url().trim_end_matches('/').to_string();
    let res = app
        .client
        .post(app.url("/v1/campaigns/other/uploads"))
        .header("Origin", &own_origin)
        .json(&json!({"content_type": "image/jpeg", "size": 1000}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn a_signed_tab_request_shows_the_pages_campaign_in_the_viewers_language() {
    let app = facebook_app().await;
    let res = post_tab(&app, &sign(&payload(PAGE, now() - 5), SECRET.as_bytes())).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "x-frame-options"), None, "Facebook must be able to frame the tab");
    let csp = header(&res, "content-security-policy").unwrap();
    assert!(csp.ends_with("; frame-ancestors https://facebook.com https://*.facebook.com"), "{csp}");
    assert!(csp.starts_with("default-src 'none'; script-src 'self' 'wasm-unsafe-eval';"), "{csp}");
    assert!(!csp.contains("frame-ancestors 'none'"));
    assert_eq!(header(&res, "cache-control"), Some("no-store"));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<div data-vouch-campaign=\"demo\" data-vouch-locale=\"de\" data-vouch-ref=\"K7QW2MNP\""),
        "{html}"
    );
    assert!(html.contains("Gewinnen Sie ein Jahr Kaffee"));
    assert!(!html.contains(SECRET), "the app secret stays on the server");
}

#[tokio::test]
async fn the_tab_also_answers_a_get() {
    let app = facebook_app().await;
    let signed = sign(&payload(PAGE, now()), SECRET.as_bytes());
    let res = app.client.get(app.url("/fb/tab")).query(&[("signed_request", &signed)]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("data-vouch-campaign=\"demo\""));
}

#[tokio::test]
async fn forged_tampered_stale_and_malformed_tab_requests_get_a_4xx_page_and_no_widget() {
    let app = facebook_app().await;
    let good = sign(&payload(PAGE, now()), SECRET.as_bytes());
    let (signature, _) = good.split_once('.').unwrap();
    let tampered =
        format!("{signature}.{}", sign(&payload("999", now()), SECRET.as_bytes()).split_once('.').unwrap().1);
    let mut none = payload(PAGE, now());
    none["algorithm"] = json!("none");
    let cases = [
        ("another secret", sign(&payload(PAGE, now()), b"not-the-secret"), 403),
        ("tampered payload", tampered, 403),
        ("stale", sign(&payload(PAGE, now() - 3600), SECRET.as_bytes()), 403),
        ("wrong algorithm", sign(&none, SECRET.as_bytes()), 403),
        ("malformed", "not-a-signed-request".to_string(), 400),
        ("empty", String::new(), 400),
        ("unknown page", sign(&payload("555", now()), SECRET.as_bytes()), 404),
    ];
    for (what, signed, status) in cases {
        let res = post_tab(&app, &signed).await;
        assert_eq!(res.status(), status, "{what}");
        assert!(header(&res, "content-type").unwrap().starts_with("text/html"), "{what}");
        assert!(header(&res, "content-security-policy").unwrap().contains("facebook.com"), "{what}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("data-vouch-campaign"), "{what}: {html}");
        assert!(!html.contains("loader.js"), "{what}");
    }
    let res = app.client.post(app.url("/fb/tab")).body("%%%").send().await.unwrap();
    assert_eq!(res.status(), 400, "a body that is not a form");
}

#[tokio::test]
async fn without_an_app_secret_the_tab_is_unavailable() {
    let app = TestApp::spawn().await;
    let res = post_tab(&app, &sign(&payload(PAGE, now()), SECRET.as_bytes())).await;
    assert_eq!(res.status(), 503);
    assert!(!res.text().await.unwrap().contains("data-vouch-campaign"));
}

#[tokio::test]
async fn a_forged_host_header_never_reaches_the_page() {
    let app = facebook_app().await;
    let own = app.url("/c/demo");
    let res = app.client.get(app.url("/c/demo")).header("Host", "evil.example").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(!html.contains("evil.example"), "{html}");
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{own}\">")), "{html}");
    let signed = sign(&payload(PAGE, now()), SECRET.as_bytes());
    let res = app.client.get(app.url("/fb/tab")).query(&[("signed_request", &signed)]).header("Host", "evil.example");
    let html = res.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("data-vouch-campaign=\"demo\"") && !html.contains("evil.example"), "{html}");
}

#[tokio::test]
async fn the_configured_public_url_is_the_canonical_address() {
    let app = TestApp::spawn_with(|c| c.http.public_url = Some("https://giveaways.example/".into())).await;
    let res = app.client.get(app.url("/c/demo")).header("Host", "evil.example").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("<meta property=\"og:url\" content=\"https://giveaways.example/c/demo\">"), "{html}");
    assert!(html.contains("<link rel=\"canonical\" href=\"https://giveaways.example/c/demo\">"));
    assert!(!html.contains("evil.example"));
}
