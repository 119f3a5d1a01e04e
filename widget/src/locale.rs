//! Which language this widget asks for. The server answers in the campaign's language when the
//! merchant fixed one; the strings live in the core catalogue, next to the validation messages.

use vouch_core::i18n::Locale;

/// The host page's choice (`data-vouch-locale`, also what the Facebook tab sets from the
/// viewer's locale), else the browser's.
pub(crate) fn preferred(host: Option<&str>) -> Locale {
    Locale::negotiate([host, browser().as_deref()])
}

/// The same candidates as a `?locale=` list for the server to choose from. The loader sends the
/// identical list when it asks ahead of the wasm, so both get the same answer.
pub(crate) fn candidates(host: Option<&str>) -> String {
    let mut list = host.unwrap_or_default().to_string();
    if let Some(browser) = browser() {
        if !list.is_empty() {
            list.push(',');
        }
        list.push_str(&browser);
    }
    list
}

fn browser() -> Option<String> {
    web_sys::window().and_then(|w| w.navigator().language())
}
