//! Queues (owners: they are shared by every campaign): depth per lane, dead letters with their
//! last error (never a message body: bodies hold personal data), redrive one or all, pause/resume.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, enc, types::DeadLetter, types::QueueState, types::Redriven};
use crate::app::can_write;
use crate::ui::{load, loaded, Loaded, Notice};

#[component]
pub fn Queues() -> impl IntoView {
    let queues: Loaded<Vec<QueueState>> = RwSignal::new(None);
    let reload = move || load(queues, api::get("/queues"));
    reload();
    let open = RwSignal::new(None::<String>);
    let dead: Loaded<Vec<DeadLetter>> = RwSignal::new(None);
    let notice = Notice::new();
    let writes = can_write();
    let show_dead = move |name: String| {
        load(dead, api::get(&format!("/queues/{}/dead", enc(&name))));
        open.set(Some(name));
    };
    let act = move |path: String, done: String| {
        spawn_local(async move {
            // Redrives answer `{"redriven":n}`, pause/resume the queue's state.
            match api::post_empty::<serde_json::Value>(&path).await {
                Ok(v) => {
                    let redriven = serde_json::from_value::<Redriven>(v).ok();
                    notice.ok(match redriven {
                        Some(r) => format!("{done}: {} message(s) back in the queue.", r.redriven),
                        None => format!("{done}."),
                    });
                    reload();
                    if let Some(name) = open.get_untracked() {
                        load(dead, api::get(&format!("/queues/{}/dead", enc(&name))));
                    }
                }
                Err(e) => notice.err(&e),
            }
        });
    };
    view! {
        <h1>"Queues"</h1>
        {notice.view()}
        {loaded(queues, move |list: Vec<QueueState>| view! {
            <table class="grid">
                <thead><tr><th scope="col">"Queue"</th><th scope="col">"Ready"</th><th scope="col">"In flight"</th>
                    <th scope="col">"Dead"</th><th scope="col">"State"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|q| {
                        let q_path = format!("/queues/{}", enc(&q.name));
                        let (name, name2) = (q.name.clone(), q.name.clone());
                        let toggle = if q.paused { ("resume", "Resume", "Resumed") } else { ("pause", "Pause", "Paused") };
                        view! {
                            <tr>
                                <th scope="row">{q.name.clone()}</th>
                                <td>{q.ready}</td><td>{q.in_flight}</td><td>{q.dead}</td>
                                <td>{if q.paused { "paused" } else { "running" }}</td>
                                <td>
                                    <button type="button" class="secondary" on:click=move |_| show_dead(name.clone())>"Dead letters"</button>
                                    <Show when=move || writes.get()>
                                        <button type="button" class="secondary" on:click={
                                            let p = format!("{q_path}/{}", toggle.0);
                                            let n = format!("{} {}", toggle.2, name2);
                                            move |_| act(p.clone(), n.clone())
                                        }>{toggle.1}</button>
                                    </Show>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {move || open.get().map(|name| {
            let all = format!("/queues/{}/redrive", enc(&name));
            view! {
                <section aria-labelledby="h-dead">
                    <h2 id="h-dead">"Dead letters of " {name.clone()}</h2>
                    <Show when=move || writes.get()>
                        <button type="button" on:click={let all = all.clone(); move |_| act(all.clone(), "Redriven".into())}>"Redrive all"</button>
                    </Show>
                    {loaded(dead, move |list: Vec<DeadLetter>| {
                        if list.is_empty() {
                            return view! { <p role="status">"No dead letters."</p> }.into_any();
                        }
                        let name = name.clone();
                        view! {
                            <table class="grid">
                                <thead><tr><th scope="col">"Message"</th><th scope="col">"Campaign"</th><th scope="col">"Attempts"</th>
                                    <th scope="col">"Failed at"</th><th scope="col">"Last error"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| {
                                        let p = format!("/queues/{}/dead/{}/redrive", enc(&name), enc(&d.id));
                                        view! {
                                            <tr>
                                                <td><code>{d.id.clone()}</code></td>
                                                <td>{d.campaign.clone().unwrap_or_default()}</td>
                                                <td>{d.attempts}</td>
                                                <td>{d.failed_at.clone().unwrap_or_default()}</td>
                                                <td>{d.last_error.clone().unwrap_or_default()}</td>
                                                <td><Show when=move || writes.get()>
                                                    <button type="button" class="secondary" on:click={let p = p.clone(); move |_| act(p.clone(), "Redriven".into())}>"Redrive"</button>
                                                </Show></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    })}
                </section>
            }
        })}
    }
}
