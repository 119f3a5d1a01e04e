//! The hosted page and the Facebook tab carry what the widget needs for its first paint: the
//! campaign's config (the very answer the campaign route gives, so the widget skips that request)
//! and the form itself in a declarative shadow root, in the page's language.

use serde_json::Value;
use vouch_server::config::Config;

use crate::helpers::TestApp;

/// The config in the page's `<script type="application/json">`, parsed.
fn embedded(html: &str) -> Value {
    let start = html.find("<script type=\"application/json\">").expect("an embedded config") + 32;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn hostile_name(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let name = "name = \"Tom </script><script>alert(1)</script> & <!-- Jerry\"";
    let text = text.lines().map(|l| if l.starts_with("name = ") { name } else { l }).collect::<Vec<_>>().join("\n");
    std::fs::write(demo, text).unwrap();
}

#[tokio::test]
async fn the_hosted_page_embeds_the_campaign_routes_answer_and_draws_the_form() {
    let app = TestApp::spawn().await;
    let get = |path: &str| app.client.get(app.url(path)).header("Accept-Language", "de-DE,de;q=0.9").send();
    let html = get("/c/demo").await.unwrap().text().await.unwrap();
    let asked: Value = get("/v1/campaigns/demo?locale=de").await.unwrap().json().await.unwrap();
    assert_eq!(embedded(&html), asked, "the widget gets what it would have asked for");
    assert_eq!(asked["locale"], "de");
    let form = &html[html.find("<template shadowrootmode=\"open\">").expect("a declarative shadow root")..];
    assert!(form.contains("<div class=\"vouch\" inert>"), "inert until the widget mounts");
    assert!(form.contains("<label for=\"first_name\" part=\"label\">Vorname</label>"), "{form}");
    assert!(form.contains("<input id=\"email\" part=\"input\" name=\"email\" type=\"email\""));
    assert!(form.contains(&format!(">{}</h2>", asked["copy"]["title"].as_str().unwrap())));
    assert!(html.contains("--vouch-reserve:700px"), "the reserved height survives the shadow root's reset");
}

#[tokio::test]
async fn a_campaign_name_cannot_close_the_embedded_script() {
    let app = TestApp::spawn_with(hostile_name).await;
    let html = app.client.get(app.url("/c/demo")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert_eq!(embedded(&html)["name"], "Tom </script><script>alert(1)</script> & <!-- Jerry");
    assert_eq!(html.matches("<script").count(), 2, "the config and the loader, nothing injected");
}

#[tokio::test]
async fn the_campaign_route_picks_the_first_language_it_speaks_from_a_list() {
    let app = TestApp::spawn().await;
    let locale = |q: &'static str| {
        let url = app.url(&format!("/v1/campaigns/demo?locale={q}"));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().json::<Value>().await.unwrap()["locale"].clone() }
    };
    assert_eq!(locale("fr-FR,es-MX").await, "es", "the page's language first, then the browser's");
    assert_eq!(locale("de").await, "de");
}

/// A widget build of two files: enough for the server to name the form's bundle.
fn built_widget(config: &mut Config) {
    let dir = config.campaigns_dir.parent().unwrap().join("widget");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("vouch_entry.js"), "export default async function () {}").unwrap();
    std::fs::write(dir.join("vouch_entry_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    config.widget_dir = dir;
}

/// The `href` of the page's first `<link rel="{rel}" …>`.
fn link(html: &str, rel: &str) -> Option<String> {
    let start = format!("<link rel=\"{rel}\" href=\"");
    let at = html.find(&start)? + start.len();
    Some(html[at..at + html[at..].find('"')?].to_string())
}

#[tokio::test]
async fn the_hosted_page_preloads_the_very_files_its_loader_asks_for() {
    let app = TestApp::spawn_with(built_widget).await;
    let html = app.client.get(app.url("/c/demo")).send().await.unwrap().text().await.unwrap();
    let head = &html[..html.find("</head>").unwrap()];
    let (js, wasm) = (link(head, "modulepreload").expect(head), link(head, "preload").expect(head));
    assert!(head.contains(&format!("<link rel=\"preload\" href=\"{wasm}\" as=\"fetch\" crossorigin>")), "{head}");
    let loader = app.client.get(app.url("/v1/loader.js")).send().await.unwrap().text().await.unwrap();
    for url in [&js, &wasm] {
        // The same URL, version and all, or the browser downloads the file twice.
        assert!(loader.contains(url.as_str()), "{url} is not what the loader asks for");
        assert_eq!(app.client.get(app.url(url)).send().await.unwrap().status(), 200, "{url}");
    }
    assert!(js.starts_with("/v1/widget/vouch_entry.js?v=") && wasm.starts_with("/v1/widget/vouch_entry_bg.wasm?v="));
}

#[tokio::test]
async fn without_a_widget_build_the_page_preloads_nothing() {
    let app = TestApp::spawn().await;
    let html = app.client.get(app.url("/c/demo")).send().await.unwrap().text().await.unwrap();
    assert_eq!(link(&html, "modulepreload"), None);
    assert_eq!(link(&html, "preload"), None);
}
