//! One widget instance: fetch the campaign's public config, then show its form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::campaign::CampaignPublic;

use crate::api::Api;
use crate::form::EntryForm;

#[component]
pub(crate) fn App(campaign: String, api: String) -> impl IntoView {
    let api = Api {
        base: api,
        campaign,
    };
    let config = RwSignal::new(None::<Result<CampaignPublic, String>>);
    let fetch_api = api.clone();
    spawn_local(async move {
        config.set(Some(
            fetch_api
                .get::<CampaignPublic>("")
                .await
                .map_err(|e| e.message()),
        ));
    });
    move || match config.get() {
        None => view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any(),
        Some(Err(message)) => view! { <p class="notice" role="alert">{message}</p> }.into_any(),
        Some(Ok(campaign)) => view! { <EntryForm api=api.clone() campaign=campaign /> }.into_any(),
    }
}
