//! Entries of one campaign: search by e-mail or name, filter by status and date, page by cursor
//! (the server's cursors keep deep pages fast), export the current filter as CSV.

use leptos::prelude::*;

use super::campaign_path;
use crate::api::{self, enc, types::EntryPage, types::EntryStatus};
use crate::route::{Link, Route};
use crate::ui::{load, loaded, Loaded};

const PAGE: u32 = 50;
// What the search filters by (an entry is `accepted` only until the worker decides).
const STATUSES: [EntryStatus; 4] =
    [EntryStatus::Confirmed, EntryStatus::PendingReview, EntryStatus::Approved, EntryStatus::Rejected];

#[derive(Debug, Clone, Default, PartialEq)]
struct Filter {
    q: String,
    status: String,
    from: String,
    to: String,
}

impl Filter {
    /// The query string (without cursor), as the list and the CSV export share it. Dates go as
    /// the date input gives them: the server reads `to`'s day as included.
    fn query(&self) -> String {
        let mut parts = vec![];
        for (k, v) in [("q", &self.q), ("status", &self.status), ("from", &self.from), ("to", &self.to)] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", enc(v.trim())));
            }
        }
        parts.join("&")
    }
}

#[component]
pub fn Entries(campaign: String) -> impl IntoView {
    let campaign = StoredValue::new(campaign);
    let draft = RwSignal::new(Filter::default());
    let applied = RwSignal::new(Filter::default());
    // The cursor of every page shown so far: "previous" pops, "next" pushes.
    let cursors = RwSignal::new(vec![None::<String>]);
    let page: Loaded<EntryPage> = RwSignal::new(None);
    Effect::new(move |_| {
        let filter = applied.get().query();
        let cursor = cursors.with(|c| c.last().cloned().flatten());
        let mut query = format!("limit={PAGE}");
        if !filter.is_empty() {
            query = format!("{query}&{filter}");
        }
        if let Some(c) = cursor {
            query = format!("{query}&cursor={}", enc(&c));
        }
        load(page, api::get(&campaign_path(&campaign.get_value(), &format!("/entries?{query}"))));
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        cursors.set(vec![None]);
        applied.set(draft.get_untracked());
    };
    let csv = move || {
        let q = applied.get().query();
        format!("{}{}?{q}", api::BASE, campaign_path(&campaign.get_value(), "/entries.csv"))
    };
    let next = move || page.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).and_then(|p| p.next_cursor.clone()));
    let field = |label: &'static str,
                 id: &'static str,
                 kind: &'static str,
                 get: fn(&Filter) -> String,
                 set: fn(&mut Filter, String)| {
        view! {
            <label for=id>{label}</label>
            <input id=id type=kind prop:value=move || draft.with(get)
                on:input=move |ev| draft.update(|f| set(f, event_target_value(&ev))) />
        }
    };
    view! {
        <h1>"Entries"</h1>
        <form class="filters" role="search" on:submit=search>
            {field("E-mail or name", "f-q", "search", |f| f.q.clone(), |f, v| f.q = v)}
            <label for="f-status">"Status"</label>
            <select id="f-status" on:change=move |ev| draft.update(|f| f.status = event_target_value(&ev))>
                <option value="">"Any"</option>
                {STATUSES.into_iter().map(|s| view! { <option value=s.as_str()>{s.as_str().replace('_', " ")}</option> }).collect_view()}
            </select>
            {field("From", "f-from", "date", |f| f.from.clone(), |f, v| f.from = v)}
            {field("To (day included)", "f-to", "date", |f| f.to.clone(), |f, v| f.to = v)}
            <button type="submit">"Search"</button>
            <a class="button secondary" href=csv download="">"Export CSV"</a>
        </form>
        <div aria-live="polite">
            {loaded(page, move |p: EntryPage| {
                let id = campaign.get_value();
                if p.entries.is_empty() {
                    return view! { <p role="status">"No entries match."</p> }.into_any();
                }
                view! {
                    <p class="sr-only" role="status">{format!("{} entries shown", p.entries.len())}</p>
                    <table class="grid">
                        <thead><tr>
                            <th scope="col">"Entry"</th><th scope="col">"E-mail"</th><th scope="col">"Name"</th>
                            <th scope="col">"Status"</th><th scope="col">"Received"</th>
                        </tr></thead>
                        <tbody>
                            {p.entries.into_iter().map(|e| {
                                let name = e.display_name();
                                view! {
                                <tr>
                                    <td><Link to=Route::Entry { campaign: id.clone(), entry_id: e.entry_id.clone() }>{e.entry_id.clone()}</Link></td>
                                    <td>{e.email.clone().unwrap_or_default()}</td>
                                    <td>{name}</td>
                                    <td><span class=format!("badge {}", e.status.as_str())>{e.status.as_str().replace('_', " ")}</span></td>
                                    <td>{e.accepted_at.clone().unwrap_or_default()}</td>
                                </tr>
                            }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </div>
        <nav class="pager" aria-label="Pages">
            <button type="button" class="secondary" disabled=move || cursors.with(|c| c.len() < 2)
                on:click=move |_| cursors.update(|c| { c.pop(); })>"Previous"</button>
            <span>{move || format!("Page {}", cursors.with(Vec::len))}</span>
            <button type="button" class="secondary" disabled=move || next().is_none()
                on:click=move |_| if let Some(n) = next() { cursors.update(|c| c.push(Some(n))) }>"Next"</button>
        </nav>
    }
}
