//! The draw: run one (winners, alternates, optional beacon round), verify it, forfeit a winner
//! (the next alternate moves up), and the winners with their contact status.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::campaign_path;
use crate::api::{self, enc, types::Draw, types::DrawRequest, types::Winner};
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
    let notice = Notice::new();
    let writes = can_write();
    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(w), Ok(a)) = (winners.get_untracked().trim().parse(), alternates.get_untracked().trim().parse()) else {
            notice.say_err("Winners and alternates are whole numbers.");
            return;
        };
        let beacon_round = match beacon.get_untracked().trim() {
            "" => None,
            b => match b.parse() {
                Ok(n) => Some(n),
                Err(_) => return notice.say_err("The beacon round is a whole number, or empty."),
            },
        };
        let body = DrawRequest { winners: w, alternates: a, beacon_round };
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
            match api::post_empty::<serde_json::Value>(&path).await {
                Ok(v) => notice.ok(format!("Draw {draw_id} verified: {}", verdict(&v))),
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
                <label for="d-beacon">"Beacon round (optional)"</label>
                <input id="d-beacon" type="number" min="1" prop:value=beacon on:input=move |ev| beacon.set(event_target_value(&ev)) />
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
                view! {
                    <section class="card" aria-label=format!("Draw {}", d.draw_id)>
                        <h3>"Draw " {d.draw_id.clone()} <span class="muted small">" " {d.created_at.clone().unwrap_or_default()}</span></h3>
                        {d.beacon.clone().map(|b| view! { <p class="small">"Beacon: " <code>{b}</code></p> })}
                        <button type="button" class="secondary" on:click=move |_| verify(id.clone())>"Verify"</button>
                        {people("Winners", &d.draw_id, d.winners, writes, forfeit)}
                        {people("Alternates", &d.draw_id, d.alternates, Signal::derive(|| false), forfeit)}
                    </section>
                }
            }).collect_view().into_any()
        })}
    }
}

fn people(
    title: &'static str,
    draw_id: &str,
    list: Vec<Winner>,
    may_forfeit: Signal<bool>,
    forfeit: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let draw_id = draw_id.to_string();
    view! {
        <h4>{title}</h4>
        <table class="grid">
            <thead><tr><th scope="col">"Entry"</th><th scope="col">"E-mail"</th><th scope="col">"Contact"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {list.into_iter().map(|w| {
                    let (draw, entry) = (draw_id.clone(), w.entry_id.clone());
                    let show = move || may_forfeit.get() && !w.forfeited;
                    view! {
                        <tr>
                            <td>{w.entry_id.clone()}</td>
                            <td>{w.email.clone().unwrap_or_default()}</td>
                            <td>{if w.forfeited { "forfeited".to_string() } else { w.contact_status.clone().unwrap_or_default() }}</td>
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

/// The verification answer in a sentence: `ok`/`valid` when the server says so, else its JSON.
fn verdict(v: &serde_json::Value) -> String {
    match v.get("ok").or_else(|| v.get("valid")).and_then(serde_json::Value::as_bool) {
        Some(true) => "the winners follow from the inputs.".into(),
        Some(false) => format!("MISMATCH {v}"),
        None => v.to_string(),
    }
}
