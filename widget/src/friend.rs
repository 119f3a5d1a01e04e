//! The friend's side: "Anna gave you 10 % off", and one visit counted per device for Anna's
//! progress (only when the page allows storage).

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use vouch_core::wire::ReferrerLanding;

use vouch_core::i18n::{self, Ui};

use crate::api::{random_key, Api};
use crate::storage;

#[derive(Serialize)]
struct Visit {
    visitor: String,
}

#[component]
pub(crate) fn FriendOffer(api: Api, code: String, offer: String, consent: bool) -> impl IntoView {
    let landing = RwSignal::new(None::<ReferrerLanding>);
    let gave_you = i18n::ui(Ui::GaveYou, api.locale);
    let lang = api.locale;
    spawn_local(async move {
        // Only a stored visitor key asks for a code handed out at landing: the same device then
        // sees the same code on every visit.
        let visitor = consent.then(|| {
            let visitor = storage::get("vouch:visitor").unwrap_or_else(random_key);
            storage::set("vouch:visitor", &visitor);
            visitor
        });
        let path = match &visitor {
            Some(v) => format!("/referrers/{code}?visitor={v}"),
            None => format!("/referrers/{code}"),
        };
        let Ok(found) = api.get::<ReferrerLanding>(&path).await else { return };
        landing.set(Some(found));
        let seen = format!("vouch:seen:{code}");
        if let Some(visitor) = visitor.filter(|_| storage::get(&seen).is_none()) {
            let body = Visit { visitor };
            if api.post::<_, ()>(&format!("/referrers/{code}/visits"), &body, None).await.is_ok() {
                storage::set(&seen, "1");
            }
        }
    });
    move || {
        landing.get().map(|l| {
            view! {
                <p class="friend-offer" data-state="friend-offer">
                    <strong>{l.first_name.clone()}</strong>{gave_you}{offer.clone()}"."
                </p>
                {l.friend_code.clone().map(|c| view! {
                    <p class="code" data-code="friend">{i18n::fill(i18n::ui(Ui::YourCode, lang), &[&c])}</p>
                })}
            }
        })
    }
}
