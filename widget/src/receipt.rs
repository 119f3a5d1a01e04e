//! The receipt photo: local checks with the campaign's limits, a preview, an upload grant from
//! the BFF, and the upload itself with a progress bar and a retry.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::wire::{UploadGrant, UploadGrantRequest};
use vouch_core::{Field, FieldCode};
use web_sys::{File, HtmlInputElement, Url};

use crate::api::Api;
use vouch_core::i18n::{self, Ui};

use crate::form::Model;
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
            let limits = model.rules.with_value(|r| r.upload.clone());
            if let Err(code) = limits.check_type(&chosen.type_()).and_then(|()| limits.check_size(chosen.size() as u64))
            {
                model.set_error(Field::Receipt, Some(code));
                model.upload.set(UploadState::Empty);
                return;
            }
            model.set_error(Field::Receipt, None);
            if let Some(old) = preview.get_untracked() {
                let _ = Url::revoke_object_url(&old);
            }
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
    let on_change = move |ev: leptos::ev::Event| {
        let input = event_target::<HtmlInputElement>(&ev);
        if let Some(chosen) = input.files().and_then(|files| files.get(0)) {
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
            <input
                id="receipt"
                part="input"
                name="receipt"
                type="file"
                accept=accept
                aria-required="true"
                aria-invalid=move || error().is_some().to_string()
                aria-describedby="receipt-error receipt-status"
                on:change=on_change
            />
            <div class="preview-row">
                {move || preview.get().map(|src| view! { <img class="preview" src=src alt=t(Ui::ReceiptPreview) /> })}
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
            </div>
            <p class="error" part="error" id="receipt-error">{error}</p>
        </div>
    }
}

async fn send(api: Api, model: Model, chosen: File, generation: StoredValue<u32>) {
    let mine = generation.get_value();
    let current = move || generation.get_value() == mine;
    model.upload.set(UploadState::Uploading { percent: 0 });
    track(&api.campaign, EventKind::UploadStarted);
    let request = UploadGrantRequest { content_type: chosen.type_(), size: chosen.size() as u64 };
    let grant = match api.post::<_, UploadGrant>("/uploads", &request, None).await {
        Ok(grant) => grant,
        Err(failure) => {
            if current() {
                model.upload.set(UploadState::Failed { message: failure.message(model.locale) });
            }
            return;
        }
    };
    let result = upload(&grant, &chosen, move |fraction| {
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
