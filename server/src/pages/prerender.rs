//! The giveaway form as static markup in a declarative shadow root, so the hosted page and the
//! Facebook tab show it at first paint instead of after the wasm. Its fields are the widget's own
//! markup (`vouch_core::form_markup`); its frame and receipt placeholder match `widget/src/form.rs`
//! and `lazy_receipt.rs` element for element, with the widget's CSS,
//! so the widget can replace it without moving a pixel; `inert` until then. Playwright compares
//! every box before and after the swap (`end2end/tests/first_paint.spec.ts`).

use vouch_core::campaign::CampaignPublic;
use vouch_core::form_markup::{self, esc, Blank};
use vouch_core::i18n::{self, Ui};
use vouch_core::schedule::ScheduleState;

const CSS: &str = include_str!("../../../style/widget.css");
/// The receipt picker's menu, the same template the widget fills (`widget/src/picker.rs`).
const PICKER: &str = include_str!("../../../style/receipt_picker.html");
/// Without JavaScript the form could never be sent: the page's `<noscript>` copy stands alone.
const NO_SCRIPT: &str = "@media (scripting: none) { :host { display: none !important; } }";
/// A page arrives in pieces, and the browser may paint before the last: a half-parsed form would
/// grow (the picker's hint after its menu, centred in the drop zone) and shift. Hidden until the
/// parser reaches its last element, the form is only ever drawn whole.
const WHOLE: &str = ".vouch[inert]:not(:has(.submit)) { visibility: hidden; }";

/// The `<template shadowrootmode="open">` for the entry form, or nothing when the widget would not
/// show the form (a campaign not open now shows a notice, drawn by the widget).
pub fn entry_form(public: &CampaignPublic) -> String {
    if public.state != ScheduleState::Open {
        return String::new();
    }
    let copy = &public.copy;
    // The widget's own fields (`vouch_core::form_markup`), in the same wrappers as the widget's.
    let form = format!(
        "<div class=\"part\">{}</div>{}<div class=\"part\">{}</div>",
        form_markup::before_receipt(public, &Blank),
        receipt(public),
        form_markup::after_receipt(public, &Blank),
    );
    format!(
        "<template shadowrootmode=\"open\"><style>{CSS}{NO_SCRIPT}{WHOLE}</style><div class=\"vouch\" inert>\
         <style>:host {{ {theme} }}</style>\
         <section class=\"card\" part=\"card\" aria-labelledby=\"vouch-title\">\
         <h2 id=\"vouch-title\" part=\"title\">{title}</h2><p class=\"intro\">{intro}</p><form novalidate>{form}\
         <p class=\"notice\" role=\"status\"></p>\
         <button type=\"submit\" class=\"submit\" part=\"submit\" aria-disabled=\"false\">{submit}</button>\
         </form></section></div></template>",
        // Checked when the campaign loads (`Theme::unsafe_value`): no value can end the style.
        theme = public.theme,
        title = esc(&copy.title),
        intro = esc(&copy.intro),
        submit = esc(&copy.submit_label),
    )
}

/// What the widget draws until its receipt chunk is here (`widget/src/lazy_receipt.rs`): the
/// picker's shared template, without the file inputs (out of the flow: they take no room).
fn receipt(public: &CampaignPublic) -> String {
    let l = public.locale;
    let t = |key| esc(i18n::ui(key, l));
    let menu = i18n::fill(
        PICKER.trim_end(),
        &[&t(Ui::AddPhoto), &t(Ui::ChangePhoto), &t(Ui::TakePhoto), &t(Ui::ChooseFile), &t(Ui::DropPhoto)],
    );
    format!(
        "<div class=\"field receipt\" part=\"field\" aria-busy=\"true\"><label for=\"receipt\" part=\"label\">{label}</label>\
         <div class=\"drop\" inert><div class=\"picker\">{menu}</div></div>\
         <div class=\"upload-status\" id=\"receipt-status\" aria-live=\"polite\"></div>\
         <p class=\"error\" part=\"error\" id=\"receipt-error\"></p></div>",
        label = t(Ui::ReceiptPhoto),
    )
}

/// The config as JSON inside `<script type="application/json">`: `<` only occurs inside JSON
/// strings, where `\u003c` means the same, so no value can close the script element.
pub fn config_script(public: &CampaignPublic) -> String {
    let json = serde_json::to_string(public).unwrap_or_else(|_| "null".into()).replace('<', "\\u003c");
    format!("<script type=\"application/json\">{json}</script>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::parse;
    use vouch_core::i18n::Locale;

    fn public(toml: &str, locale: Locale) -> CampaignPublic {
        let campaign = parse(toml).unwrap();
        let mut public = campaign.public_in(locale);
        public.state = ScheduleState::Open;
        public
    }

    #[test]
    fn the_config_cannot_close_its_script_element() {
        let p = public("id = \"x\"\nname = \"</script><script>alert(1)</script>\"\nallowed_origins = []\n", Locale::En);
        let script = config_script(&p);
        assert_eq!(script.matches("</script>").count(), 1, "{script}");
        let json = script.trim_start_matches("<script type=\"application/json\">").trim_end_matches("</script>");
        let back: CampaignPublic = serde_json::from_str(json).unwrap();
        assert_eq!(back.name, "</script><script>alert(1)</script>");
    }

    #[test]
    fn the_form_speaks_the_page_language_and_shows_only_the_fields_the_campaign_asks_for() {
        let toml =
            "id = \"x\"\nname = \"X\"\nallowed_origins = []\n[form]\nphone = \"optional\"\npostal_code = \"hidden\"\n";
        let html = entry_form(&public(toml, Locale::De));
        assert!(html.starts_with("<template shadowrootmode=\"open\">"));
        assert!(html.contains("<div class=\"vouch\" inert>"), "inert until the widget mounts");
        assert!(html.contains(">Vorname</label>"), "{html}");
        assert!(html.contains("id=\"phone\""));
        assert!(html.contains("<span class=\"optional\">"), "phone is optional");
        assert!(!html.contains("id=\"postal_code\""), "hidden fields are left out");
        assert!(!html.contains("id=\"country\""), "no country list, no select");
        assert!(html.contains(&format!("<span class=add>{}</span>", i18n::ui(Ui::AddPhoto, Locale::De))), "{html}");
        assert!(html.contains("<div class=\"drop\" inert><div class=\"picker\"><details>"), "the new picker's markup");
        assert!(!html.contains("type=\"file\""), "no file input until the widget's chunk brings one");
    }

    #[test]
    fn a_closed_campaign_gets_no_prerendered_form() {
        let mut p = public("id = \"x\"\nname = \"X\"\nallowed_origins = []\n", Locale::En);
        p.state = ScheduleState::Closed;
        assert_eq!(entry_form(&p), "");
    }
}
