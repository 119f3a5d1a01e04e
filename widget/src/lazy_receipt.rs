//! LAZY BOUNDARY: the receipt field (picker, preview, S3 upload with progress) is a wasm chunk of
//! its own, fetched once the shopper starts on the form, so the form is usable on fewer bytes.
//!
//! `receipt_view` below is the only split point: whatever code only it reaches (`crate::receipt`,
//! `crate::upload`) is moved out of the bundle by `cargo xtask widget` (wasm-split); everything
//! the rest of the form shares (the `Model`, `UploadState`, the catalogue) stays in the bundle.
//! Until the chunk is there a placeholder with the field's own markup ([`crate::picker`]) stands
//! in, so nothing moves.
//!
//! `fallible` (of `wasm_split_helpers`, which Leptos' own `#[lazy]` does not pass) turns a failed
//! fetch into an `Err` instead of a panic that would abort the whole widget; the failure is not
//! cached, so the placeholder's retry button fetches again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::i18n::{self, Ui};
use vouch_core::Field;
use wasm_split_helpers::{wasm_split, SplitLoaderError};

use crate::api::Api;
use crate::form::Model;
use crate::receipt::{ReceiptField, UploadState};

#[wasm_split(receipt, fallible, preload(preload_receipt))]
fn receipt_view(model: Model, api: Api) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ReceiptField model=model api=api /> }.into_any())
}

/// Where the chunk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Idle,
    Loading,
    Failed,
    Ready,
}

/// How long after the form mounts the chunk is fetched when nobody has touched the form yet
/// (focus, pointer or drag start it at once).
pub(crate) const IDLE_LOAD_MS: u64 = 1_500;

/// One form's receipt field behind the boundary.
#[derive(Clone, Copy)]
pub(crate) struct LazyReceipt {
    chunk: RwSignal<Chunk>,
    model: Model,
    api: StoredValue<Api>,
}

impl LazyReceipt {
    /// A receipt already uploaded (a restored draft) loads at once.
    pub(crate) fn new(model: Model, api: Api) -> Self {
        let lazy = Self { chunk: RwSignal::new(Chunk::Idle), model, api: StoredValue::new(api) };
        if matches!(model.upload.get_untracked(), UploadState::Done { .. }) {
            lazy.load();
        }
        lazy
    }

    /// Fetches the chunk unless it is here or on its way (after a failure, fetches again).
    pub(crate) fn load(self) {
        // `try_`: the form may be gone (a verdict, a closed page) by the time a timer fires.
        if matches!(self.chunk.try_get_untracked(), None | Some(Chunk::Loading | Chunk::Ready)) {
            return;
        }
        self.chunk.set(Chunk::Loading);
        spawn_local(async move {
            let loaded = preload_receipt().await.is_ok();
            self.chunk.try_set(if loaded { Chunk::Ready } else { Chunk::Failed });
        });
    }

    /// The receipt field, or its placeholder while the chunk loads (with a retry after a
    /// failure). The placeholder has the field's size, so nothing moves when it is replaced.
    pub(crate) fn render(self) -> impl IntoView {
        let model = self.model;
        let t = move |key| i18n::ui(key, model.locale);
        let error = move || model.error(Field::Receipt);
        move || {
            match self.chunk.get() {
            Chunk::Ready => self.made_now().unwrap_or_else(|| ().into_any()),
            state => view! {
                // The loaded field's markup without its inputs (out of the flow, so they take no
                // room, and absent so that nothing picks a file no handler would see); inert.
                <div class="field receipt" part="field" aria-busy="true" class:invalid=move || error().is_some()>
                    <label for="receipt" part="label">{t(Ui::ReceiptPhoto)}</label>
                    <div class="drop" inert>
                        <div class="picker" inner_html=crate::picker::menu(model.locale)></div>
                    </div>
                    <div class="upload-status" id="receipt-status" aria-live="polite">
                        {(state == Chunk::Failed).then(|| view! {
                            <span class="failed">{t(Ui::Unreachable)}</span>
                            <button type="button" class="secondary retry" on:click=move |_| self.load()>{t(Ui::RetryUpload)}</button>
                        })}
                    </div>
                    <p class="error" part="error" id="receipt-error">{error}</p>
                </div>
            }
            .into_any(),
        }
        }
    }

    /// The chunk's view, made here and now, in the form's reactive scope (as often as the form
    /// shows it again: "enter another receipt"). Once the chunk is loaded the split call's future
    /// is ready at its first poll, so no `Suspend` is needed (it cost 3 kB of bundle).
    fn made_now(self) -> Option<AnyView> {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let api = self.api.try_get_value()?;
        let mut call = std::pin::pin!(receipt_view(self.model, api));
        match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(view)) => Some(view),
            _ => None,
        }
    }
}
