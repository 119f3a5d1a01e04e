//! Hand-written SVG charts (no chart library: the console stays small). Every number is drawn as
//! text beside its bar, and each chart's `aria-label` says in words what it shows. Colours come from
//! console.css classes (`s0`…`s13`): the CSP allows no inline style.

use leptos::prelude::*;

// Whole-number coordinates throughout: float formatting would add its code to the bundle.
const WIDTH: u64 = 640;
const ROW: u64 = 28;
const LABEL: u64 = 150;
const BAR: u64 = 330;

/// One bar: its label, its number, and a note after it (a rate, a second count).
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub note: String,
}

/// Horizontal bars, longest = largest.
#[component]
pub fn Bars(title: String, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = bars.len() as u64 * ROW + 4;
    let words: Vec<String> = bars.iter().map(|b| format!("{} {} {}", b.label, b.value, b.note)).collect();
    let summary = format!("{title}: {}", words.join("; "));
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let y = i as u64 * ROW;
            let w = scale(b.value, max, BAR);
            let key = b.label.clone();
            view! {
                <g class="bar" data-label=key>
                    <text x="0" y=y + 19 class="label">{b.label}</text>
                    <rect x=LABEL y=y + 5 width=w.max(1) height="18" class="s0" />
                    <text x=LABEL + w + 6 y=y + 19 class="n">{b.value}</text>
                    <text x=WIDTH - 4 y=y + 19 text-anchor="end" class="note">{b.note}</text>
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

/// `value` of `max` as a share of `length`, rounded down.
fn scale(value: u64, max: u64, length: u64) -> u64 {
    (u128::from(value) * u128::from(length) / u128::from(max.max(1))) as u64
}

const PLOT_LEFT: u64 = 44;
const PLOT_TOP: u64 = 10;
const PLOT_WIDTH: u64 = WIDTH - PLOT_LEFT - 10;
const PLOT_HEIGHT: u64 = 170;

/// One line per series over `days`, the y axis from 0 to the largest count.
#[component]
pub fn Lines(title: String, days: Vec<String>, series: Vec<(String, Vec<u64>)>) -> impl IntoView {
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    let gaps = (days.len().max(2) - 1) as u64;
    let point = move |i: usize, v: u64| {
        (PLOT_LEFT + scale(i as u64, gaps, PLOT_WIDTH), PLOT_TOP + PLOT_HEIGHT - scale(v, max, PLOT_HEIGHT))
    };
    let base = PLOT_TOP + PLOT_HEIGHT;
    let words: Vec<String> = series.iter().map(|(name, v)| format!("{name} {}", v.iter().sum::<u64>())).collect();
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
                    format!("{x},{y}")
                })
                .collect();
            let class = format!("line s{}", i % 14);
            let dots = (values.len() <= 31).then(|| {
                values
                    .iter()
                    .enumerate()
                    .map(|(d, v)| {
                        let (x, y) = point(d, *v);
                        view! { <circle cx=x cy=y r="3" class=format!("dot s{}", i % 14) /> }
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
            <svg viewBox=format!("0 0 {WIDTH} {}", base + 24) role="img" aria-label=summary>
                <line x1=PLOT_LEFT y1=base x2=WIDTH - 10 y2=base class="axis" />
                <line x1=PLOT_LEFT y1=PLOT_TOP x2=PLOT_LEFT y2=base class="axis" />
                <text x=PLOT_LEFT - 6 y=PLOT_TOP + 5 text-anchor="end" class="n">{max}</text>
                <text x=PLOT_LEFT - 6 y=base text-anchor="end" class="n">"0"</text>
                <text x=PLOT_LEFT y=base + 18 class="n">{days[0].clone()}</text>
                <text x=WIDTH - 10 y=base + 18 text-anchor="end" class="n">{days[days.len() - 1].clone()}</text>
                {lines}
            </svg>
            <ul class="legend">{legend}</ul>
        </figure>
    }
}
