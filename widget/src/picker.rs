//! The receipt picker's menu and hint, as markup shared by the three things that draw the receipt
//! field: the loaded field (`crate::receipt`), its placeholder until the chunk is here
//! (`crate::lazy_receipt`) and the server's first-paint copy (`server/src/pages/prerender.rs`).
//! One template (`style/receipt_picker.html`), so the three keep the same boxes and nothing moves
//! when one replaces another.
//!
//! Static markup rather than Leptos' typed view: a disclosure whose two choices are labels of the
//! file inputs, so the browser opens its chooser itself (the typed view of the same elements and
//! their handlers measured 1.4 kB brotli more). Only catalogue strings go in, none with markup.

use vouch_core::i18n::{self, Locale, Ui};

const MENU: &str = include_str!("../../style/receipt_picker.html");

/// The menu ("add a photo": take one or choose a file) and the drop hint, in `locale`.
pub(crate) fn menu(locale: Locale) -> String {
    let t = |key| i18n::ui(key, locale);
    i18n::fill(
        MENU.trim_end(),
        &[t(Ui::AddPhoto), t(Ui::ChangePhoto), t(Ui::TakePhoto), t(Ui::ChooseFile), t(Ui::DropPhoto)],
    )
}
