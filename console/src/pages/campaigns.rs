//! Every campaign the operator may see, with its status and counts.

use leptos::prelude::*;

use crate::api::types::CampaignSummary;
use crate::route::{Link, Page, Route};
use crate::shell::CampaignList;
use crate::ui::{count, loaded};

#[component]
pub fn Campaigns() -> impl IntoView {
    let CampaignList(list) = expect_context::<CampaignList>();
    view! {
        <h1>"Campaigns"</h1>
        {loaded(list, |list: Vec<CampaignSummary>| {
            if list.is_empty() {
                return view! { <p>"No campaigns to show."</p> }.into_any();
            }
            view! {
                <table class="grid">
                    <caption class="sr-only">"Campaigns with their status and counts"</caption>
                    <thead><tr>
                        <th scope="col">"Campaign"</th><th scope="col">"Status"</th>
                        <th scope="col">"Entries"</th><th scope="col">"Pending review"</th>
                        <th scope="col">"Referrers"</th><th scope="col">"Conversions"</th>
                        <th scope="col">"Credits"</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(row).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        })}
    }
}

fn row(c: CampaignSummary) -> impl IntoView {
    let by = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter().map(|(k, v)| format!("{}: {v}", k.replace('_', " "))).collect::<Vec<_>>().join(", ")
    };
    let total: u64 = c.counts.entries.values().sum();
    let dates = match (&c.opens_at, &c.closes_at) {
        (Some(o), Some(cl)) => format!("{o} – {cl}"),
        (Some(o), None) => format!("from {o}"),
        (None, Some(cl)) => format!("until {cl}"),
        (None, None) => String::new(),
    };
    view! {
        <tr>
            <th scope="row">
                <Link to=Route::Campaign { id: c.id.clone(), page: Page::Entries }>{c.name.clone()}</Link>
                <span class="muted small">" " {c.id.clone()}</span>
            </th>
            <td><span class=format!("badge {}", c.status)>{c.status.clone()}</span>
                <span class="muted small">" " {dates}</span></td>
            <td>{count(total)} <span class="muted small">" " {by(&c.counts.entries)}</span></td>
            <td>
                <Link to=Route::Campaign { id: c.id.clone(), page: Page::Moderation }>{count(c.counts.pending_review)}</Link>
            </td>
            <td>{c.counts.referrers.map(count).unwrap_or_else(|| "—".into())}</td>
            <td>{count(c.counts.conversions)}</td>
            <td>{by(&c.counts.credits)}</td>
        </tr>
    }
}
