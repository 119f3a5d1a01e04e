//! Hand-written SVG charts (no chart library: the console stays small). Every number is drawn as
//! text beside its bar, and each chart's `aria-label` says in words what it shows. Colours come from
//! console.css classes (`s0`…`s13`): the CSP allows no inline style.

use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const ROW: f64 = 28.0;
const LABEL: f64 = 150.0;
const BAR: f64 = 330.0;

/// One bar: its label, its number, and a note after it (a rate, a second count).
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub note: String,
}

/// Horizontal bars, longest = largest.
#[component]
pub fn Bars(title: String, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let height = bars.len() as f64 * ROW + 4.0;
    let words: Vec<String> = bars.iter().map(|b| format!("{} {} {}", b.label, b.value, b.note)).collect();
    let summary = format!("{title}: {}", words.join("; "));
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let y = i as f64 * ROW;
            let w = b.value as f64 / max * BAR;
            let key = b.label.clone();
            view! {
                <g class="bar" data-label=key>
                    <text x="0" y=y + 19.0 class="label">{b.label}</text>
                    <rect x=LABEL y=y + 5.0 width=w.max(1.0) height="18" class="s0" />
                    <text x=LABEL + w + 6.0 y=y + 19.0 class="n">{b.value}</text>
                    <text x=WIDTH - 4.0 y=y + 19.0 text-anchor="end" class="note">{b.note}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=summary>
                {rows}
            </svg>
        </figure>
    }
}

const PLOT_LEFT: f64 = 44.0;
const PLOT_TOP: f64 = 10.0;
const PLOT_HEIGHT: f64 = 170.0;

/// One line per series over `days`, the y axis from 0 to the largest count.
#[component]
pub fn Lines(title: String, days: Vec<String>, series: Vec<(String, Vec<u64>)>) -> impl IntoView {
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    let step = (WIDTH - PLOT_LEFT - 10.0) / (days.len().max(2) - 1) as f64;
    let point = move |i: usize, v: u64| {
        (PLOT_LEFT + i as f64 * step, PLOT_TOP + PLOT_HEIGHT - v as f64 / max as f64 * PLOT_HEIGHT)
    };
    let base = PLOT_TOP + PLOT_HEIGHT;
    let words: Vec<String> =
        series.iter().map(|(name, v)| format!("{name} {}", v.iter().sum::<u64>())).collect();
    let summary = format!("{title}, {} to {}: totals {}", days[0], days[days.len() - 1], words.join(", "));
    let lines = series
        .iter()
        .enumerate()
        .map(|(i, (name, values))| {
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(d, v)| {
                    let (x, y) = point(d, *v);
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            let class = format!("line s{}", i % 14);
            let dots = (values.len() <= 31).then(|| {
                values
                    .iter()
                    .enumerate()
                    .map(|(d, v)| {
                        let (x, y) = point(d, *v);
                        view! { <circle cx=x cy=y r="2.5" class=format!("dot s{}", i % 14) /> }
                    })
                    .collect_view()
            });
            view! {
                <polyline points=points.join(" ") class=class data-series=name.clone() />
                {dots}
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, (name, values))| {
            let total: u64 = values.iter().sum();
            view! { <li><span class=format!("swatch s{}", i % 14)></span>{name.clone()} " " <b>{total}</b></li> }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {}", base + 24.0) role="img" aria-label=summary>
                <line x1=PLOT_LEFT y1=base x2=WIDTH - 10.0 y2=base class="axis" />
                <line x1=PLOT_LEFT y1=PLOT_TOP x2=PLOT_LEFT y2=base class="axis" />
                <text x=PLOT_LEFT - 6.0 y=PLOT_TOP + 5.0 text-anchor="end" class="n">{max}</text>
                <text x=PLOT_LEFT - 6.0 y=base text-anchor="end" class="n">"0"</text>
                <text x=PLOT_LEFT y=base + 18.0 class="n">{days[0].clone()}</text>
                <text x=WIDTH - 10.0 y=base + 18.0 text-anchor="end" class="n">{days[days.len() - 1].clone()}</text>
                {lines}
            </svg>
            <ul class="legend">{legend}</ul>
        </figure>
    }
}
