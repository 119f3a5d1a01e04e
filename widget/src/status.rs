//! After the 202: following the entry's status until the worker's verdict, and showing it.

use leptos::prelude::*;
use vouch_core::wire::{EntryStatus, EntryStatusResponse};

use crate::api::{sleep, Api};
use crate::draft;
use vouch_core::i18n::{self, Ui};

use crate::form::{Model, Phase};

/// Polls the status route: every second at first, then every three, for a few minutes.
pub(crate) async fn follow(api: Api, model: Model, entry_id: String) {
    for round in 0..90 {
        sleep(if round < 20 { 1000 } else { 3000 }).await;
        match model.phase.get_untracked() {
            Phase::Accepted { entry_id: id } | Phase::Reviewing { entry_id: id } if id == entry_id => {}
            _ => return,
        }
        let Ok(status) = api.get::<EntryStatusResponse>(&format!("/entries/{entry_id}")).await else {
            continue;
        };
        match status.status {
            EntryStatus::Accepted => {}
            EntryStatus::PendingReview => model.phase.set(Phase::Reviewing { entry_id: entry_id.clone() }),
            EntryStatus::Confirmed | EntryStatus::Approved => {
                model.phase.set(Phase::Confirmed { code: status.code, code_pending: status.code_pending });
                model.campaign.with_value(|c| draft::clear(c));
                return;
            }
            EntryStatus::Rejected => {
                let l = model.locale;
                let reason = status
                    .reason
                    .map_or_else(|| i18n::ui(Ui::EntryRefused, l), |r| i18n::reject_reason(r, l))
                    .to_string();
                model.phase.set(Phase::Rejected { reason });
                model.campaign.with_value(|c| draft::clear(c));
                return;
            }
        }
    }
}

#[component]
pub(crate) fn StatusPanel(model: Model, confirmed: String) -> impl IntoView {
    let l = model.locale;
    let t = move |key| i18n::ui(key, l);
    view! {
        <div class="status" role="status" aria-live="polite">
            {move || match model.phase.get() {
                Phase::Accepted { .. } => view! {
                    <div data-state="accepted">
                        <p class="big">{t(Ui::EntryReceived)}</p>
                        <p>{t(Ui::CheckingReceipt)}</p>
                    </div>
                }.into_any(),
                Phase::Reviewing { .. } => view! {
                    <div data-state="reviewing">
                        <p class="big">{t(Ui::EntryReceived)}</p>
                        <p>{t(Ui::UnderReview)}</p>
                    </div>
                }.into_any(),
                Phase::Confirmed { code, code_pending } => view! {
                    <div data-state="confirmed">
                        <p class="big">{t(Ui::EntryConfirmed)}</p>
                        <p>{confirmed.clone()}</p>
                        {code.map(|c| view! { <p class="code" data-code="entry">{i18n::fill(t(Ui::YourCode), &[&c])}</p> })}
                        {code_pending.then(|| view! { <p data-code="pending">{t(Ui::CodeFollows)}</p> })}
                        <button type="button" class="secondary" on:click=move |_| model.start_over()>{t(Ui::EnterAnother)}</button>
                    </div>
                }.into_any(),
                Phase::Rejected { reason } => view! {
                    <div data-state="rejected">
                        <p class="big">{t(Ui::EntryNotAccepted)}</p>
                        <p>{reason}</p>
                        <button type="button" class="secondary" on:click=move |_| model.start_over()>{t(Ui::TryAnotherPhoto)}</button>
                    </div>
                }.into_any(),
                Phase::Editing | Phase::Submitting => ().into_any(),
            }}
        </div>
    }
}
