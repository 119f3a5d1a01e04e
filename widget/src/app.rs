//! One widget instance: fetch the campaign's public config, then show the giveaway form or the
//! referral panel, with the friend's offer on top when the shopper came through a referral link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::campaign::CampaignPublic;
use vouch_core::i18n::{self, Ui};

use crate::api::Api;
#[cfg(feature = "entry")]
use crate::form::EntryForm;
use crate::friend::FriendOffer;
use crate::locale::{candidates, preferred};
use crate::mount::Reveal;
#[cfg(feature = "referral")]
use crate::referral::ReferralPanel;

/// What the host element asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Host {
    pub(crate) campaign: String,
    pub(crate) api: String,
    pub(crate) view: View,
    /// The referral code the loader remembered for this browser.
    pub(crate) friend_code: Option<String>,
    /// Whether the page allows us to store anything.
    pub(crate) consent: bool,
    /// The page asked the visitor first and they agreed: a consent to record with an entry or join.
    pub(crate) storage_given: bool,
    /// `data-vouch-locale`: the page's language choice.
    pub(crate) locale: Option<String>,
}

/// `data-vouch-view`: the giveaway form (default), the referral panel (`referral`), or only a
/// friend's offer (`offer`, for shop pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Entry,
    Referral,
    Offer,
}

impl View {
    /// The loader fetches each host's own bundle; a bundle leaves other kinds of hosts alone (a
    /// page may load several).
    pub(crate) fn in_this_bundle(self) -> bool {
        match self {
            View::Entry => cfg!(feature = "entry"),
            View::Referral => cfg!(feature = "referral"),
            View::Offer => cfg!(feature = "offer"),
        }
    }
}

/// `handed`: the loader's request for the config (see `handoff`); without it, or when it failed,
/// the widget asks itself. `reveal`: called once the first real view is built.
#[component]
pub(crate) fn App(host: Host, handed: Option<js_sys::Promise>, reveal: Reveal) -> impl IntoView {
    let early = preferred(host.locale.as_deref());
    let fetch_api =
        Api { base: host.api.clone(), campaign: host.campaign.clone(), locale: early, storage: host.storage_given };
    let config = RwSignal::new(None::<Result<CampaignPublic, String>>);
    let query = format!("?locale={}", candidates(host.locale.as_deref()));
    // The giveaway form is built in stages, each in a task of its own (see below).
    #[cfg(feature = "entry")]
    let stages = crate::form::Stages { body: RwSignal::new(false), rest: RwSignal::new(false) };
    spawn_local(async move {
        // Reading the config (its JSON) is a task of its own, not part of the mount's.
        #[cfg(feature = "entry")]
        crate::api::sleep(0).await;
        let answer = match handed {
            Some(promise) => crate::handoff::read(promise).await,
            None => None,
        };
        let answer = match answer {
            Some(campaign) => Ok(campaign),
            None => fetch_api.get::<CampaignPublic>(&query).await.map_err(|e| e.message(early)),
        };
        // The form is built in tasks of its own, not in the mount's: its state and card, its
        // frame and first fields, then the rest, so that no task is a long one on a slow phone
        // (much of the code each runs is compiled on its first call; built in one task, the form
        // took over 60 ms at 4x on this machine). It is built out of the document and shown in a
        // later task, in one swap, so the page never shows a loading notice or part of a form.
        #[cfg(feature = "entry")]
        crate::api::sleep(0).await;
        config.set(Some(answer));
        #[cfg(feature = "entry")]
        {
            for stage in [stages.body, stages.rest] {
                crate::api::sleep(0).await;
                stage.set(true);
            }
            crate::api::sleep(0).await;
        }
        reveal.run();
    });
    move || match config.get() {
        None => view! { <p class="loading" aria-busy="true">{i18n::ui(Ui::Loading, early)}</p> }.into_any(),
        Some(Err(message)) => view! { <p class="notice" role="alert">{message}</p> }.into_any(),
        Some(Ok(campaign)) => {
            // The server's pick: the campaign's language, else ours.
            let api = Api {
                base: host.api.clone(),
                campaign: host.campaign.clone(),
                locale: campaign.locale,
                storage: host.storage_given,
            };
            // A :host rule, so the page's own CSS on the host element still wins over the campaign's.
            let theme = format!(":host {{ {} }}", campaign.theme);
            // The offer's words come from the campaign, already in the shopper's language.
            let offer = match (&host.friend_code, &campaign.referral) {
                (Some(code), Some(r)) => Some(view! {
                    <FriendOffer api=api.clone() code=code.clone() offer=r.friend_offer.clone() consent=host.consent />
                }),
                _ => None,
            };
            // A bundle only mounts the views it was built with (see `View::in_this_bundle`).
            let body = match host.view {
                #[cfg(feature = "referral")]
                View::Referral => view! { <ReferralPanel api=api.clone() campaign=campaign /> }.into_any(),
                #[cfg(feature = "entry")]
                View::Entry => match crate::schedule::closed_notice(&campaign) {
                    Some(notice) => notice,
                    None => {
                        view! { <EntryForm api=api.clone() campaign=campaign referral_code=host.friend_code.clone() stages=stages /> }
                            .into_any()
                    }
                },
                _ => ().into_any(),
            };
            view! { <style>{theme}</style> {offer} {body} }.into_any()
        }
    }
}
