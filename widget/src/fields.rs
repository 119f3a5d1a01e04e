//! The form's inputs, static markup from `vouch_core::form_markup` wired by id: each checks its
//! rule when the shopper leaves it and shows its error; and the error summary announced to screen
//! readers when a submit is refused.

use leptos::prelude::*;
use vouch_core::form_markup::{Prefill, TEXT_FIELDS};
use vouch_core::i18n::{self, fill, Ui};
use vouch_core::Field;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::form::{Model, FIELD_ORDER};

/// The static fields are drawn with what the shopper has entered (a restored draft, or the
/// details kept for another entry).
impl Prefill for Model {
    fn text(&self, field: Field) -> String {
        self.value(field).map(|v| v.get_untracked()).unwrap_or_default()
    }
    fn checked(&self, id: &str) -> bool {
        self.check_box(id).is_some_and(|(checked, _)| checked.get_untracked())
    }
}

/// The text field an event came from and its value, if it is one of the form's static text
/// fields (the country is a choice, caught as it changes).
fn text_field(model: Model, ev: &Event) -> Option<(Field, RwSignal<String>)> {
    let id = event_target::<Element>(ev).id();
    let field = TEXT_FIELDS.iter().map(|(field, ..)| *field).find(|f| f.as_str() == id)?;
    Some((field, model.value(field)?))
}

/// A keystroke in a text field. Once flagged, a field re-checks as the shopper fixes it.
pub(crate) fn on_input(model: Model, ev: &Event) {
    let Some((field, value)) = text_field(model, ev) else { return };
    value.set(event_target_value(ev));
    if model.error(field).is_some() {
        model.validate(field);
    }
    model.save_draft();
}

/// A box ticked or a country chosen: checked at once.
pub(crate) fn on_change(model: Model, ev: &Event) {
    let id = event_target::<Element>(ev).id();
    if id == Field::Country.as_str() {
        model.country.set(event_target_value(ev));
        model.validate(Field::Country);
    } else if let Some((checked, field)) = model.check_box(&id) {
        checked.set(event_target_checked(ev));
        if let Some(field) = field {
            model.validate(field);
        }
    } else {
        return; // the receipt's own inputs, or a text field's change (its input came first)
    }
    model.save_draft();
}

/// A text field left: checked, unless the shopper only passed through an empty one.
pub(crate) fn on_focusout(model: Model, ev: &Event) {
    let Some((field, value)) = text_field(model, ev) else { return };
    if !value.get_untracked().trim().is_empty() || model.error(field).is_some() {
        model.validate(field);
    }
}

/// Draws every static field's error: its line, its `invalid` row and its input's `aria-invalid`.
/// Run as an effect, so it follows the errors as they change. The receipt draws its own.
pub(crate) fn show_errors(model: Model, form: &Element) {
    for field in FIELD_ORDER.into_iter().filter(|f| *f != Field::Receipt) {
        let id = field.as_str();
        let Ok(Some(line)) = form.query_selector(&format!("#{id}-error")) else { continue };
        let error = model.error(field);
        line.set_text_content(error);
        if let Some(row) = line.parent_element() {
            let _ = row.class_list().toggle_with_force("invalid", error.is_some());
        }
        if let Ok(Some(input)) = form.query_selector(&format!("#{id}")) {
            let _ = input.set_attribute("aria-invalid", if error.is_some() { "true" } else { "false" });
        }
    }
}

/// Lists what blocks the submit; each item moves focus to its field.
#[component]
pub(crate) fn ErrorSummary(model: Model) -> impl IntoView {
    let items = move || model.errors.get();
    let l = model.locale;
    let heading = move || match items().len() {
        1 => i18n::ui(Ui::OneFieldNeedsAttention, l).to_string(),
        n => fill(i18n::ui(Ui::FieldsNeedAttention, l), &[&n.to_string()]),
    };
    view! {
        <Show when=move || model.show_summary.get() && !model.errors.with(Vec::is_empty)>
            <div class="summary" role="alert">
                <p>{heading}</p>
                <ul>
                    {move || items().into_iter().map(|e| {
                        let target = e.field.as_str();
                        view! {
                            <li><button type="button" class="link" on:click=move |ev| focus_in_root(&ev, target)>
                                {i18n::field_label(e.field, l)}": "{i18n::field_code(e.code, l)}
                            </button></li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}

/// Focuses the element with `id` in the shadow root the event came from.
fn focus_in_root(ev: &leptos::ev::MouseEvent, id: &str) {
    let root = event_target::<web_sys::Node>(ev).get_root_node();
    let target = root
        .dyn_ref::<web_sys::ShadowRoot>()
        .and_then(|r| r.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = target {
        let _ = el.focus();
    }
}
