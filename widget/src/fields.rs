//! Labelled inputs that show their rule's error when the shopper leaves them, and the error
//! summary announced to screen readers when a submit is refused.

use leptos::prelude::*;
use vouch_core::form::Requirement;
use vouch_core::Field;
use wasm_bindgen::JsCast;

use vouch_core::i18n::{self, fill, Ui};

use crate::form::Model;

#[component]
pub(crate) fn TextField(
    model: Model,
    field: Field,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "on")] autocomplete: &'static str,
) -> impl IntoView {
    let Some(value) = model.value(field).filter(|_| model.visible(field)) else {
        return ().into_any();
    };
    let id = field.as_str();
    let error_id = format!("{id}-error");
    let optional = model.rules.with_value(|r| r.requirement(field) == Requirement::Optional);
    let error = move || model.error(field);
    let label = i18n::field_label(field, model.locale);
    let optional_mark = i18n::ui(Ui::Optional, model.locale);
    view! {
        <div class="field" part="field" class:invalid=move || error().is_some()>
            <label for=id part="label">{label}{optional.then_some(view! { <span class="optional">{optional_mark}</span> })}</label>
            <input
                id=id
                part="input"
                name=id
                type=kind
                autocomplete=autocomplete
                aria-required=(!optional).to_string()
                aria-invalid=move || error().is_some().to_string()
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| {
                    value.set(event_target_value(&ev));
                    // Once flagged, a field re-checks as the shopper fixes it.
                    if model.error(field).is_some() {
                        model.validate(field);
                    }
                    model.save_draft();
                }
                on:blur=move |_| {
                    if !value.get_untracked().trim().is_empty() || model.error(field).is_some() {
                        model.validate(field);
                    }
                }
            />
            <p class="error" part="error" id=error_id>{error}</p>
        </div>
    }
    .into_any()
}

#[component]
pub(crate) fn Checkbox(model: Model, field: Option<Field>, label: String, checked: RwSignal<bool>) -> impl IntoView {
    let id = field.map_or("marketing", Field::as_str);
    let error_id = format!("{id}-error");
    let error = move || field.and_then(|f| model.error(f));
    view! {
        <div class="field check" part="field" class:invalid=move || error().is_some()>
            <input
                type="checkbox"
                id=id
                name=id
                aria-invalid=move || error().is_some().to_string()
                aria-describedby=error_id.clone()
                prop:checked=move || checked.get()
                on:change=move |ev| {
                    checked.set(event_target_checked(&ev));
                    if let Some(f) = field {
                        model.validate(f);
                    }
                    model.save_draft();
                }
            />
            <label for=id part="label">{label}</label>
            <p class="error" part="error" id=error_id>{error}</p>
        </div>
    }
}

/// The postal country, from the campaign's allow-list (shown only when the campaign has one).
#[component]
pub(crate) fn CountrySelect(model: Model) -> impl IntoView {
    if !model.visible(Field::Country) {
        return ().into_any();
    }
    let field = Field::Country;
    let error = move || model.error(field);
    // The select as markup, its change caught as it bubbles: about 2 kB of bundle less than a
    // view per attribute and option. The codes are two ASCII letters from the ISO list (checked
    // when the campaign loaded), nothing to escape.
    let chosen = model.country.get_untracked();
    let select = model.rules.with_value(|r| {
        let options = r.countries.iter().fold(String::new(), |html, c| {
            let selected = if c.as_str() == chosen { " selected" } else { "" };
            format!("{html}<option value=\"{0}\"{selected}>{0}</option>", c.as_str())
        });
        format!(
            "<select id=\"country\" name=\"country\" part=\"input\" autocomplete=\"country\" \
             aria-describedby=\"country-error\"><option value=\"\">—</option>{options}</select>"
        )
    });
    view! {
        <div class="field" part="field" class:invalid=move || error().is_some()>
            <label for="country" part="label">{i18n::field_label(field, model.locale)}</label>
            <div inner_html=select on:change=move |ev| {
                model.country.set(event_target_value(&ev));
                model.validate(field);
                model.save_draft();
            }></div>
            <p class="error" part="error" id="country-error">{error}</p>
        </div>
    }
    .into_any()
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
