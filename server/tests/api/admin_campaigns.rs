//! The console's campaigns: each operator sees the campaigns of its scope with where their
//! schedule stands and their counts, and the snippet a merchant pastes to embed one.

use serde_json::Value;
use vouch_core::admin::Role;
use vouch_server::config::Config;

use crate::helpers::{entry_body, TestApp};
use crate::photos::receipt;

/// `other` opens in 2099; every other campaign is open.
fn other_opens_later(config: &mut Config) {
    let other = config.campaigns_dir.join("other.toml");
    let text = std::fs::read_to_string(&other).unwrap();
    std::fs::write(other, format!("opens_at = \"2099-01-01T00:00:00Z\"\n{text}")).unwrap();
}

async fn enter(app: &TestApp, email: &str, seed: u64) {
    let upload = app.uploaded("demo", &receipt(seed), "image/jpeg").await;
    let res = app.entry("demo", &entry_body(email, Some(&upload)), &format!("k-{email}")).await;
    assert_eq!(res.status(), 202);
    app.drain().await;
}

async fn ok_json(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn campaigns_show_scope_status_and_counts(app: TestApp) {
    enter(&app, "ana@example.com", 1).await;
    enter(&app, "ben@example.com", 2).await;
    for (name, email) in [("Cem", "cem@example.com"), ("Dana", "dana@example.com"), ("Cem", "cem@example.com")] {
        let (status, body) = crate::referrals::join(&app, "demo", name, email).await;
        assert!(matches!(status, 200 | 201), "{status} {body}");
    }

    let moderator = app.operator(Role::Moderator, &["demo", "other"]).await;
    let listed = ok_json(moderator.get("/admin/v1/campaigns").await).await;
    let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["demo", "other"], "only the moderator's campaigns");
    let demo = &listed[0];
    assert_eq!(demo["name"], "Demo");
    assert_eq!(demo["status"], "open");
    assert_eq!(demo["counts"]["entries"]["confirmed"], 2, "{demo}");
    assert_eq!(demo["counts"]["pending_review"], 0);
    assert_eq!(demo["counts"]["conversions"], 0);
    assert_eq!(demo["counts"]["referrers"], 2, "a second join of one mailbox is one referrer");
    let other = &listed[1];
    assert_eq!(other["status"], "scheduled");
    assert_eq!(other["opens_at"], "2099-01-01T00:00:00.000Z");
    assert_eq!(other["counts"]["entries"], serde_json::json!({}));

    let one = ok_json(moderator.get("/admin/v1/campaigns/demo").await).await;
    assert_eq!(&one, demo);

    let owner = app.operator(Role::Owner, &[]).await;
    let all = ok_json(owner.get("/admin/v1/campaigns").await).await;
    assert!(all.as_array().unwrap().len() > 2, "owners see every campaign");
    let unknown = owner.get("/admin/v1/campaigns/no-such-campaign").await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn campaigns_show_scope_status_and_counts_embedded() {
    campaigns_show_scope_status_and_counts(TestApp::spawn_with(other_opens_later).await).await;
}

#[tokio::test]
async fn campaigns_show_scope_status_and_counts_aws() {
    campaigns_show_scope_status_and_counts(TestApp::spawn_aws_with(other_opens_later).await).await;
}

#[tokio::test]
async fn the_embed_snippet_loads_the_widget_and_the_hosted_page_opens() {
    let app = TestApp::spawn().await;
    let viewer = app.operator(Role::Viewer, &["demo", "other"]).await;
    let embed = ok_json(viewer.get("/admin/v1/campaigns/demo/embed").await).await;
    let snippet = embed["snippet"].as_str().unwrap();
    let bff = app.running.bff_url();
    assert!(snippet.contains(r#"data-vouch-campaign="demo""#), "{snippet}");
    // The loader the snippet names is served.
    let loader = format!("{bff}/v1/loader.js");
    assert!(snippet.contains(&format!(r#"src="{loader}""#)), "{snippet}");
    assert_eq!(app.client.get(&loader).send().await.unwrap().status(), 200);
    let hosted = embed["hosted_url"].as_str().unwrap();
    assert_eq!(hosted, format!("{bff}/c/demo"));
    let page = app.client.get(hosted).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Demo"));
    assert_eq!(embed["facebook"]["page_ids"], serde_json::json!(["1234567890"]));
    assert_eq!(embed["facebook"]["tab_url"], format!("{bff}/fb/tab"));

    let other = ok_json(viewer.get("/admin/v1/campaigns/other/embed").await).await;
    assert!(other.get("facebook").is_none(), "no Facebook page shows `other`: {other}");
}
