//! The referrer's panel: join with a name and an e-mail, then share the personal link and follow
//! the progress. The join answer is kept in this browser, so the panel comes back as it was.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::campaign::CampaignPublic;
use vouch_core::conversion::validate_join;
use vouch_core::wire::{Consents, JoinRequest, JoinResponse, ReferralProgress};
use vouch_core::{Field, FieldError};

use vouch_core::i18n::{self, fill, Ui};

use crate::api::{Api, ApiFailure};
use crate::share::SharePanel;
use crate::{json, storage};

fn saved_key(campaign: &str) -> String {
    format!("vouch:referrer:{campaign}")
}

#[component]
pub(crate) fn ReferralPanel(api: Api, campaign: CampaignPublic) -> impl IntoView {
    let l = api.locale;
    let Some(offer) = campaign.referral.clone() else {
        return view! { <p class="notice">{i18n::ui(Ui::NoReferralProgram, l)}</p> }.into_any();
    };
    crate::track::track(&campaign.id, vouch_core::analytics::EventKind::PanelOpen);
    let key = saved_key(&campaign.id);
    let joined = RwSignal::new(storage::get(&key).and_then(|s| json::parse::<JoinResponse>(&s)));
    let name = campaign.name.clone();
    view! {
        <section class="card" part="card" aria-labelledby="vouch-ref-title">
            <h2 id="vouch-ref-title" part="title">{fill(i18n::ui(Ui::GiveGet, l), &[&offer.friend_offer, &offer.referrer_reward])}</h2>
            {move || match joined.get() {
                None => view! { <JoinForm api=api.clone() joined=joined storage_key=key.clone() /> }.into_any(),
                Some(j) => {
                    let message = fill(i18n::ui(Ui::ShareMessage, l), &[&offer.friend_offer, &name]);
                    view! {
                        <p class="intro">{i18n::ui(Ui::ShareIntro, l)}</p>
                        <SharePanel url=j.share_url.clone() message=message locale=l />
                        <Progress api=api.clone() code=j.referral_code.clone() token=j.progress_token.clone() />
                    }
                    .into_any()
                }
            }}
        </section>
    }
    .into_any()
}

#[component]
fn JoinForm(api: Api, joined: RwSignal<Option<JoinResponse>>, storage_key: String) -> impl IntoView {
    let first_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let terms = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let (l, storage) = (api.locale, api.storage);
    let error =
        move |field: Field| errors.with(|e| e.iter().find(|x| x.field == field).map(|x| i18n::field_code(x.code, l)));
    let request = move || JoinRequest {
        first_name: first_name.get_untracked(),
        email: email.get_untracked(),
        consents: Consents { terms: terms.get_untracked(), storage, ..Consents::default() },
        locale: Some(l.code().into()),
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = request();
        if let Err(found) = validate_join(&req) {
            errors.set(found);
            return;
        }
        errors.set(Vec::new());
        busy.set(true);
        let (api, key) = (api.clone(), storage_key.clone());
        spawn_local(async move {
            match api.post::<_, JoinResponse>("/referrers", &req, None).await {
                Ok(answer) => {
                    if let Some(text) = json::stringify(&answer) {
                        storage::set(&key, &text);
                    }
                    joined.set(Some(answer));
                }
                Err(ApiFailure::Http { body: Some(body), .. }) if !body.error.fields.is_empty() => {
                    errors.set(body.error.fields.into_iter().map(|f| FieldError::new(f.field, f.code)).collect());
                }
                Err(failure) => notice.set(Some(failure.message(l))),
            }
            busy.set(false);
        });
    };
    let field = move |id: &'static str, kind: &'static str, value: RwSignal<String>, f: Field| {
        view! {
            <div class="field" part="field" class:invalid=move || error(f).is_some()>
                <label for=id part="label">{i18n::field_label(f, l)}</label>
                <input id=id part="input" type=kind prop:value=move || value.get() aria-invalid=move || error(f).is_some().to_string()
                    aria-describedby=format!("{id}-error") on:input=move |ev| value.set(event_target_value(&ev)) />
                <p class="error" part="error" id=format!("{id}-error")>{move || error(f)}</p>
            </div>
        }
    };
    view! {
        <form novalidate on:submit=on_submit>
            <p class="intro">{i18n::ui(Ui::JoinIntro, l)}</p>
            {field("ref_first_name", "text", first_name, Field::FirstName)}
            {field("ref_email", "email", email, Field::Email)}
            <div class="field check" class:invalid=move || error(Field::Terms).is_some()>
                <input type="checkbox" id="ref_terms" prop:checked=move || terms.get()
                    aria-invalid=move || error(Field::Terms).is_some().to_string() aria-describedby="ref_terms-error"
                    on:change=move |ev| terms.set(event_target_checked(&ev)) />
                <label for="ref_terms">{i18n::ui(Ui::ReferralTerms, l)}</label>
                <p class="error" id="ref_terms-error">{move || error(Field::Terms)}</p>
            </div>
            <p class="notice" role="status">{move || notice.get()}</p>
            <button type="submit" class="submit" part="submit" aria-disabled=move || busy.get().to_string()>{i18n::ui(Ui::GetMyLink, l)}</button>
        </form>
    }
}

#[component]
fn Progress(api: Api, code: String, token: Option<String>) -> impl IntoView {
    let l = api.locale;
    let Some(token) = token else {
        return view! { <p class="muted">{i18n::ui(Ui::ProgressElsewhere, l)}</p> }.into_any();
    };
    let progress = RwSignal::new(None::<ReferralProgress>);
    let load = move || {
        let (api, code, token) = (api.clone(), code.clone(), token.clone());
        spawn_local(async move {
            if let Ok(p) = api.get_with_token::<ReferralProgress>(&format!("/referrers/{code}/progress"), &token).await
            {
                progress.set(Some(p));
            }
        });
    };
    load();
    view! {
        <div class="progress" aria-live="polite">
            <h3>{i18n::ui(Ui::YourProgress, l)}</h3>
            {move || progress.get().map(|p| view! {
                <dl>
                    <div><dt>{i18n::ui(Ui::FriendsVisited, l)}</dt><dd data-stat="friends">{p.friends_joined}</dd></div>
                    <div><dt>{i18n::ui(Ui::Purchases, l)}</dt><dd data-stat="conversions">{p.conversions}</dd></div>
                    <div><dt>{i18n::ui(Ui::RewardsPending, l)}</dt><dd data-stat="pending">{p.rewards_pending}</dd></div>
                    <div><dt>{i18n::ui(Ui::RewardsEarned, l)}</dt><dd data-stat="earned">{p.rewards_earned}</dd></div>
                    {p.bonus_entries.map(|bonus| view! {
                        <div><dt>{i18n::ui(Ui::BonusEntries, l)}</dt><dd data-stat="bonus">{bonus}</dd></div>
                    })}
                </dl>
                {(!p.reward_codes.is_empty() || p.reward_codes_pending > 0).then(|| view! {
                    <div class="reward-codes">
                        <h4>{i18n::ui(Ui::RewardCodes, l)}</h4>
                        <ul>{p.reward_codes.iter().map(|c| view! { <li class="code" data-code="reward">{c.clone()}</li> }).collect_view()}</ul>
                        {(p.reward_codes_pending > 0).then(|| view! { <p data-code="pending">{i18n::ui(Ui::CodeFollows, l)}</p> })}
                    </div>
                })}
            })}
            <button type="button" class="secondary" on:click=move |_| load()>{i18n::ui(Ui::Refresh, l)}</button>
        </div>
    }
    .into_any()
}
