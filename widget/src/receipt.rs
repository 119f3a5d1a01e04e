//! The receipt photo: a picker (camera or file, or a drop), local checks with the campaign's
//! limits, a preview, downscaling ([`crate::shrink`]), an upload grant from the BFF, and the
//! upload itself with a progress bar and a retry.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::wire::{UploadGrant, UploadGrantRequest};
use vouch_core::{Field, FieldCode};
use wasm_bindgen::JsCast;
use web_sys::{Element, File, HtmlElement, HtmlInputElement, Url};

use crate::api::Api;
use vouch_core::i18n::{self, Locale, Ui};

use crate::form::Model;
use crate::shrink::prepare;
use crate::track::track;
use crate::upload::upload;
use vouch_core::analytics::EventKind;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum UploadState {
    Empty,
    /// Whole percent sent so far (no floats: formatting them costs ~15 kB of wasm).
    Uploading {
        percent: u8,
    },
    Done {
        upload_id: String,
        name: String,
    },
    Failed {
        message: String,
    },
}

#[component]
pub(crate) fn ReceiptField(model: Model, api: Api) -> impl IntoView {
    let preview = RwSignal::new(None::<String>);
    let file = StoredValue::new(None::<File>);
    // Bumped per chosen file, so a slow earlier upload cannot overwrite a newer one's result.
    let generation = StoredValue::new(0u32);
    let accept = model.rules.with_value(|r| r.upload.content_types.join(","));
    let error = move || model.error(Field::Receipt);
    let t = move |key| i18n::ui(key, model.locale);

    let start = {
        let api = api.clone();
        move |chosen: File| {
            // HEIC passes here to be converted; what is uploaded is checked again in `send`.
            if let Err(code) = model.rules.with_value(|r| r.upload.check_chosen(&chosen.type_())) {
                model.set_error(Field::Receipt, Some(code));
                model.upload.set(UploadState::Empty);
                return;
            }
            model.set_error(Field::Receipt, None);
            if let Some(old) = preview.get_untracked() {
                let _ = Url::revoke_object_url(&old);
            }
            // The chosen file itself, at once: downscaling takes a moment on a phone.
            preview.set(Url::create_object_url_with_blob(&chosen).ok());
            file.set_value(Some(chosen.clone()));
            generation.update_value(|g| *g += 1);
            spawn_local(send(api.clone(), model, chosen, generation));
        }
    };
    let retry = {
        let start = start.clone();
        move |_| {
            if let Some(f) = file.get_value() {
                start(f);
            }
        }
    };
    // Both file inputs' `change` bubbles to the drop zone: one listener for the two.
    let on_change = {
        let start = start.clone();
        move |ev: leptos::ev::Event| {
            let input = event_target::<HtmlInputElement>(&ev);
            if let Some(chosen) = input.files().and_then(|files| files.get(0)) {
                start(chosen);
            }
            // So that choosing the same file again after a failure is a change too.
            input.set_value("");
            if let Some(Ok(Some(menu))) =
                ev.current_target().map(|z| z.unchecked_into::<Element>().query_selector("details"))
            {
                let _ = menu.remove_attribute("open");
            }
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(chosen) = ev.data_transfer().and_then(|d| d.files()).and_then(|files| files.get(0)) {
            start(chosen);
        }
    };
    let percent = move || match model.upload.get() {
        UploadState::Uploading { percent } => u32::from(percent),
        UploadState::Done { .. } => 100,
        _ => 0,
    };
    let showing_progress =
        move || matches!(model.upload.get(), UploadState::Uploading { .. } | UploadState::Done { .. });
    view! {
        <div class="field receipt" part="field" class:invalid=move || error().is_some()>
            <label for="receipt" part="label">{t(Ui::ReceiptPhoto)}</label>
            <div
                class="drop"
                on:change=on_change
                on:keydown=on_key
                on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            >
                {move || preview.get().map(|src| view! { <img class="preview" src=src alt=t(Ui::ReceiptPreview) /> })}
                <div class="picker" inner_html=picker(model.locale)></div>
                <input
                    id="receipt"
                    class="unseen"
                    tabindex="-1"
                    part="input"
                    name="receipt"
                    type="file"
                    accept=accept
                    aria-required="true"
                    aria-invalid=move || error().is_some().to_string()
                    aria-describedby="receipt-error receipt-status"
                />
            </div>
            <div class="upload-status" id="receipt-status" aria-live="polite">
                <Show when=showing_progress>
                    <progress max="100" value=move || percent().to_string() aria-label=t(Ui::UploadProgress)></progress>
                    <span class="percent">{move || format!("{} %", percent())}</span>
                </Show>
                {move || match model.upload.get() {
                    UploadState::Done { name, .. } => Some(view! { <span class="done">{t(Ui::Uploaded)} {name}</span> }.into_any()),
                    UploadState::Failed { message } => Some(view! {
                        <span class="failed">{message}</span>
                        <button type="button" class="secondary retry" on:click=retry.clone()>{t(Ui::RetryUpload)}</button>
                    }.into_any()),
                    _ => None,
                }}
            </div>
            <p class="error" part="error" id="receipt-error">{error}</p>
        </div>
    }
}

/// The shared menu and hint ([`crate::picker`]) and the camera input its first choice opens. The
/// camera is a choice, never forced: phones offer the camera for `accept="image/*"` with
/// `capture`; a HEIC it may return is converted like a chosen one.
fn picker(locale: Locale) -> String {
    crate::picker::menu(locale)
        + "<input id=receipt-camera class=unseen tabindex=-1 aria-hidden=true type=file accept='image/*' capture=environment>"
}

/// Enter or Space on a menu choice (a label, which has no key activation of its own) opens it.
fn on_key(ev: leptos::ev::KeyboardEvent) {
    let key = ev.key();
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else { return };
    if (key == "Enter" || key == " ") && target.tag_name() == "LABEL" {
        ev.prevent_default();
        target.click();
    }
}

async fn send(api: Api, model: Model, chosen: File, generation: StoredValue<u32>) {
    let mine = generation.get_value();
    let current = move || generation.get_value() == mine;
    model.upload.set(UploadState::Uploading { percent: 0 });
    track(&api.campaign, EventKind::UploadStarted);
    let limits = model.rules.with_value(|r| r.upload.clone());
    let blob = prepare(&limits, &chosen).await;
    if !current() {
        return;
    }
    // The grant is for the file actually sent: its size and type, after downscaling.
    if let Err(code) = limits.check_type(&blob.type_()).and_then(|()| limits.check_size(blob.size() as u64)) {
        model.set_error(Field::Receipt, Some(code));
        model.upload.set(UploadState::Empty);
        return;
    }
    let request = UploadGrantRequest { content_type: blob.type_(), size: blob.size() as u64 };
    let grant = match api.post::<_, UploadGrant>("/uploads", &request, None).await {
        Ok(grant) => grant,
        Err(failure) => {
            if current() {
                model.upload.set(UploadState::Failed { message: failure.message(model.locale) });
            }
            return;
        }
    };
    let result = upload(&grant, &blob, &chosen.name(), move |fraction| {
        if current() {
            model.upload.set(UploadState::Uploading { percent: (fraction * 100.0).round().clamp(0.0, 100.0) as u8 });
        }
    })
    .await;
    if !current() {
        return;
    }
    match result {
        Ok(()) => {
            track(&api.campaign, EventKind::UploadDone);
            model.upload.set(UploadState::Done { upload_id: grant.upload_id, name: chosen.name() });
            model.set_error(Field::Receipt, None);
            model.save_draft();
        }
        Err(failure) => {
            if matches!(&failure, crate::upload::UploadFailure::Refused { code } if code == "EntityTooLarge") {
                model.set_error(Field::Receipt, Some(FieldCode::FileTooLarge));
            }
            model.upload.set(UploadState::Failed { message: failure.message(model.locale) });
        }
    }
}
