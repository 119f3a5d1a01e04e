//! The console's frame: skip link, navigation, the campaign picker, who is logged in, logout; and
//! the page the route names.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, types::CampaignSummary};
use crate::app::use_me;
use crate::pages;
use crate::route::{self, use_route, Link, Page, Route};
use crate::ui::{load, Loaded};

/// The campaigns the operator may see, loaded once for the picker and the campaigns page.
#[derive(Debug, Clone, Copy)]
pub struct CampaignList(pub Loaded<Vec<CampaignSummary>>);

#[component]
pub fn Shell() -> impl IntoView {
    let me = use_me();
    let route = use_route();
    let campaigns: Loaded<Vec<CampaignSummary>> = RwSignal::new(None);
    load(campaigns, api::get("/campaigns"));
    provide_context(CampaignList(campaigns));
    // After a navigation, focus goes to the new page's main region (as a page load would).
    let first = StoredValue::new(true);
    Effect::new(move |_| {
        route.track();
        if first.get_value() {
            first.set_value(false);
            return;
        }
        if let Some(main) = document().get_element_by_id("main") {
            let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&main).focus();
        }
    });
    let logout = move |_| {
        spawn_local(async move {
            let _ = api::delete("/session").await;
            api::set_csrf(None);
            // A fresh document: nothing of the session stays in memory, and this history entry
            // becomes the login page, so "back" cannot show what was on screen.
            let _ = window().location().replace("/admin/");
        });
    };
    let picked = move || route.with(|r| r.campaign().map(str::to_string));
    let pick = move |ev| {
        let id = event_target_value(&ev);
        if id.is_empty() {
            return;
        }
        let page = route.with_untracked(|r| match r {
            Route::Campaign { page, .. } => *page,
            _ => Page::Entries,
        });
        route::go(Route::Campaign { id, page });
    };
    let queues = move || me.with(|m| m.as_ref().is_some_and(crate::api::types::sees_queues));
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <span class="brand">"Vouch console"</span>
            <nav aria-label="Main">
                <Link to=Route::Campaigns>"Campaigns"</Link>
                <Show when=queues><Link to=Route::Queues>"Queues"</Link></Show>
                <Show when=queues><Link to=Route::Shoppers>"Shoppers"</Link></Show>
            </nav>
            <label class="picker">
                "Campaign "
                <select on:change=pick prop:value=move || picked().unwrap_or_default()>
                    <option value="">"Choose…"</option>
                    {move || campaigns.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|c| {
                        let selected = picked().as_deref() == Some(c.id.as_str());
                        view! { <option value=c.id.clone() selected=selected>{c.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <span class="who">{move || me.with(|m| m.as_ref().map(|m| format!("{} ({:?})", m.email, m.role).to_lowercase()))}</span>
            <button type="button" class="secondary" on:click=logout>"Log out"</button>
        </header>
        {move || picked().map(|id| view! {
            <nav class="sub" aria-label="Campaign">
                {Page::ALL.into_iter().map(|page| view! {
                    <Link to=Route::Campaign { id: id.clone(), page }>{page.title()}</Link>
                }).collect_view()}
            </nav>
        })}
        <main id="main" tabindex="-1">
            {move || pages::view(route.get())}
        </main>
    }
}
