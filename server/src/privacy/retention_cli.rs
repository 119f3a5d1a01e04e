//! `vouch retention sweep|status`: the worker's retention sweep on demand, and where each
//! campaign stands. `--now` moves the sweep's clock (to try a campaign's retention ahead of time on
//! a copy of the data, or in tests); it never sweeps a campaign that is not due at that time.

use std::io::Write;

use anyhow::Context as _;
use clap::Subcommand;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::retention::{due_at_ms, is_due, sweep_campaign, sweep_due};
use crate::app::wiring::Backends;
use crate::backends::retention::SweepRecord;
use crate::campaigns::Campaigns;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Sweep the campaigns past retention (all, or one) and print what was deleted.
    Sweep {
        #[arg(long)]
        campaign: Option<String>,
        /// The time to sweep as of (RFC 3339, e.g. 2027-06-01T00:00:00Z); default: now.
        #[arg(long)]
        now: Option<String>,
    },
    /// Each campaign's retention: days, when its data is due, whether it was swept.
    Status,
}

#[derive(Serialize)]
struct Status {
    campaign: String,
    retention_days: u32,
    /// `None`: the campaign has no close, so it is never swept.
    due_at: Option<String>,
    sweep: Option<SweepRecord>,
}

fn instant(text: &str) -> anyhow::Result<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).with_context(|| format!("--now {text:?} is not an RFC 3339 time"))?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

pub async fn run(
    backends: &Backends,
    campaigns: &Campaigns,
    command: RetentionCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Sweep { campaign, now } => {
            let now_ms = now.as_deref().map(instant).transpose()?.unwrap_or_else(crate::clock::now_ms);
            let swept = match campaign {
                None => sweep_due(backends, campaigns, now_ms).await?,
                Some(id) => {
                    let c = campaigns.get(&id).with_context(|| format!("no campaign {id:?}"))?;
                    anyhow::ensure!(
                        is_due(&c, now_ms),
                        "campaign {id:?} is not past retention (due at {})",
                        due_at_ms(&c).map_or("never: it has no closes_at".into(), crate::crypto::format_iso8601_ms)
                    );
                    sweep_campaign(backends, &id, now_ms).await?.into_iter().collect()
                }
            };
            writeln!(out, "{}", serde_json::to_string_pretty(&swept)?)?;
        }
        RetentionCommand::Status => {
            let mut ids: Vec<&str> = campaigns.ids().collect();
            ids.sort();
            let mut all = Vec::new();
            for id in ids {
                let Some(c) = campaigns.get(id) else { continue };
                all.push(Status {
                    campaign: id.to_string(),
                    retention_days: c.retention.days(),
                    due_at: due_at_ms(&c).map(crate::crypto::format_iso8601_ms),
                    sweep: backends.retention.sweep_record(id).await?,
                });
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        }
    }
    Ok(())
}
