//! The operator console's page at `/admin`: the same page for every client-side route, locked
//! down by its headers (no inline script, no framing, never stored), pointing at hashed assets.

use crate::helpers::TestApp;

/// A console build as `cargo xtask console` leaves it (the files' contents do not matter here).
fn built_console() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vouch_console.js"), "export default function init() {}").unwrap();
    std::fs::write(dir.path().join("vouch_console_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.path().join("console.css"), "body { margin: 0 }").unwrap();
    dir
}

fn assert_locked_down(res: &reqwest::Response) {
    let h = res.headers();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-frame-options"], "DENY");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn admin_answers_the_console_page_for_every_client_route_with_strict_headers() {
    let built = built_console();
    let dir = built.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.console_dir = dir).await;
    let mut pages = vec![];
    for path in ["/admin", "/admin/", "/admin/campaigns", "/admin/c/demo/entries/e-1"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_locked_down(&res);
        pages.push(res.text().await.unwrap());
    }
    assert!(pages.iter().all(|p| *p == pages[0]), "every route is the same page");
    let page = &pages[0];
    // No inline script: the only script is the boot module, from this origin.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    let boot = page.split("<script type=\"module\" src=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(boot.starts_with("/admin/assets/boot.js?v="), "{page}");
    assert!(page.contains("/admin/assets/console.css?v="), "{page}");

    let boot = app.client.get(app.url(boot)).send().await.unwrap();
    assert_eq!(boot.headers()["content-type"], "text/javascript; charset=utf-8");
    let boot = boot.text().await.unwrap();
    let js = boot.split('"').nth(1).unwrap();
    assert!(js.starts_with("/admin/assets/vouch_console.js?v="), "{boot}");
    assert!(boot.contains("/admin/assets/vouch_console_bg.wasm?v="), "{boot}");
    let js = app.client.get(app.url(js)).send().await.unwrap();
    assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(js.text().await.unwrap(), "export default function init() {}");
    let wasm = app.client.get(app.url("/admin/assets/vouch_console_bg.wasm")).send().await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(app.client.get(app.url("/admin/assets/nothing.js")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_changed_build_changes_the_asset_urls() {
    let built = built_console();
    let first = TestApp::spawn_with({
        let dir = built.path().to_path_buf();
        move |c| c.console_dir = dir
    })
    .await;
    let before = first.client.get(first.url("/admin/assets/boot.js")).send().await.unwrap().text().await.unwrap();
    std::fs::write(built.path().join("vouch_console_bg.wasm"), b"\0asm\x01\0\0\0\x01").unwrap();
    let dir = built.path().to_path_buf();
    let second = TestApp::spawn_with(move |c| c.console_dir = dir).await;
    let after = second.client.get(second.url("/admin/assets/boot.js")).send().await.unwrap().text().await.unwrap();
    assert_ne!(before, after, "a new wasm must not be served from an old cache entry");
}

#[tokio::test]
async fn unknown_admin_api_paths_stay_json_and_an_unbuilt_console_says_how_to_build_it() {
    let app = TestApp::spawn_with(|c| c.console_dir = "no-console".into()).await;
    let api = app.client.get(app.url("/admin/v1/no-such-route")).send().await.unwrap();
    assert!(api.status().is_client_error(), "{}", api.status());
    assert!(api.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let res = app.client.get(app.url("/admin")).send().await.unwrap();
    assert_locked_down(&res);
    let page = res.text().await.unwrap();
    assert!(page.contains("cargo xtask console"), "{page}");
    assert!(!page.contains("<script"), "{page}");
}
