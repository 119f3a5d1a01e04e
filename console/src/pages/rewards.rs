//! Rewards: the credit ledger (approve or deny pending credits), code pools (levels, import a
//! file of codes) and the payouts CSV.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::money::Money;
use wasm_bindgen::JsCast;

use super::campaign_path;
use crate::api::{self, enc, types::Credit, types::CreditState, types::Pool};
use crate::app::can_write;
use crate::ui::{load, loaded, Loaded, Notice};

const STATES: [CreditState; 3] = [CreditState::Pending, CreditState::Approved, CreditState::Denied];

#[component]
pub fn Rewards(campaign: String) -> impl IntoView {
    let campaign = StoredValue::new(campaign);
    let state = RwSignal::new(CreditState::Pending);
    let credits: Loaded<Vec<Credit>> = RwSignal::new(None);
    let pools: Loaded<Vec<Pool>> = RwSignal::new(None);
    let notice = Notice::new();
    let writes = can_write();
    let path = move |rest: &str| campaign_path(&campaign.get_value(), rest);
    Effect::new(move |_| load(credits, api::get(&path(&format!("/credits?state={}", state.get().as_str())))));
    let reload_pools = move || load(pools, api::get(&path("/codes")));
    reload_pools();
    let decide = move |credit_id: String, decision: &'static str| {
        let p = path(&format!("/credits/{}/decision", enc(&credit_id)));
        spawn_local(async move {
            match api::post::<_, Credit>(&p, &serde_json::json!({ "decision": decision })).await {
                Ok(_) => {
                    notice.ok(format!("Credit {credit_id}: {decision}d."));
                    load(credits, api::get(&path(&format!("/credits?state={}", state.get_untracked().as_str()))));
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pool =
            document().get_element_by_id("c-pool").map(|e| e.unchecked_into::<web_sys::HtmlSelectElement>().value());
        let file = document()
            .get_element_by_id("c-file")
            .and_then(|e| e.unchecked_into::<web_sys::HtmlInputElement>().files())
            .and_then(|f| f.get(0));
        let (Some(pool), Some(file)) = (pool.filter(|p| !p.is_empty()), file) else {
            return notice.say_err("Choose a pool and a file of codes (one a line).");
        };
        let p = path(&format!("/codes/{}", enc(&pool)));
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
            let Some(text) = text else { return notice.say_err("The file cannot be read.") };
            match api::post_text::<serde_json::Value>(&p, text).await {
                Ok(v) => {
                    notice.ok(format!("Imported into {pool}: {v}"));
                    reload_pools();
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    let payouts = move || format!("{}{}", api::BASE, path("/payouts.csv"));
    view! {
        <h1>"Rewards"</h1>
        {notice.view()}
        <section aria-labelledby="h-credits">
            <h2 id="h-credits">"Credits"</h2>
            <label for="r-state">"State "</label>
            <select id="r-state" on:change=move |ev| {
                if let Some(s) = CreditState::parse(&event_target_value(&ev)) { state.set(s) }
            }>
                {STATES.into_iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
            </select>
            {loaded(credits, move |list: Vec<Credit>| {
                if list.is_empty() {
                    return view! { <p role="status">"No credits in this state."</p> }.into_any();
                }
                view! {
                    <table class="grid">
                        <thead><tr><th scope="col">"Credit"</th><th scope="col">"Side"</th><th scope="col">"Amount"</th>
                            <th scope="col">"Reward"</th><th scope="col">"State"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|c| {
                                let pending = c.state == CreditState::Pending;
                                let (a, d) = (c.credit_id.clone(), c.credit_id.clone());
                                view! {
                                    <tr>
                                        <td>{c.credit_id.clone()}</td>
                                        <td>{c.side.clone().unwrap_or_default()}</td>
                                        <td>{c.amount_minor.map(|m| Money::display_minor(m, c.currency.as_deref())).unwrap_or_default()}</td>
                                        <td>{c.reward.clone()}</td>
                                        <td>{c.state.as_str()}</td>
                                        <td><Show when=move || pending && writes.get()>
                                            <button type="button" on:click={let a = a.clone(); move |_| decide(a.clone(), "approve")}>"Approve"</button>
                                            " "
                                            <button type="button" class="secondary" on:click={let d = d.clone(); move |_| decide(d.clone(), "deny")}>"Deny"</button>
                                        </Show></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </section>
        <section aria-labelledby="h-codes">
            <h2 id="h-codes">"Code pools"</h2>
            {loaded(pools, move |list: Vec<Pool>| {
                let names: Vec<String> = list.iter().map(|p| p.pool.clone()).collect();
                view! {
                    <table class="grid">
                        <thead><tr><th scope="col">"Pool"</th><th scope="col">"Available"</th><th scope="col">"Handed out"</th><th scope="col">"Low water"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|p| {
                                let low = p.low_water.is_some_and(|l| p.available <= l);
                                view! {
                                    <tr class:low=low>
                                        <td>{p.pool}</td>
                                        <td>{p.available}{low.then_some(" (low)")}</td>
                                        <td>{p.assigned}</td>
                                        <td>{p.low_water.map(|l| l.to_string()).unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <Show when=move || writes.get()>
                        <form class="filters" on:submit=import>
                            <label for="c-pool">"Pool"</label>
                            <select id="c-pool">
                                {names.iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                            </select>
                            <label for="c-file">"File of codes (one a line)"</label>
                            <input id="c-file" type="file" accept=".txt,.csv,text/plain" />
                            <button type="submit">"Import"</button>
                        </form>
                    </Show>
                }
            })}
        </section>
        <section aria-labelledby="h-payouts">
            <h2 id="h-payouts">"Payouts"</h2>
            <a class="button secondary" href=payouts download="">"Download payouts CSV"</a>
        </section>
    }
}
