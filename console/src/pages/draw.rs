//! The draw: run one (winners, alternates, the public beacon as text, as `vouch draw` takes it),
//! verify it, forfeit a winner (the next alternate moves up), and the winners with their contact
//! status.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::campaign_path;
use crate::api::{self, enc, types::Contact, types::Draw, types::DrawRequest, types::Verification};
use crate::app::can_write;
use crate::ui::{load, loaded, Loaded, Notice};

#[component]
pub fn Draws(campaign: String) -> impl IntoView {
    let campaign = StoredValue::new(campaign);
    let draws: Loaded<Vec<Draw>> = RwSignal::new(None);
    let reload = move || load(draws, api::get(&campaign_path(&campaign.get_value(), "/draws")));
    reload();
    let winners = RwSignal::new("1".to_string());
    let alternates = RwSignal::new("2".to_string());
    let beacon = RwSignal::new(String::new());
    let source = RwSignal::new(String::new());
    let force = RwSignal::new(false);
    let notice = Notice::new();
    let writes = can_write();
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(w), Ok(a)) = (winners.get_untracked().trim().parse(), alternates.get_untracked().trim().parse()) else {
            notice.say_err("Winners and alternates are whole numbers.");
            return;
        };
        let source = source.get_untracked().trim().to_string();
        let body = DrawRequest {
            winners: w,
            alternates: a,
            beacon: beacon.get_untracked().trim().to_string(),
            beacon_source: (!source.is_empty()).then_some(source),
            force: force.get_untracked(),
        };
        spawn_local(async move {
            match api::post::<_, Draw>(&campaign_path(&campaign.get_value(), "/draws"), &body).await {
                Ok(d) => {
                    notice.ok(format!("Draw {} done: {} winners.", d.draw_id, d.winners.len()));
                    reload();
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    let verify = move |draw_id: String| {
        let path = campaign_path(&campaign.get_value(), &format!("/draws/{}/verify", enc(&draw_id)));
        spawn_local(async move {
            match api::post_empty::<Verification>(&path).await {
                Ok(v) if v.matches => {
                    notice.ok(format!("Draw {draw_id} verified: the winners follow from its inputs."))
                }
                Ok(v) => notice.say_err(format!("Draw {draw_id} does NOT verify: {}", v.differences.join("; "))),
                Err(e) => notice.err(&e),
            }
        });
    };
    let forfeit = move |draw_id: String, entry_id: String| {
        let path = campaign_path(&campaign.get_value(), &format!("/draws/{}/forfeit", enc(&draw_id)));
        spawn_local(async move {
            match api::post::<_, Draw>(&path, &serde_json::json!({ "entry_id": entry_id })).await {
                Ok(_) => {
                    notice.ok(format!("Entry {entry_id} forfeited; the next alternate moves up."));
                    reload();
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    view! {
        <h1>"Draw"</h1>
        <Show when=move || writes.get()>
            <form class="filters" on:submit=run aria-labelledby="h-run">
                <h2 id="h-run">"Run a draw"</h2>
                <label for="d-winners">"Winners"</label>
                <input id="d-winners" type="number" min="1" required=true prop:value=winners on:input=move |ev| winners.set(event_target_value(&ev)) />
                <label for="d-alternates">"Alternates"</label>
                <input id="d-alternates" type="number" min="0" required=true prop:value=alternates on:input=move |ev| alternates.set(event_target_value(&ev)) />
                <label for="d-beacon">"Beacon (e.g. a drand round's randomness)"</label>
                <input id="d-beacon" type="text" required=true prop:value=beacon on:input=move |ev| beacon.set(event_target_value(&ev)) />
                <label for="d-source">"Where the beacon comes from (optional)"</label>
                <input id="d-source" type="text" prop:value=source on:input=move |ev| source.set(event_target_value(&ev)) />
                <label class="check"><input id="d-force" type="checkbox" prop:checked=force
                    on:change=move |ev| force.set(event_target_checked(&ev)) />" Draw although the campaign is still open"</label>
                <button type="submit">"Run draw"</button>
            </form>
        </Show>
        {notice.view()}
        <h2>"Draws"</h2>
        {loaded(draws, move |list: Vec<Draw>| {
            if list.is_empty() {
                return view! { <p>"No draw yet."</p> }.into_any();
            }
            list.into_iter().map(|d| {
                let id = d.draw_id.clone();
                let waiting = alternates_left(&d);
                view! {
                    <section class="card" aria-label=format!("Draw {}", d.draw_id)>
                        <h3>"Draw " {d.sequence} " " <code class="small">{d.draw_id.clone()}</code>
                            <span class="muted small">" " {d.created_at.clone()}</span></h3>
                        <p class="small">{format!("{} eligible · beacon ", d.eligible)} <code>{d.beacon.clone()}</code>
                            {d.beacon_source.clone().map(|s| format!(" ({s})"))} " · seed " <code>{d.seed.clone()}</code></p>
                        <button type="button" class="secondary" on:click=move |_| verify(id.clone())>"Verify"</button>
                        {people(&d.draw_id, d.contacts, writes, forfeit)}
                        <p class="small">"Alternates waiting: " {waiting}</p>
                    </section>
                }
            }).collect_view().into_any()
        })}
    }
}

fn people(
    draw_id: &str,
    list: Vec<Contact>,
    may_forfeit: Signal<bool>,
    forfeit: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let draw_id = draw_id.to_string();
    view! {
        <h4>"Winners"</h4>
        <table class="grid">
            <thead><tr><th scope="col">"Entry"</th><th scope="col">"Contact"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {list.into_iter().map(|w| {
                    let (draw, entry) = (draw_id.clone(), w.entry_id.clone());
                    let current = w.current;
                    let show = move || may_forfeit.get() && current;
                    view! {
                        <tr>
                            <td>{w.entry_id.clone()}</td>
                            <td>{w.status()}</td>
                            <td><Show when=show>
                                <button type="button" class="secondary" on:click={
                                    let (draw, entry) = (draw.clone(), entry.clone());
                                    move |_| forfeit(draw.clone(), entry.clone())
                                }>"Forfeit"</button>
                            </Show></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The alternates not promoted yet, in order.
fn alternates_left(d: &Draw) -> String {
    let left: Vec<&str> =
        d.alternates.iter().filter(|a| !d.contacts.iter().any(|c| c.entry_id == **a)).map(String::as_str).collect();
    if left.is_empty() {
        "none".into()
    } else {
        left.join(", ")
    }
}
