//! The operator console at `/admin`: one HTML page for every client-side route, a boot script and
//! the built bundle (`cargo xtask console` → `dist/console`). The page and the boot script are
//! written here, with each file's content hash in its URL, so assets are cached for a year and a
//! deploy is picked up at the next page load (the page itself is never stored: `no-store`).
//!
//! The CSP allows scripts from this origin only (the wasm needs `'wasm-unsafe-eval'`), no inline
//! script or style, and no framing of the console.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sha2::{Digest, Sha256};

use super::assets::{accepts_brotli, content_type, Asset};
use super::AppState;

const STEM: &str = "vouch_console";
const CSS: &str = "console.css";
const BOOT: &str = "boot.js";

#[derive(Debug, Clone, Default)]
pub struct ConsoleAssets {
    index: Bytes,
    files: Arc<HashMap<String, Asset>>,
}

impl ConsoleAssets {
    /// Loads the built console from `dir`. Without a build the page says so (and the log says how
    /// to build it).
    pub fn load(dir: &Path) -> Self {
        let mut files = HashMap::new();
        let mut version = HashMap::new();
        for name in [format!("{STEM}.js"), format!("{STEM}_bg.wasm"), CSS.to_string()] {
            match std::fs::read(dir.join(&name)) {
                Ok(body) => {
                    version.insert(name.clone(), hex::encode(&Sha256::digest(&body)[..6]));
                    let brotli = std::fs::read(dir.join(format!("{name}.br"))).ok().map(Bytes::from);
                    files.insert(name.clone(), Asset { body: body.into(), brotli, content_type: content_type(&name) });
                }
                Err(e) => {
                    tracing::warn!(file = %dir.join(&name).display(), error = %e, "console file missing: run `cargo xtask console`");
                }
            }
        }
        let url = |name: &str| format!("/admin/assets/{name}?v={}", version.get(name).map_or("", String::as_str));
        let (js, wasm) = (format!("{STEM}.js"), format!("{STEM}_bg.wasm"));
        let built = version.contains_key(&js) && version.contains_key(&wasm);
        let boot = format!("import init from \"{}\";\ninit({{ module_or_path: \"{}\" }});\n", url(&js), url(&wasm));
        let boot_version = hex::encode(&Sha256::digest(boot.as_bytes())[..6]);
        files.insert(BOOT.to_string(), Asset { body: boot.into(), brotli: None, content_type: content_type(BOOT) });
        let mut head = String::new();
        if version.contains_key(CSS) {
            let _ = write!(head, "<link rel=\"stylesheet\" href=\"{}\">", url(CSS));
        }
        let body = if built {
            let _ = write!(
                head,
                "<link rel=\"modulepreload\" href=\"{}\"><link rel=\"preload\" as=\"fetch\" type=\"application/wasm\" \
                 crossorigin href=\"{}\"><script type=\"module\" src=\"/admin/assets/{BOOT}?v={boot_version}\"></script>",
                url(&js),
                url(&wasm)
            );
            "<noscript>The Vouch console needs JavaScript.</noscript>"
        } else {
            "<main><h1>Vouch console</h1><p>The console is not built on this server: run \
             <code>cargo xtask console</code> (or <code>cargo xtask build</code>).</p></main>"
        };
        let index = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\"><title>Vouch console</title>{head}</head>\
             <body>{body}</body></html>\n"
        );
        Self { index: index.into(), files: Arc::new(files) }
    }
}

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(page))
        .route("/admin/", get(page))
        .route("/admin/assets/{file}", get(asset))
        .route("/admin/{*route}", get(client_route))
}

/// Deep links into the console (`/admin/entries/…`) are the same page; the app reads the path.
/// Unknown API paths stay JSON 404s.
async fn client_route(State(state): State<AppState>, UrlPath(route): UrlPath<String>) -> Response {
    if route == "v1" || route.starts_with("v1/") {
        return super::not_found().await.into_response();
    }
    page(State(state)).await
}

async fn page(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::CONTENT_SECURITY_POLICY, policy(&state.grants.url)),
            (header::X_FRAME_OPTIONS, "DENY".to_string()),
            (header::REFERRER_POLICY, "same-origin".to_string()),
        ],
        state.console.index.clone(),
    )
        .into_response()
}

/// The console's CSP. Receipt images come from the object store, through URLs the admin API
/// signs, so its origin (the one browsers upload to) is the one other image source allowed.
fn policy(objects_url: &str) -> String {
    let objects = origin(objects_url).map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:{objects}; connect-src 'self'; frame-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// `scheme://host[:port]` of `url`.
fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find('/').unwrap_or(rest.len());
    (!rest[..end].is_empty()).then(|| &url[..scheme.len() + 3 + end])
}

async fn asset(State(state): State<AppState>, UrlPath(file): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some(asset) = state.console.files.get(&file) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let common = [
        (header::CONTENT_TYPE, asset.content_type),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::VARY, "Accept-Encoding"),
    ];
    match (&asset.brotli, accepts_brotli(&headers)) {
        (Some(br), true) => (common, [(header::CONTENT_ENCODING, "br")], br.clone()).into_response(),
        _ => (common, asset.body.clone()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_object_store_origin_is_the_only_other_image_source() {
        assert_eq!(origin("http://127.0.0.1:8082/receipts"), Some("http://127.0.0.1:8082"));
        assert_eq!(origin("https://b.s3.eu-west-1.amazonaws.com"), Some("https://b.s3.eu-west-1.amazonaws.com"));
        assert_eq!(origin("receipts"), None);
        assert!(policy("http://127.0.0.1:8082/receipts").contains("img-src 'self' data: blob: http://127.0.0.1:8082;"));
    }
}
