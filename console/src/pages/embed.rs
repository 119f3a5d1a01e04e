//! The snippet a merchant pastes, with a copy button, and the campaign live in a frame.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::campaign_path;
use crate::api::{self, types::Embed as EmbedInfo};
use crate::ui::{load, loaded, Loaded, Notice};

#[component]
pub fn Embed(campaign: String) -> impl IntoView {
    let info: Loaded<EmbedInfo> = RwSignal::new(None);
    load(info, api::get(&campaign_path(&campaign, "/embed")));
    let notice = Notice::new();
    view! {
        <h1>"Embed"</h1>
        {notice.view()}
        {loaded(info, move |e: EmbedInfo| {
            let snippet = StoredValue::new(e.snippet.clone());
            let copy = move |_| {
                let clipboard = window().navigator().clipboard();
                spawn_local(async move {
                    let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&snippet.get_value())).await;
                    match done {
                        Ok(_) => notice.ok("Snippet copied."),
                        Err(_) => notice.say_err("Copying was refused: select the snippet and copy it by hand."),
                    }
                });
            };
            view! {
                <label for="e-snippet">"Paste this into the merchant's page"</label>
                <textarea id="e-snippet" class="code" readonly=true rows="4">{e.snippet.clone()}</textarea>
                <p><button type="button" on:click=copy>"Copy snippet"</button></p>
                {e.hosted_url.map(|u| view! { <p>"Hosted page: " <a href=u.clone() target="_blank" rel="noopener">{u.clone()}</a></p> })}
                {e.preview_url.map(|u| view! {
                    <h2>"Live preview"</h2>
                    <iframe class="preview" src=u title="Live preview of the campaign"></iframe>
                })}
            }
        })}
    }
}
