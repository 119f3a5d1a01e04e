//! The console's few client-side routes, kept in the address bar with the History API (the BFF
//! answers every `/admin/…` path with the same page). Seven flat pages do not need a router crate.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Entries,
    Moderation,
    Draw,
    Rewards,
    Embed,
    Stats,
}

impl Page {
    pub const ALL: [Page; 6] = [Page::Entries, Page::Moderation, Page::Draw, Page::Rewards, Page::Embed, Page::Stats];

    pub const fn slug(self) -> &'static str {
        match self {
            Page::Entries => "entries",
            Page::Moderation => "moderation",
            Page::Draw => "draw",
            Page::Rewards => "rewards",
            Page::Embed => "embed",
            Page::Stats => "stats",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Page::Entries => "Entries",
            Page::Moderation => "Moderation",
            Page::Draw => "Draw",
            Page::Rewards => "Rewards",
            Page::Embed => "Embed",
            Page::Stats => "Stats",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Campaigns,
    Queues,
    Shoppers,
    /// A page of one campaign.
    Campaign {
        id: String,
        page: Page,
    },
    Entry {
        campaign: String,
        entry_id: String,
    },
}

impl Route {
    pub fn parse(path: &str) -> Route {
        let rest = path.trim_start_matches("/admin").trim_matches('/');
        let parts: Vec<String> = rest.split('/').map(decode).collect();
        match parts.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["queues"] => Route::Queues,
            ["shoppers"] => Route::Shoppers,
            ["c", id, "entries", entry] => Route::Entry { campaign: id.to_string(), entry_id: entry.to_string() },
            ["c", id, slug] => match Page::ALL.into_iter().find(|p| p.slug() == *slug) {
                Some(page) => Route::Campaign { id: id.to_string(), page },
                None => Route::Campaigns,
            },
            _ => Route::Campaigns,
        }
    }

    pub fn path(&self) -> String {
        let e = crate::api::enc;
        match self {
            Route::Campaigns => "/admin/campaigns".into(),
            Route::Queues => "/admin/queues".into(),
            Route::Shoppers => "/admin/shoppers".into(),
            Route::Campaign { id, page } => format!("/admin/c/{}/{}", e(id), page.slug()),
            Route::Entry { campaign, entry_id } => format!("/admin/c/{}/entries/{}", e(campaign), e(entry_id)),
        }
    }

    /// The campaign this route is about, for the campaign picker.
    pub fn campaign(&self) -> Option<&str> {
        match self {
            Route::Campaign { id, .. } => Some(id),
            Route::Entry { campaign, .. } => Some(campaign),
            _ => None,
        }
    }
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s).map(String::from).unwrap_or_else(|_| s.to_string())
}

fn current_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_default()
}

/// The route signal, following the address bar (back and forward included).
pub fn provide() -> RwSignal<Route> {
    let route = RwSignal::new(Route::parse(&current_path()));
    let on_pop = Closure::<dyn Fn()>::new(move || route.set(Route::parse(&current_path())));
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    }
    on_pop.forget();
    ROUTE.with(|r| r.set(Some(route)));
    route
}

thread_local! {
    // Event handlers run outside any reactive owner, where context is not found: the one route
    // signal of the page is kept here instead.
    static ROUTE: std::cell::Cell<Option<RwSignal<Route>>> = const { std::cell::Cell::new(None) };
}

pub fn use_route() -> RwSignal<Route> {
    ROUTE.with(|r| r.get()).expect("route::provide runs at mount")
}

/// Goes to `to`, adding a history entry.
pub fn go(to: Route) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.push_state_with_url(&JsValue::NULL, "", Some(&to.path()));
    }
    use_route().set(to);
}

/// An in-app link: a real `href` (open in a new tab works), a plain click stays in the app.
#[component]
pub fn Link(to: Route, children: Children, #[prop(optional, into)] class: Option<String>) -> impl IntoView {
    let href = to.path();
    let current = use_route();
    let target = to.clone();
    let aria_current = move || (current.get() == target).then_some("page");
    view! {
        <a href=href class=class aria-current=aria_current on:click=move |ev: leptos::ev::MouseEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                return;
            }
            ev.prevent_default();
            go(to.clone());
        }>{children()}</a>
    }
}
