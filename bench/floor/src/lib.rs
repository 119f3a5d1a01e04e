//! The least a Leptos form can be: mounted into `#floor` on the benchmark's copy of the demo
//! merchant page, usable when `#first_name` is on the page (as the widget's form is measured).

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

#[wasm_bindgen(start)]
pub fn start() {
    let Some(host) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("floor")) else {
        return;
    };
    leptos::mount::mount_to(host.unchecked_into(), || {
        let name = RwSignal::new(String::new());
        view! {
            <form>
                <label for="first_name">"First name"</label>
                <input id="first_name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
                <Show when=move || !name.get().is_empty()>
                    <p>"Hello, " {move || name.get()}</p>
                </Show>
            </form>
        }
    })
    .forget();
}
