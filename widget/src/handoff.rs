//! The campaign config the loader fetched beside the wasm, or found embedded in the page, handed
//! over on the host element as `vouchCampaign`: a promise of the JSON text, or of null when the
//! request failed (the widget then asks itself and shows its usual errors).

use js_sys::{Promise, Reflect};
use vouch_core::campaign::CampaignPublic;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use crate::json;

const PROPERTY: &str = "vouchCampaign";

/// The host's handed-over request, taken once (a later mount of the same host asks afresh).
pub(crate) fn take(el: &Element) -> Option<Promise> {
    let key = JsValue::from_str(PROPERTY);
    let promise = Reflect::get(el, &key).ok()?.dyn_into::<Promise>().ok()?;
    let _ = Reflect::delete_property(el, &key);
    Some(promise)
}

pub(crate) async fn read(promise: Promise) -> Option<CampaignPublic> {
    let text = JsFuture::from(promise).await.ok()?.as_string()?;
    json::parse(&text)
}
