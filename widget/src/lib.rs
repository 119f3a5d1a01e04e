//! The Vouch widget: a guest on merchant pages. The loader marks each host element with the API
//! origin; this module mounts one independent app per host inside an open shadow root, so the
//! page's CSS and ours never touch.

// `#[component]` expands to `pub` items inside this private module tree.
#![allow(unreachable_pub)]

mod api;
mod app;
#[cfg(feature = "entry")]
mod draft;
#[cfg(feature = "entry")]
mod fields;
#[cfg(feature = "entry")]
mod form;
mod friend;
mod handoff;
mod json;
#[cfg(feature = "entry")]
mod lazy_receipt;
mod locale;
mod mount;
#[cfg(feature = "entry")]
mod picker;
#[cfg(feature = "referral")]
mod qr;
#[cfg(feature = "entry")]
mod receipt;
#[cfg(feature = "referral")]
mod referral;
#[cfg(feature = "entry")]
mod schedule;
#[cfg(feature = "referral")]
mod share;
#[cfg(feature = "entry")]
mod shrink;
#[cfg(feature = "entry")]
mod status;
mod storage;
#[cfg(any(feature = "entry", feature = "referral"))]
mod track;
#[cfg(feature = "entry")]
mod upload;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    // The loader announces hosts added after the first scan (single-page shops).
    let rescan = Closure::<dyn Fn()>::new(mount::scan);
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("vouch:scan", rescan.as_ref().unchecked_ref());
        // The first scan waits for a task of its own: instantiation and the first render are two
        // shorter tasks instead of one long one, and the page can answer input in between.
        let _ = window.set_timeout_with_callback(rescan.as_ref().unchecked_ref());
    }
    rescan.forget();
}
