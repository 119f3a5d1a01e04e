//! The giveaway form as static markup in a declarative shadow root, so the hosted page and the
//! Facebook tab show it at first paint instead of after the wasm. It is the widget's own markup
//! (`widget/src/form.rs`, `fields.rs`, `lazy_receipt.rs`) element for element, with the widget's CSS,
//! so the widget can replace it without moving a pixel; `inert` until then. Playwright compares
//! every box before and after the swap (`end2end/tests/first_paint.spec.ts`).

use std::fmt::Write;

use vouch_core::campaign::CampaignPublic;
use vouch_core::form::Requirement;
use vouch_core::i18n::{self, Ui};
use vouch_core::schedule::ScheduleState;
use vouch_core::Field;

use super::page::esc;

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
    let l = public.locale;
    let copy = &public.copy;
    let mut form = String::new();
    form.push_str("<div class=\"row\">");
    text_field(&mut form, public, Field::FirstName, "text", "given-name");
    text_field(&mut form, public, Field::LastName, "text", "family-name");
    form.push_str("</div>");
    text_field(&mut form, public, Field::Email, "email", "email");
    form.push_str("<div class=\"row\">");
    text_field(&mut form, public, Field::Phone, "tel", "tel");
    text_field(&mut form, public, Field::PostalCode, "text", "postal-code");
    form.push_str("</div>");
    country(&mut form, public);
    text_field(&mut form, public, Field::DateOfBirth, "date", "bday");
    receipt(&mut form, public);
    if visible(public, Field::AgeConfirmation) {
        let min_age = public.form.min_age.unwrap_or(0).to_string();
        checkbox(
            &mut form,
            Field::AgeConfirmation.as_str(),
            &i18n::fill(i18n::ui(Ui::AgeConfirmation, l), &[&min_age]),
        );
    }
    checkbox(&mut form, Field::Terms.as_str(), &copy.terms_label);
    checkbox(&mut form, "marketing", &copy.marketing_label);
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

fn visible(public: &CampaignPublic, field: Field) -> bool {
    public.form.requirement(field) != Requirement::Hidden
}

fn text_field(out: &mut String, public: &CampaignPublic, field: Field, kind: &str, autocomplete: &str) {
    if !visible(public, field) {
        return;
    }
    let l = public.locale;
    let id = field.as_str();
    let optional = public.form.requirement(field) == Requirement::Optional;
    let mark = if optional {
        format!("<span class=\"optional\">{}</span>", esc(i18n::ui(Ui::Optional, l)))
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "<div class=\"field\" part=\"field\"><label for=\"{id}\" part=\"label\">{label}{mark}</label>\
         <input id=\"{id}\" part=\"input\" name=\"{id}\" type=\"{kind}\" autocomplete=\"{autocomplete}\" \
         aria-required=\"{required}\" aria-invalid=\"false\" aria-describedby=\"{id}-error\">\
         <p class=\"error\" part=\"error\" id=\"{id}-error\"></p></div>",
        label = esc(i18n::field_label(field, l)),
        required = !optional,
    );
}

fn checkbox(out: &mut String, id: &str, label: &str) {
    let _ = write!(
        out,
        "<div class=\"field check\" part=\"field\"><input type=\"checkbox\" id=\"{id}\" name=\"{id}\" \
         aria-invalid=\"false\" aria-describedby=\"{id}-error\"><label for=\"{id}\" part=\"label\">{label}</label>\
         <p class=\"error\" part=\"error\" id=\"{id}-error\"></p></div>",
        label = esc(label),
    );
}

fn country(out: &mut String, public: &CampaignPublic) {
    if !visible(public, Field::Country) {
        return;
    }
    let options: String =
        public.form.countries.iter().map(|c| format!("<option value=\"{0}\">{0}</option>", esc(c.as_str()))).collect();
    let _ = write!(
        out,
        "<div class=\"field\" part=\"field\"><label for=\"country\" part=\"label\">{label}</label>\
         <div><select id=\"country\" name=\"country\" part=\"input\" autocomplete=\"country\" \
         aria-describedby=\"country-error\"><option value=\"\">—</option>{options}</select></div>\
         <p class=\"error\" part=\"error\" id=\"country-error\"></p></div>",
        label = esc(i18n::field_label(Field::Country, public.locale)),
    );
}

/// What the widget draws until its receipt chunk is here (`widget/src/lazy_receipt.rs`): the
/// picker's shared template, without the file inputs (out of the flow: they take no room).
fn receipt(out: &mut String, public: &CampaignPublic) {
    let l = public.locale;
    let t = |key| esc(i18n::ui(key, l));
    let menu = i18n::fill(
        PICKER.trim_end(),
        &[&t(Ui::AddPhoto), &t(Ui::ChangePhoto), &t(Ui::TakePhoto), &t(Ui::ChooseFile), &t(Ui::DropPhoto)],
    );
    let _ = write!(
        out,
        "<div class=\"field receipt\" part=\"field\" aria-busy=\"true\"><label for=\"receipt\" part=\"label\">{label}</label>\
         <div class=\"drop\" inert><div class=\"picker\">{menu}</div></div>\
         <div class=\"upload-status\" id=\"receipt-status\" aria-live=\"polite\"></div>\
         <p class=\"error\" part=\"error\" id=\"receipt-error\"></p></div>",
        label = t(Ui::ReceiptPhoto),
    );
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
