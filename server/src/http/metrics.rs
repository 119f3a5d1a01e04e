//! `GET /metrics`: counters in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::backends::QueueStats;

/// A queue gauge: name, help text, and the figure it reads.
type Gauge = (&'static str, &'static str, fn(&QueueStats) -> u64);

#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub entries_accepted: Counter,
    pub entries_replayed: Counter,
    pub entries_invalid: Counter,
    pub grants_issued: Counter,
    pub rate_limited: Counter,
    pub event_batches_accepted: Counter,
    pub event_batches_refused: Counter,
    /// Code pool levels, checked on every scrape.
    pub code_pools: crate::codes::watch::PoolWatch,
}

impl Metrics {
    pub fn render(&self, queues: &[(&str, QueueStats)]) -> String {
        let mut out = String::new();
        let mut line = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(out, "# HELP vouch_{name} {help}\n# TYPE vouch_{name} {kind}\nvouch_{name} {value}");
        };
        line("entries_accepted_total", "counter", "Entries durably queued.", self.entries_accepted.get());
        line(
            "entries_replayed_total",
            "counter",
            "Entry requests answered from an earlier idempotent request.",
            self.entries_replayed.get(),
        );
        line("entries_invalid_total", "counter", "Entry requests refused by validation.", self.entries_invalid.get());
        line("upload_grants_total", "counter", "Upload grants issued.", self.grants_issued.get());
        line("rate_limited_total", "counter", "Requests refused with 429.", self.rate_limited.get());
        line(
            "event_batches_accepted_total",
            "counter",
            "Funnel event batches queued (POST /v1/events).",
            self.event_batches_accepted.get(),
        );
        line(
            "event_batches_refused_total",
            "counter",
            "Funnel event batches refused whole (POST /v1/events).",
            self.event_batches_refused.get(),
        );
        let gauges: [Gauge; 3] = [
            ("queue_ready", "Messages waiting for a worker.", |q| q.ready),
            ("queue_in_flight", "Messages held by a worker.", |q| q.in_flight),
            ("queue_dead", "Messages dead-lettered.", |q| q.dead),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP vouch_{name} {help}\n# TYPE vouch_{name} gauge");
            for (queue, stats) in queues {
                let _ = writeln!(out, "vouch_{name}{{queue=\"{queue}\"}} {}", value(stats));
            }
        }
        out
    }
}
