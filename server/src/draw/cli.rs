//! `vouch draw …`: argument parsing and printing only; the work is in the parent module.

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::app::wiring::Backends;
use crate::campaigns::Campaigns;
use crate::clock::now_ms;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DrawArgs {
    #[command(subcommand)]
    command: Option<DrawCommand>,
    #[arg(long, required = true)]
    campaign: Option<String>,
    /// How many winners.
    #[arg(long, required = true)]
    winners: Option<usize>,
    /// How many alternates, in order, for winners who forfeit.
    #[arg(long, default_value_t = 0)]
    alternates: usize,
    /// The public random value nobody knew before the close (a drand round, a lottery result).
    #[arg(long, required = true)]
    beacon: Option<String>,
    /// Where the beacon comes from, in words (recorded with the draw).
    #[arg(long)]
    beacon_source: Option<String>,
    /// Draw before the campaign's close.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Subcommand)]
enum DrawCommand {
    /// Recompute a draw from the stored entries; exits non-zero when it does not match.
    Verify { draw_id: String },
    /// A winner gives up the prize: the next alternate takes the place.
    Forfeit { draw_id: String, entry_id: String },
    /// Mail the draw's current winners who were not mailed yet (after an interrupted run).
    Notify { draw_id: String },
    /// Print a campaign's draws as JSON.
    List {
        #[arg(long)]
        campaign: String,
    },
}

fn actor() -> String {
    std::env::var("USER").map(|u| format!("cli:{u}")).unwrap_or_else(|_| "cli".into())
}

pub async fn run(backends: &Backends, campaigns: &Campaigns, args: DrawArgs) -> anyhow::Result<()> {
    match args.command {
        Some(DrawCommand::Verify { draw_id }) => {
            let v = super::verify(backends, &draw_id).await?;
            if v.matches() {
                println!("{draw_id}: match ({} eligible, seed {})", v.draw.eligible, v.draw.seed);
                return Ok(());
            }
            println!("{draw_id}: MISMATCH");
            for d in &v.differences {
                println!("  {d}");
            }
            anyhow::bail!("draw {draw_id} does not match the stored entries");
        }
        Some(DrawCommand::Forfeit { draw_id, entry_id }) => {
            let (_, by) = super::forfeit(backends, campaigns, &draw_id, &entry_id, &actor(), now_ms()).await?;
            match by {
                Some(next) => println!("{entry_id} forfeited; {next} is promoted and mailed"),
                None => println!("{entry_id} forfeited; no alternate was left"),
            }
        }
        Some(DrawCommand::Notify { draw_id }) => {
            super::notify_draw(backends, campaigns, &draw_id).await?;
            println!("{draw_id}: every current winner has been mailed");
        }
        Some(DrawCommand::List { campaign }) => {
            println!("{}", serde_json::to_string_pretty(&backends.draws.list_draws(&campaign).await?)?);
        }
        None => {
            let id = args.campaign.context("--campaign")?;
            let campaign = campaigns.get(&id).with_context(|| format!("no campaign {id:?}"))?;
            let request = super::DrawRequest {
                winners: args.winners.context("--winners")?,
                alternates: args.alternates,
                beacon: args.beacon.context("--beacon")?,
                beacon_source: args.beacon_source,
                force: args.force,
                actor: actor(),
            };
            let draw = super::draw_campaign(backends, &campaign, &request, now_ms()).await?;
            println!("{}", serde_json::to_string_pretty(&draw)?);
        }
    }
    Ok(())
}
