//! The entry form's fields as HTML, written once for both sides: the widget inserts it and wires
//! its inputs by id (one set of listeners on the form, see `widget/src/fields.rs`); the server
//! draws it in the hosted page's declarative shadow root before the wasm arrives
//! (`server/src/pages/prerender.rs`). Static markup instead of a view per field keeps the widget's
//! start-up short: a browser parses this faster than wasm can build it node by node, and the
//! bundle carries one string builder instead of a component per kind of field.
//!
//! The receipt field sits between the two halves; it is the widget's own view (a lazy chunk).

use std::fmt::Write;

use crate::campaign::CampaignPublic;
use crate::form::Requirement;
use crate::i18n::{self, Locale, Ui};
use crate::Field;

/// What the shopper has already entered (a restored draft), so the markup is drawn filled in.
pub trait Prefill {
    /// A text field's value (also the country's code and the date's `YYYY-MM-DD`).
    fn text(&self, field: Field) -> String;
    /// Whether the checkbox with this id is ticked.
    fn checked(&self, id: &str) -> bool;
}

/// An empty form: the server's first paint.
pub struct Blank;

impl Prefill for Blank {
    fn text(&self, _: Field) -> String {
        String::new()
    }
    fn checked(&self, _: &str) -> bool {
        false
    }
}

/// The text inputs in form order, with their `type` and `autocomplete`.
pub const TEXT_FIELDS: [(Field, &str, &str); 6] = [
    (Field::FirstName, "text", "given-name"),
    (Field::LastName, "text", "family-name"),
    (Field::Email, "email", "email"),
    (Field::Phone, "tel", "tel"),
    (Field::PostalCode, "text", "postal-code"),
    (Field::DateOfBirth, "date", "bday"),
];

/// The id of the marketing box, the one box that no rule checks (so no [`Field`] names it).
pub const MARKETING: &str = "marketing";

/// Escapes text for HTML element content and double-quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Everything above the receipt: names, contact details, country, date of birth.
pub fn before_receipt(public: &CampaignPublic, filled: &dyn Prefill) -> String {
    let mut out = String::new();
    let [first, last, email, phone, postal, birth] = TEXT_FIELDS;
    out.push_str("<div class=\"row\">");
    text_field(&mut out, public, filled, first);
    text_field(&mut out, public, filled, last);
    out.push_str("</div>");
    text_field(&mut out, public, filled, email);
    out.push_str("<div class=\"row\">");
    text_field(&mut out, public, filled, phone);
    text_field(&mut out, public, filled, postal);
    out.push_str("</div>");
    country(&mut out, public, filled);
    text_field(&mut out, public, filled, birth);
    out
}

/// Everything below the receipt: the age confirmation (when asked for), terms and marketing.
pub fn after_receipt(public: &CampaignPublic, filled: &dyn Prefill) -> String {
    let l = public.locale;
    let mut out = String::new();
    if visible(public, Field::AgeConfirmation) {
        let min_age = public.form.min_age.unwrap_or(0).to_string();
        let label = i18n::fill(i18n::ui(Ui::AgeConfirmation, l), &[&min_age]);
        checkbox(&mut out, filled, Field::AgeConfirmation.as_str(), &label);
    }
    checkbox(&mut out, filled, Field::Terms.as_str(), &public.copy.terms_label);
    checkbox(&mut out, filled, MARKETING, &public.copy.marketing_label);
    out
}

fn visible(public: &CampaignPublic, field: Field) -> bool {
    public.form.requirement(field) != Requirement::Hidden
}

fn text_field(
    out: &mut String,
    public: &CampaignPublic,
    filled: &dyn Prefill,
    (field, kind, auto): (Field, &str, &str),
) {
    if !visible(public, field) {
        return;
    }
    let l: Locale = public.locale;
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
         <input id=\"{id}\" part=\"input\" name=\"{id}\" type=\"{kind}\" autocomplete=\"{auto}\" \
         aria-required=\"{required}\" aria-invalid=\"false\" aria-describedby=\"{id}-error\" value=\"{value}\">\
         <p class=\"error\" part=\"error\" id=\"{id}-error\"></p></div>",
        label = esc(i18n::field_label(field, l)),
        required = !optional,
        value = esc(&filled.text(field)),
    );
}

fn checkbox(out: &mut String, filled: &dyn Prefill, id: &str, label: &str) {
    let _ = write!(
        out,
        "<div class=\"field check\" part=\"field\"><input type=\"checkbox\" id=\"{id}\" name=\"{id}\"{checked} \
         aria-invalid=\"false\" aria-describedby=\"{id}-error\"><label for=\"{id}\" part=\"label\">{label}</label>\
         <p class=\"error\" part=\"error\" id=\"{id}-error\"></p></div>",
        checked = if filled.checked(id) { " checked" } else { "" },
        label = esc(label),
    );
}

fn country(out: &mut String, public: &CampaignPublic, filled: &dyn Prefill) {
    if !visible(public, Field::Country) {
        return;
    }
    let chosen = filled.text(Field::Country);
    let options = public.form.countries.iter().fold(String::new(), |mut html, c| {
        let selected = if c.as_str() == chosen { " selected" } else { "" };
        let _ = write!(html, "<option value=\"{0}\"{selected}>{0}</option>", esc(c.as_str()));
        html
    });
    let _ = write!(
        out,
        "<div class=\"field\" part=\"field\"><label for=\"country\" part=\"label\">{label}</label>\
         <select id=\"country\" name=\"country\" part=\"input\" autocomplete=\"country\" aria-invalid=\"false\" \
         aria-describedby=\"country-error\"><option value=\"\">—</option>{options}</select>\
         <p class=\"error\" part=\"error\" id=\"country-error\"></p></div>",
        label = esc(i18n::field_label(Field::Country, public.locale)),
    );
}

#[cfg(test)]
#[path = "form_markup_tests.rs"]
mod tests;
