//! Which language this widget speaks. The strings themselves live in the core catalogue, next to
//! the validation messages, so the server and the widget word every rule the same way.

use leptos::prelude::*;
use vouch_core::i18n::{self, Locale, Ui};

/// The language of the widget being built (provided by `App`).
pub(crate) fn locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

pub(crate) fn t(key: Ui) -> &'static str {
    i18n::ui(key, locale())
}

/// The campaign's language, then the host page's (`data-vouch-locale`, also set by the Facebook
/// tab from the viewer's locale), then the browser's.
pub(crate) fn negotiate(campaign: Option<Locale>, host: Option<&str>) -> Locale {
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    campaign.unwrap_or_else(|| Locale::negotiate([host, browser.as_deref()]))
}
