//! Who is logged in decides what shows: nothing until the session is known, then the login form
//! or the console.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, types, types::Me};
use crate::login::Login;
use crate::route;
use crate::shell::Shell;

/// The logged-in operator, for every page (roles decide which buttons show).
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<Option<Me>>);

pub fn use_me() -> Signal<Option<Me>> {
    let Session(me) = expect_context::<Session>();
    me.into()
}

/// Whether the operator may write (viewers may not; the server refuses them anyway).
pub fn can_write() -> Signal<bool> {
    let me = use_me();
    Signal::derive(move || me.with(|m| m.as_ref().is_some_and(types::can_write)))
}

#[component]
pub fn App() -> impl IntoView {
    route::provide();
    let me = RwSignal::new(None::<Me>);
    let known = RwSignal::new(false);
    provide_context(Session(me));
    api::on_unauthorized(move || {
        api::set_csrf(None);
        me.set(None);
    });
    spawn_local(async move {
        if let Ok(m) = api::get::<Me>("/session").await {
            api::set_csrf(Some(m.csrf_token.clone()));
            me.set(Some(m));
        }
        known.set(true);
    });
    view! {
        <Show when=move || known.get() fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            <Show when=move || me.with(Option::is_some) fallback=move || view! { <Login me=me /> }>
                <Shell />
            </Show>
        </Show>
    }
}
