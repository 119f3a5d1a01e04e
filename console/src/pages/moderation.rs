//! The moderation queue: one receipt at a time, large, with its near-duplicate beside it. Keys:
//! `a` approves, `r` then a digit rejects with that reason; the next item shows at once (the
//! queue is fetched ahead and refilled in the background).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::campaign_path;
use crate::api::{self, enc, types::Reason, types::ReviewDecision, types::ReviewItem, types::ReviewPage, ApiError};
use crate::app::can_write;
use crate::ui::Notice;

const BATCH: usize = 20;

/// A reason's code as a label: `wrong_store` → "Wrong store".
fn reason_label(r: &Reason) -> String {
    let text = r.code.replace('_', " ");
    let mut chars = text.chars();
    let label = chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default();
    if r.note_required {
        format!("{label} (needs a note)")
    } else {
        label
    }
}

#[component]
pub fn Moderation(campaign: String) -> impl IntoView {
    let campaign = StoredValue::new(campaign);
    let queue = RwSignal::new(Vec::<ReviewItem>::new());
    let loaded = RwSignal::new(None::<Result<(), ApiError>>);
    // Entries decided here, so a refill that races a decision does not show them again.
    let done = StoredValue::new(Vec::<String>::new());
    let rejecting = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    // The server's reasons, in the order the digit keys number them.
    let reasons = RwSignal::new(Vec::<Reason>::new());
    let notice = Notice::new();
    let writes = can_write();
    spawn_local(async move {
        match api::get::<Vec<Reason>>(&campaign_path(&campaign.get_value(), "/review/reasons")).await {
            Ok(list) => reasons.set(list),
            Err(e) => notice.err(&e),
        }
    });
    let refill = move || {
        spawn_local(async move {
            let path = campaign_path(&campaign.get_value(), &format!("/review?limit={BATCH}"));
            match api::get::<ReviewPage>(&path).await {
                Ok(page) => {
                    queue.update(|q| {
                        for item in page.items {
                            let id = &item.entry.entry_id;
                            let known = q.iter().any(|i| i.entry.entry_id == *id);
                            if !known && !done.with_value(|d| d.contains(id)) {
                                q.push(item);
                            }
                        }
                    });
                    loaded.set(Some(Ok(())));
                }
                Err(e) => loaded.set(Some(Err(e))),
            }
        });
    };
    refill();
    let decide = move |decision: ReviewDecision| {
        let Some(item) = queue.with_untracked(|q| q.first().cloned()) else { return };
        let entry_id = item.entry.entry_id.clone();
        let path = campaign_path(&campaign.get_value(), &format!("/entries/{}/decision", enc(&entry_id)));
        let verb = match &decision {
            ReviewDecision::Approve => "approved".to_string(),
            ReviewDecision::Reject { reason, .. } => format!("rejected ({})", reason.replace('_', " ")),
        };
        // Optimistic: the next receipt shows now; a refused decision puts the item back.
        done.update_value(|d| d.push(entry_id.clone()));
        queue.update(|q| {
            q.remove(0);
        });
        rejecting.set(false);
        note.set(String::new());
        if queue.with_untracked(Vec::len) < 3 {
            refill();
        }
        spawn_local(async move {
            match api::post::<_, serde_json::Value>(&path, &decision).await {
                Ok(_) => notice.ok(format!("Entry {entry_id} {verb}.")),
                Err(e) => {
                    notice.err(&e);
                    done.update_value(|d| d.retain(|id| *id != entry_id));
                    queue.update(|q| q.insert(0, item));
                }
            }
        });
    };
    let reject = move |reason: Reason| {
        let text = note.get_untracked().trim().to_string();
        if reason.note_required && text.is_empty() {
            notice.say_err(format!(
                "A rejection as “{}” needs a note: write it, then choose the reason again.",
                reason.code.replace('_', " ")
            ));
            if let Some(el) = document().get_element_by_id("mod-note") {
                let _ = wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(&el).focus();
            }
            return;
        }
        decide(ReviewDecision::Reject { reason: reason.code, note: (!text.is_empty()).then_some(text) });
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || !writes.get_untracked() {
            return;
        }
        let key = ev.key();
        match key.as_str() {
            "a" if !rejecting.get_untracked() => decide(ReviewDecision::Approve),
            "r" => rejecting.set(true),
            "Escape" => rejecting.set(false),
            d if rejecting.get_untracked() => {
                let index = d.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
                let pick = index.and_then(|i| reasons.with_untracked(|r| r.get(i).cloned()));
                if let Some(reason) = pick {
                    ev.prevent_default();
                    reject(reason);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let current = move || queue.with(|q| q.first().cloned());
    view! {
        <h1>"Moderation"</h1>
        <p class="muted">{move || if writes.get() {
            "Keys: a approve · r then a digit: reject with that reason · Esc cancel."
        } else {
            "Read only: your role cannot decide."
        }}</p>
        {notice.view()}
        {move || match (loaded.get(), current()) {
            (None, _) => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
            (Some(Err(e)), None) => view! { <p class="error" role="alert">{e.message()}</p> }.into_any(),
            (_, None) => view! { <p role="status">"Nothing waits for review."</p> }.into_any(),
            (_, Some(item)) => view! {
                <section class="review" aria-label="Receipt under review">
                    <p>"Entry " <strong>{item.entry.entry_id.clone()}</strong>
                        {format!(" · {} {} <{}> · {}", item.entry.first_name, item.entry.last_name, item.entry.email, item.entry.accepted_at)}
                        {(!item.case.signals.is_empty()).then(|| format!(" · signals: {}", item.case.signals.join(", ")))}
                        <span class="muted">{move || format!(" · {} waiting", queue.with(Vec::len))}</span></p>
                    <div class="two">
                        <figure>
                            {match item.receipt_url.clone() {
                                Some(src) => {
                                    let href = src.clone();
                                    view! { <a href=href target="_blank" rel="noopener"><img class="receipt" src=src alt="Receipt under review" /></a> }.into_any()
                                }
                                None => view! { <p class="muted">"No receipt stored."</p> }.into_any(),
                            }}
                            <figcaption>"This entry's receipt"</figcaption>
                        </figure>
                        {item.duplicate_receipt_url.clone().map(|src| view! {
                            <figure>
                                <img class="receipt" src=src alt="The near-duplicate receipt" />
                                <figcaption>"Near-duplicate: entry " {item.case.duplicate_of.clone().unwrap_or_default()}</figcaption>
                            </figure>
                        })}
                    </div>
                </section>
            }.into_any(),
        }}
        <Show when=move || writes.get() && current().is_some()>
            <div class="actions">
                <button type="button" on:click=move |_| decide(ReviewDecision::Approve)>"Approve (a)"</button>
                <button type="button" class="secondary" aria-expanded=move || rejecting.get().to_string()
                    on:click=move |_| rejecting.update(|r| *r = !*r)>"Reject… (r)"</button>
            </div>
            <Show when=move || rejecting.get()>
                <fieldset class="reasons">
                    <legend>"Reason"</legend>
                    {move || reasons.get().into_iter().enumerate().map(|(i, r)| {
                        let label = format!("{} {}", i + 1, reason_label(&r));
                        let title = r.shopper_text.clone();
                        view! { <button type="button" class="secondary" title=title on:click=move |_| reject(r.clone())>{label}</button> }
                    }).collect_view()}
                    <label for="mod-note">"Note to the entrant (optional, required for “other”)"</label>
                    <textarea id="mod-note" maxlength=vouch_core::moderation::MAX_NOTE_CHARS.to_string()
                        prop:value=note on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </fieldset>
            </Show>
        </Show>
    }
}
