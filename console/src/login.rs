//! The login form: e-mail and password, one answer for unknown e-mail and wrong password (the
//! server's), the lockout message with its wait.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, types::Login as LoginBody, types::Me};

#[component]
pub fn Login(me: RwSignal<Option<Me>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let body = LoginBody { email: &email.get_untracked(), password: &password.get_untracked() };
            let result = api::post::<_, Me>("/session", &body).await;
            busy.set(false);
            match result {
                Ok(m) => {
                    password.set(String::new());
                    api::set_csrf(Some(m.csrf_token.clone()));
                    me.set(Some(m));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <main class="login" id="main">
            <form class="card" on:submit=submit novalidate=false>
                <h1>"Vouch console"</h1>
                <p class="muted">"Log in with your operator account."</p>
                <label for="login-email">"E-mail"</label>
                <input id="login-email" name="email" type="email" autocomplete="username" required=true autofocus=true
                    prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) />
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password" required=true
                    prop:value=password on:input=move |ev| password.set(event_target_value(&ev)) />
                <p class="error" id="login-error" role="alert">{move || error.get()}</p>
                <button type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </main>
    }
}
