//! Which language this widget asks for. The server answers in the campaign's language when the
//! merchant fixed one; the strings live in the core catalogue, next to the validation messages.

use vouch_core::i18n::Locale;

/// The host page's choice (`data-vouch-locale`, also what the Facebook tab sets from the
/// viewer's locale), else the browser's.
pub(crate) fn preferred(host: Option<&str>) -> Locale {
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    Locale::negotiate([host, browser.as_deref()])
}
