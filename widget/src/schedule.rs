//! Before the opening and after the close the entry view is a notice instead of the form. The
//! state comes from core's rule on this browser's clock, as the config may be a cached answer.

use leptos::prelude::*;
use vouch_core::campaign::CampaignPublic;
use vouch_core::i18n::{self, Ui};
use vouch_core::schedule::{Schedule, ScheduleState};
use wasm_bindgen::{JsCast, JsValue};

/// The notice to show instead of the form, if the campaign is not open now.
pub(crate) fn closed_notice(campaign: &CampaignPublic) -> Option<AnyView> {
    let ms = |t: &Option<String>| t.as_deref().map(|t| js_sys::Date::parse(t) as i64);
    let schedule = Schedule { opens_at_ms: ms(&campaign.opens_at), closes_at_ms: ms(&campaign.closes_at) };
    let l = campaign.locale;
    let text = match schedule.state(js_sys::Date::now() as i64) {
        ScheduleState::Open => return None,
        ScheduleState::NotYetOpen => {
            let date = long_date(campaign.opens_at.as_deref().unwrap_or_default(), l.code(), &campaign.timezone);
            i18n::fill(i18n::ui(Ui::OpensOn, l), &[&date])
        }
        ScheduleState::Closed => i18n::ui(Ui::GiveawayEnded, l).to_string(),
    };
    Some(view! { <p class="notice schedule" role="status">{text}</p> }.into_any())
}

/// The date in the shopper's language, in the campaign's time zone when the browser knows it
/// (else the browser's own: `toLocaleDateString` throws on an unknown zone).
fn long_date(rfc3339: &str, lang: &str, zone: &Option<String>) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| js_sys::Reflect::set(&options, &k.into(), &v.into());
    let _ = set("dateStyle", "long");
    if let Some(zone) = zone {
        let _ = set("timeZone", zone);
    }
    let format = js_sys::Reflect::get(&date, &"toLocaleDateString".into()).unwrap_or(JsValue::UNDEFINED);
    let args = js_sys::Array::of2(&lang.into(), &options);
    js_sys::Reflect::apply(format.unchecked_ref::<js_sys::Function>(), &date, &args)
        .ok()
        .and_then(|s: JsValue| s.as_string())
        .unwrap_or_else(|| String::from(date.to_locale_date_string(lang, &JsValue::UNDEFINED)))
}
