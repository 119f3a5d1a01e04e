//! The Vouch operator console: a client-side Leptos app the BFF serves at `/admin`, talking to the
//! admin API (`/admin/v1`) with the operator's session cookie.

// `#[component]` expands to `pub` items inside this private module tree.
#![allow(unreachable_pub)]

mod api;
mod app;
mod login;
mod pages;
mod route;
mod shell;
mod ui;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
