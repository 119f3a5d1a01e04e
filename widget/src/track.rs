//! Funnel events, handed to the loader (`vouch.track`), which batches them with the ones it sees
//! itself (impressions, the form's first focus, shares: clicks on `data-share` controls, a
//! friend's landing) and decides whether anything may be sent (consent, Global Privacy Control).
//! The widget keeps no event and sends nothing itself.

use vouch_core::analytics::EventKind;
use wasm_bindgen::{JsCast, JsValue};

pub(crate) fn track(campaign: &str, kind: EventKind) {
    let Some(window) = web_sys::window() else { return };
    let Ok(vouch) = js_sys::Reflect::get(&window, &"vouch".into()) else { return };
    if let Ok(f) = js_sys::Reflect::get(&vouch, &"track".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = f.call2(&vouch, &JsValue::from(campaign), &JsValue::from(kind.as_str()));
    }
}
