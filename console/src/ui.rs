//! Small pieces every page uses: loading data into a signal, showing errors and results.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

/// Data a page loads: `None` while loading.
pub type Loaded<T> = RwSignal<Option<Result<T, ApiError>>>;

/// Runs `fetch` and stores its answer in `into` (cleared first, so "Loading…" shows).
pub fn load<T: Send + Sync + 'static, F: Future<Output = Result<T, ApiError>> + 'static>(into: Loaded<T>, fetch: F) {
    into.set(None);
    spawn_local(async move { into.set(Some(fetch.await)) });
}

/// Renders loaded data with `show`, "Loading…" meanwhile, the error when it failed.
pub fn loaded<T: Clone + Send + Sync + 'static, V: IntoView + 'static>(
    data: Loaded<T>,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView {
    move || match data.get() {
        None => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e.message()}</p> }.into_any(),
        Some(Ok(v)) => show(v).into_any(),
    }
}

/// The result of the last action, read out by screen readers (`aria-live`).
#[derive(Debug, Clone, Copy)]
pub struct Notice(RwSignal<Option<Result<String, String>>>);

impl Notice {
    pub fn new() -> Self {
        Notice(RwSignal::new(None))
    }

    pub fn ok(self, text: impl Into<String>) {
        self.0.set(Some(Ok(text.into())));
    }

    pub fn say_err(self, text: impl Into<String>) {
        self.0.set(Some(Err(text.into())));
    }

    pub fn err(self, e: &ApiError) {
        self.0.set(Some(Err(e.message())));
    }

    pub fn view(self) -> impl IntoView {
        view! {
            <p class="notice" role="status" aria-live="polite"
                class:error=move || matches!(self.0.get(), Some(Err(_)))>
                {move || self.0.get().map(|r| r.unwrap_or_else(|e| e))}
            </p>
        }
    }
}

/// "12 345" style counts are not needed; plain numbers, but a dash for none.
pub fn count(n: u64) -> String {
    n.to_string()
}
