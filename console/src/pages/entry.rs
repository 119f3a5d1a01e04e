//! One entry: its fields, consents, receipt (a thumbnail and the full image, through URLs the
//! server signed for a few minutes: the bucket stays private) and its audit trail.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde_json::Value;

use super::campaign_path;
use crate::api::{self, enc, types::EntryDetail};
use crate::route::{Link, Page, Route};
use crate::ui::{load, loaded, Loaded};

#[component]
pub fn Entry(campaign: String, entry_id: String) -> impl IntoView {
    let detail: Loaded<EntryDetail> = RwSignal::new(None);
    load(detail, api::get(&campaign_path(&campaign, &format!("/entries/{}", enc(&entry_id)))));
    let back = Route::Campaign { id: campaign, page: Page::Entries };
    view! {
        <p><Link to=back>"← All entries"</Link></p>
        <h1>"Entry " {entry_id}</h1>
        {loaded(detail, |mut d: EntryDetail| view! {
            <p>"Status: " <span class=format!("badge {}", d.status.as_str())>{d.status.as_str().replace('_', " ")}</span></p>
            <div class="two">
                <section aria-labelledby="h-fields">
                    <h2 id="h-fields">"Fields"</h2>
                    {pairs(d.fields)}
                    <h2>"Consents"</h2>
                    {consent_records(d.consents.remove("records"))}
                    {pairs(d.consents)}
                </section>
                <section aria-labelledby="h-receipt">
                    <h2 id="h-receipt">"Receipt"</h2>
                    {match d.receipt {
                        Some(r) => view! {
                            <img class="thumb" src=r.thumbnail_url.unwrap_or_else(|| r.url.clone()) alt="Receipt (thumbnail)" />
                            <p><a href=r.url target="_blank" rel="noopener">"Full image (link valid a few minutes)"</a></p>
                        }.into_any(),
                        None => view! { <p class="muted">"No receipt."</p> }.into_any(),
                    }}
                </section>
            </div>
            <section aria-labelledby="h-audit">
                <h2 id="h-audit">"History and audit trail"</h2>
                {if d.audit.is_empty() {
                    view! { <p class="muted">"Nothing recorded yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="audit">
                            {d.audit.into_iter().map(|a| view! {
                                <li>
                                    <time>{a.at}</time> " " <strong>{a.action}</strong> " " {a.subject} " by " {a.actor}
                                    {(!a.detail.is_empty()).then(|| view! { <code class="small">" " {a.detail}</code> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
        })}
    }
}

/// Each consent the entry came with: what, the version of the words shown, language, page, and
/// (marketing) whether the shopper confirmed by the mailed link.
fn consent_records(records: Option<Value>) -> impl IntoView {
    let records = match records {
        Some(Value::Array(r)) if !r.is_empty() => r,
        _ => return None,
    };
    let field = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some(view! {
        <ul class="consents">
            {records.into_iter().map(|r| {
                let state = r.get("marketing").and_then(Value::as_str).map(|s| format!(" — {s}"));
                view! {
                    <li>
                        <strong>{field(&r, "kind")}</strong>{state} " "
                        <code class="small">{field(&r, "version")}</code> " (" {field(&r, "locale")} ", "
                        {field(&r, "origin")} "): " <q>{field(&r, "label")}</q>
                    </li>
                }
            }).collect_view()}
        </ul>
    })
}

fn pairs(map: BTreeMap<String, Value>) -> impl IntoView {
    if map.is_empty() {
        return view! { <p class="muted">"None."</p> }.into_any();
    }
    view! {
        <dl class="pairs">
            {map.into_iter().map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    Value::Bool(true) => "yes".into(),
                    Value::Bool(false) => "no".into(),
                    Value::Null => "—".into(),
                    other => other.to_string(),
                };
                view! { <dt>{k.replace('_', " ")}</dt><dd>{v}</dd> }
            }).collect_view()}
        </dl>
    }
    .into_any()
}
