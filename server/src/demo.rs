//! The demo merchant site, served on its own port so the widget runs cross-origin exactly as on a
//! real shop. Its page holds nothing of ours but the paste-able snippet.

use axum::response::Html;
use axum::routing::get;
use axum::Router;

const PAGE: &str = include_str!("../../public/demo.html");

/// The snippet a merchant pastes for `campaign`, loading from the BFF at `bff_origin`.
pub fn snippet(bff_origin: &str, campaign: &str) -> String {
    format!("<div data-vouch-campaign=\"{campaign}\"></div>\n<script async src=\"{bff_origin}/v1/loader.js\"></script>")
}

pub fn router(bff_origin: &str, campaign: &str) -> Router {
    let page = PAGE.replace("<!-- VOUCH_SNIPPET -->", &snippet(bff_origin, campaign));
    Router::new().route("/", get(move || async move { Html(page) }))
}
