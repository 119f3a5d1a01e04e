//! The loader merchants paste and the widget files it pulls in. The loader is small and cached
//! briefly; the widget files carry a content hash in their URL and are cached for a year. All are
//! public and fetched cross-origin by merchant pages, hence `Access-Control-Allow-Origin: *`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

const LOADER_TEMPLATE: &str = include_str!("../../../widget/loader.js");
/// One bundle per kind of page (`cargo xtask widget`): (loader placeholder, file stem).
const BUNDLES: [(&str, &str); 3] = [("ENTRY", "vouch_entry"), ("REFERRAL", "vouch_referral"), ("OFFER", "vouch_offer")];

#[derive(Debug, Clone)]
pub(super) struct Asset {
    pub(super) body: Bytes,
    pub(super) brotli: Option<Bytes>,
    pub(super) content_type: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct WidgetAssets {
    loader: Bytes,
    files: Arc<HashMap<String, Asset>>,
    /// The giveaway form's glue and wasm URLs, for the pages of ours that preload them.
    entry: Option<Arc<(String, String)>>,
}

pub(super) fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

impl WidgetAssets {
    /// Loads the built widget from `dir`. A missing build still serves the loader (and logs why
    /// the widget itself will not appear).
    pub fn load(dir: &Path) -> Self {
        let mut files = HashMap::new();
        // The build's minified loader; the source (with its comments) when there is no build.
        let loader = std::fs::read_to_string(dir.join("loader.js")).unwrap_or_else(|_| LOADER_TEMPLATE.to_string());
        let mut urls = vec![];
        // The form's glue and wasm URLs, when both are built.
        let mut entry = vec![];
        for (placeholder, stem) in BUNDLES {
            for (suffix, name) in [("JS", format!("{stem}.js")), ("WASM", format!("{stem}_bg.wasm"))] {
                let version = match std::fs::read(dir.join(&name)) {
                    Ok(body) => {
                        let version = hex::encode(&Sha256::digest(&body)[..6]);
                        files.insert(name.clone(), built_asset(dir, &name, body));
                        Some(version)
                    }
                    Err(e) => {
                        tracing::warn!(file = %dir.join(&name).display(), error = %e, "widget file missing: run `cargo xtask build`");
                        None
                    }
                };
                let url = format!("/v1/widget/{name}?v={}", version.as_deref().unwrap_or_default());
                if placeholder == "ENTRY" {
                    entry.push(version.map(|_| url.clone()));
                }
                urls.push((format!("__{placeholder}_{suffix}__"), url));
            }
        }
        load_split_pieces(dir, &mut files);
        let entry = match entry.as_slice() {
            [Some(js), Some(wasm)] => Some(Arc::new((js.clone(), wasm.clone()))),
            _ => None,
        };
        let loader = urls.iter().fold(loader, |text, (placeholder, url)| text.replace(placeholder, url));
        // The beacon's batch size is core's rule, not a second copy of it in the script.
        let loader = loader.replace("__MAX_EVENTS__", &vouch_core::analytics::MAX_BATCH_EVENTS.to_string());
        Self { loader: loader.into(), files: Arc::new(files), entry }
    }

    /// The form bundle's glue and wasm URLs (as the loader asks for them), when they are built.
    pub fn entry_urls(&self) -> Option<(&str, &str)> {
        self.entry.as_deref().map(|(js, wasm)| (js.as_str(), wasm.as_str()))
    }
}

/// The lazily loaded wasm pieces of a split bundle (`cargo xtask widget`), named with a build id.
/// The JS that fetches them is part of the bundle's glue.
fn load_split_pieces(dir: &Path, files: &mut HashMap<String, Asset>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else { continue };
        let piece = BUNDLES.iter().any(|(_, stem)| name.starts_with(&format!("{stem}_")))
            && !name.ends_with("_bg.wasm")
            && name.ends_with(".wasm");
        if !piece {
            continue;
        }
        let Ok(body) = std::fs::read(entry.path()) else { continue };
        files.insert(name.clone(), built_asset(dir, &name, body));
    }
}

/// A file of the build, with the brotli copy the build made of it when there is one.
fn built_asset(dir: &Path, name: &str, body: Vec<u8>) -> Asset {
    let brotli = std::fs::read(dir.join(format!("{name}.br"))).ok().map(Bytes::from);
    Asset { body: body.into(), brotli, content_type: content_type(name) }
}

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(loader)).routes(routes!(widget_file))
}

/// The loader merchants paste.
#[utoipa::path(
    get,
    path = "/v1/loader.js",
    operation_id = "loader_js",
    tag = "hosting",
    responses(
        (status = 200, description = "The loader script (cached 5 minutes).", content_type = "text/javascript", body = String),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn loader(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        state.widget.loader.clone(),
    )
        .into_response()
}

/// A widget file the loader names (with a content hash in its URL).
#[utoipa::path(
    get,
    path = "/v1/widget/{file}",
    operation_id = "widget_file",
    tag = "hosting",
    params(("file" = String, Path, description = "A file name from the loader, e.g. `vouch_entry_bg.wasm`.")),
    responses(
        (status = 200, description = "The file (cached for a year; brotli when accepted).", content(
            (String = "text/javascript"),
            (String = "application/wasm"),
        )),
        (status = 404, description = "No such file.", content_type = "text/plain", body = String),
        (status = 503, response = super::openapi::Unavailable),
    )
)]
async fn widget_file(State(state): State<AppState>, UrlPath(file): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some(asset) = state.widget.files.get(&file) else {
        return (StatusCode::NOT_FOUND, [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], "not found").into_response();
    };
    let accepts_br = accepts_brotli(&headers);
    let common = [
        (header::CONTENT_TYPE, asset.content_type),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        (header::VARY, "Accept-Encoding"),
    ];
    match (&asset.brotli, accepts_br) {
        (Some(br), true) => (common, [(header::CONTENT_ENCODING, "br")], br.clone()).into_response(),
        _ => (common, asset.body.clone()).into_response(),
    }
}

pub(super) fn accepts_brotli(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("br")))
}
