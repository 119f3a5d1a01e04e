//! `vouch stats --campaign C [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format table|csv|json]`.

use std::io::Write;

use anyhow::Context as _;
use clap::Args;

use super::format::{self, Format};
use crate::backends::analytics::Analytics;
use crate::campaigns::Campaigns;

#[derive(Args)]
pub struct StatsArgs {
    #[arg(long)]
    pub campaign: String,
    /// First day, UTC (default: 29 days before `--to`, so 30 days in all).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day, included, UTC (default: today).
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// Prints the report of `args.campaign` to `out`; an unknown campaign or a bad range is an error.
pub async fn run(
    analytics: &dyn Analytics,
    campaigns: &Campaigns,
    args: StatsArgs,
    now_ms: i64,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    campaigns.get(&args.campaign).with_context(|| format!("no campaign {:?}", args.campaign))?;
    let stats = super::report(analytics, &args.campaign, args.from.as_deref(), args.to.as_deref(), now_ms).await?;
    format::write(&stats, args.format, out)
}
