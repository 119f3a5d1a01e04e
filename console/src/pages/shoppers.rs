//! Shoppers (owners): a shopper's data on request. "Export" shows what is held and offers the
//! JSON (with links to the receipts, valid for a few minutes) as a download; "Erase" asks for the
//! address typed again, then shows the report. The address goes in the request body, never in
//! this page's URL.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::api::{self, types::ShopperRequest};
use crate::ui::Notice;

/// The JSON as a file the browser downloads (a Blob link: nothing leaves the page again).
fn download_url(json: &Value) -> Option<String> {
    let text = serde_json::to_string_pretty(json).ok()?;
    let parts = js_sys::Array::of1(&text.into());
    let blob = web_sys::Blob::new_with_str_sequence(&parts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// "entries 1 · receipts 1 · …" of the kinds held, in the order the server sends them.
fn summary(counts: &Value) -> Vec<(String, u64)> {
    counts
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.replace('_', " "), v.as_u64().unwrap_or(0))).collect())
        .unwrap_or_default()
}

#[component]
pub fn Shoppers() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let campaign = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let exported = RwSignal::new(None::<Value>);
    let erased = RwSignal::new(None::<Value>);
    let asking = RwSignal::new(false);
    let notice = Notice::new();
    let request = move || ShopperRequest {
        email: email.get_untracked().trim().to_string(),
        campaign: Some(campaign.get_untracked().trim().to_string()).filter(|c| !c.is_empty()),
    };
    let export = move |_| {
        let body = request();
        erased.set(None);
        spawn_local(async move {
            match api::post::<_, Value>("/shoppers/export", &body).await {
                Ok(v) => {
                    notice.ok("Export ready.");
                    exported.set(Some(v));
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    let erase = move |_| {
        let body = request();
        exported.set(None);
        spawn_local(async move {
            match api::post::<_, Value>("/shoppers/erase", &body).await {
                Ok(v) => {
                    notice.ok("Erased.");
                    asking.set(false);
                    confirm.set(String::new());
                    erased.set(Some(v));
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    let confirmed = move || {
        let typed = confirm.get();
        !typed.trim().is_empty() && typed.trim().eq_ignore_ascii_case(email.get().trim())
    };
    view! {
        <h1>"Shoppers"</h1>
        <p class="muted">"Export or erase everything held about one e-mail address (GDPR Art. 15, 17, 20). Every use is in the audit log."</p>
        <form class="stack" on:submit=|ev| ev.prevent_default()>
            <label>"E-mail " <input type="email" name="email" autocomplete="off" required
                prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) /></label>
            <label>"Campaign (optional: all when empty) " <input type="text" name="campaign" autocomplete="off"
                prop:value=campaign on:input=move |ev| campaign.set(event_target_value(&ev)) /></label>
            <button type="button" on:click=export>"Export"</button>
            <button type="button" class="danger" on:click=move |_| asking.set(true)>"Erase…"</button>
        </form>
        {notice.view()}
        <Show when=move || asking.get()>
            <section aria-labelledby="h-erase" class="confirm">
                <h2 id="h-erase">"Erase this shopper?"</h2>
                <p>"Entries, referrer records, receipts and mails are removed or anonymised; credits keep their amounts. This cannot be undone."</p>
                <label>"Type the e-mail again to confirm " <input type="email" name="confirm" autocomplete="off"
                    prop:value=confirm on:input=move |ev| confirm.set(event_target_value(&ev)) /></label>
                <button type="button" class="danger" prop:disabled=move || !confirmed() on:click=erase>"Erase for good"</button>
                <button type="button" class="secondary" on:click=move |_| asking.set(false)>"Cancel"</button>
            </section>
        </Show>
        {move || exported.get().map(|v| {
            if v["nothing_held"] == Value::Bool(true) {
                return view! { <p class="held" role="status">"Nothing held about this address."</p> }.into_any();
            }
            let marketing = match v["marketing_consent"].as_bool() {
                Some(true) => "given",
                Some(false) => "not given",
                None => "no consent record",
            };
            let href = download_url(&v).unwrap_or_default();
            view! {
                <section aria-labelledby="h-held" class="held">
                    <h2 id="h-held">"What is held"</h2>
                    <dl>
                        {summary(&v["held"]).into_iter().map(|(k, n)| view! { <dt>{k}</dt><dd>{n}</dd> }).collect_view()}
                        <dt>"marketing consent"</dt><dd>{marketing}</dd>
                    </dl>
                    <a class="button" href=href download="shopper-export.json">"Download JSON"</a>
                    <p class="muted">"Receipt links in the file work for 5 minutes."</p>
                </section>
            }.into_any()
        })}
        {move || erased.get().map(|r| {
            let text = if r["nothing_held"] == Value::Bool(true) {
                "Nothing held about this address. The request is logged.".to_string()
            } else {
                format!(
                    "Erased: {} entries, {} referrer records, {} credits anonymised, {} receipts deleted, {} mails.",
                    r["entries"], r["referrers"], r["credits"], r["objects"], r["mails"]
                )
            };
            view! { <p class="held" role="status">{text}</p> }
        })}
    }
}
