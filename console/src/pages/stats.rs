//! The campaign's funnel (`GET …/stats`): the giveaway and referral funnels with the rate between
//! steps, rejections by reason, shares by channel and a line per event over the days, with the
//! numbers in a table too.

use leptos::prelude::*;
use vouch_core::analytics::EventKind;
use vouch_core::funnel::{percent, Stats as Report, Step};

use super::campaign_path;
use super::charts::{Bar, Bars, Lines};
use crate::api::{self, enc};
use crate::ui::{load, loaded, Loaded};

#[component]
pub fn Stats(campaign: String) -> impl IntoView {
    let campaign = StoredValue::new(campaign);
    let (from, to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let report: Loaded<Report> = RwSignal::new(None);
    let fetch = move || {
        let mut query = vec![];
        for (k, v) in [("from", from.get_untracked()), ("to", to.get_untracked())] {
            if !v.trim().is_empty() {
                query.push(format!("{k}={}", enc(v.trim())));
            }
        }
        load(report, api::get(&campaign_path(&campaign.get_value(), &format!("/stats?{}", query.join("&")))));
    };
    fetch();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        fetch();
    };
    let date = |label: &'static str, id: &'static str, value: RwSignal<String>| {
        view! {
            <label for=id>{label}
                <input id=id type="date" prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <h1>"Stats"</h1>
        <form class="filters" on:submit=submit>
            {date("From", "s-from", from)}
            {date("To", "s-to", to)}
            <button type="submit">"Show"</button>
        </form>
        {loaded(report, show)}
    }
}

fn steps(steps: &[Step]) -> Vec<Bar> {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| Bar {
            label: s.event.as_str().to_string(),
            value: s.count,
            note: if i == 0 {
                s.unit.as_str().to_string()
            } else {
                format!("{} {}", percent(s.rate_permille), s.unit.as_str())
            },
        })
        .collect()
}

fn show(r: Report) -> impl IntoView {
    let days: Vec<String> = r.daily.iter().map(|d| d.day.clone()).collect();
    let series: Vec<(String, Vec<u64>)> = EventKind::ALL
        .iter()
        .map(|e| (e.as_str().to_string(), r.daily.iter().map(|d| d.counts.get(e).copied().unwrap_or(0)).collect()))
        .filter(|(_, v): &(String, Vec<u64>)| v.iter().any(|n| *n > 0))
        .collect();
    let shares = r
        .shares
        .iter()
        .map(|c| Bar { label: c.channel.as_str().into(), value: c.shares, note: format!("{} sessions", c.sessions) })
        .collect();
    let rejections =
        r.rejections.iter().map(|x| view! { <tr><th scope="row">{x.reason.clone()}</th><td>{x.count}</td></tr> });
    let header = EventKind::ALL.iter().map(|e| view! { <th scope="col">{e.as_str()}</th> }).collect_view();
    let rows = r
        .daily
        .iter()
        .map(|d| {
            let cells = EventKind::ALL.iter().map(|e| view! { <td>{d.counts.get(e).copied().unwrap_or(0)}</td> });
            view! { <tr><th scope="row">{d.day.clone()}</th>{cells.collect_view()}</tr> }
        })
        .collect_view();
    view! {
        <p class="muted">{format!("{} to {} (UTC days). ", r.from, r.to)}
            "Page steps count unique sessions per day, server steps count events; "
            "the rate is each step over the step before."</p>
        <div class="two">
            <Bars title="Giveaway funnel".into() bars=steps(&r.giveaway) />
            <Bars title="Referral funnel".into() bars=steps(&r.referral) />
        </div>
        <h2>"Entries rejected"</h2>
        {if r.rejections.is_empty() {
            view! { <p class="muted">"None in these days."</p> }.into_any()
        } else {
            view! { <table class="grid narrow"><caption class="sr-only">"Entries rejected by reason"</caption>
                <thead><tr><th scope="col">"Reason"</th><th scope="col">"Entries"</th></tr></thead>
                <tbody>{rejections.collect_view()}</tbody></table> }.into_any()
        }}
        <Bars title="Shares by channel".into() bars=shares />
        {if series.is_empty() {
            view! { <p class="muted">"Nothing was counted in these days."</p> }.into_any()
        } else {
            view! { <Lines title="Daily".into() days series /> }.into_any()
        }}
        <details>
            <summary>"Daily numbers"</summary>
            <div class="scroll"><table class="grid daily">
                <thead><tr><th scope="col">"Day"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        </details>
    }
}
