//! The demo merchant site, served on its own port so the widget runs cross-origin exactly as on a
//! real shop. Its pages hold nothing of ours but the paste-able snippet.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::Query;
use axum::http::header;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

const GIVEAWAY: &str = include_str!("../../../public/demo.html");
const REFER: &str = include_str!("../../../public/refer.html");
const SHOP: &str = include_str!("../../../public/shop.html");
const HOSTILE: &str = include_str!("../../../public/hostile.html");
/// The hostile page's own theme script, which it loads after the widget's snippet.
const THEME_JS: &str = "window.hostileThemeRan = true;\n";
/// The command-queue stub pages put before the loader so `vouch(…)` works before it arrives.
const STUB: &str = "<script>window.vouch=window.vouch||function(){(vouch.q=vouch.q||[]).push(arguments)};</script>";

fn script(bff_origin: &str, extra: &str) -> String {
    format!("<script async src=\"{bff_origin}/v1/loader.js\"{extra}></script>")
}

/// The snippet a merchant pastes for `campaign`, loading from the BFF at `bff_origin`.
/// The host reserves the form's height, so the page does not jump when the widget arrives.
pub fn snippet(bff_origin: &str, campaign: &str) -> String {
    format!("<div data-vouch-campaign=\"{campaign}\" style=\"min-height:700px\"></div>\n{}", script(bff_origin, ""))
}

/// The single-page shop; `?consent=required` makes it store nothing until the visitor agrees.
fn shop_page(template: &str, bff_origin: &str, query: &HashMap<String, String>) -> String {
    let (extra, banner) = match query.get("consent").map(String::as_str) {
        Some("required") => (
            " data-vouch-consent=\"required\"",
            "<div class=\"consent\">We use local storage to remember referral codes. \
             <button type=\"button\" onclick=\"vouch('consent', true)\">Accept</button></div>",
        ),
        _ => ("", ""),
    };
    template
        .replace("<!-- CONSENT_BANNER -->", banner)
        .replace("<!-- VOUCH_SNIPPET -->", &format!("{STUB}\n{}", script(bff_origin, extra)))
}

pub fn router(bff_origin: &str, campaign: &str) -> Router {
    let giveaway = GIVEAWAY.replace("<!-- VOUCH_SNIPPET -->", &snippet(bff_origin, campaign));
    let host = format!(
        "<div data-vouch-campaign=\"{campaign}\" data-vouch-view=\"referral\" style=\"min-height:420px\"></div>\n"
    );
    let hostile = HOSTILE.replace("<!-- VOUCH_SNIPPET -->", &snippet(bff_origin, campaign));
    let refer = REFER.replace("<!-- VOUCH_SNIPPET -->", &(host + &script(bff_origin, "")));
    let shop_template: Arc<(String, String)> =
        Arc::new((SHOP.replace("__CAMPAIGN__", campaign), bff_origin.to_string()));
    let shop = move |Query(query): Query<HashMap<String, String>>| {
        let t = shop_template.clone();
        async move { Html(shop_page(&t.0, &t.1, &query)) }
    };
    Router::new()
        .route("/", get(move || async move { Html(giveaway) }))
        .route("/refer", get(move || async move { Html(refer) }))
        .route("/hostile", get(move || async move { Html(hostile) }))
        .route("/theme.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], THEME_JS) }))
        .route("/shop", get(shop.clone()))
        .route("/shop/{*rest}", get(shop))
}
