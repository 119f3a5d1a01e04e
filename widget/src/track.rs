//! Funnel events, handed to the loader (`vouch.track`), which batches them with the ones it sees
//! itself (impressions, a friend's landing) and decides whether anything may be sent (consent,
//! Global Privacy Control). The widget keeps no event and sends nothing itself.

use vouch_core::analytics::EventKind;
use wasm_bindgen::{JsCast, JsValue};

/// `channel`: a share's, as `Channel::as_str` spells it.
pub(crate) fn track(campaign: &str, kind: EventKind, channel: Option<&str>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(vouch) = js_sys::Reflect::get(&window, &"vouch".into()) else { return };
    if let Ok(f) = js_sys::Reflect::get(&vouch, &"track".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let channel = channel.map_or(JsValue::UNDEFINED, JsValue::from);
        let _ = f.call3(&vouch, &campaign.into(), &kind.as_str().into(), &channel);
    }
}
