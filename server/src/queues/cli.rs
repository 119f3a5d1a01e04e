//! `vouch queue`: the lanes' depth, their dead letters, redrive, pause and resume. Every write
//! goes through the same functions as the admin API, audited with the actor `cli`.

use std::io::Write;

use clap::{Args, Subcommand};

use crate::app::wiring::Backends;
use crate::crypto::format_iso8601_ms;

/// The audit log's actor for commands run here.
pub const ACTOR: &str = "cli";

#[derive(Subcommand)]
pub enum QueueCommand {
    /// Stop draining a queue (its messages wait; the BFF keeps accepting).
    Pause { queue: String },
    /// Drain a paused queue again.
    Resume { queue: String },
    /// List a queue's dead letters: id, attempts, last error, campaign (never the message).
    Dead {
        queue: String,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Move dead letters back to the queue with their attempts reset.
    Redrive(RedriveArgs),
}

#[derive(Args)]
pub struct RedriveArgs {
    queue: String,
    /// The dead letter's id (from `vouch queue dead`).
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    id: Option<String>,
    /// Every dead letter of the queue.
    #[arg(long)]
    all: bool,
}

/// Runs `vouch queue [command]`, writing what it did to `out`.
pub async fn run(backends: &Backends, command: Option<QueueCommand>, out: &mut impl Write) -> anyhow::Result<()> {
    match command {
        None => {
            for q in super::overview(backends).await? {
                let paused = if q.paused { "  (paused)" } else { "" };
                writeln!(out, "{:<12} {} ready, {} in flight, {} dead{paused}", q.name, q.ready, q.in_flight, q.dead)?;
            }
        }
        Some(QueueCommand::Pause { queue }) => {
            super::pause(backends, &queue, ACTOR).await?;
            writeln!(out, "{queue} is paused: its messages wait until `vouch queue resume`")?;
        }
        Some(QueueCommand::Resume { queue }) => {
            super::resume(backends, &queue, ACTOR).await?;
            writeln!(out, "{queue} is draining again")?;
        }
        Some(QueueCommand::Dead { queue, limit }) => {
            let dead = super::dead_letters(backends, &queue, limit).await?;
            if dead.is_empty() {
                writeln!(out, "{queue} has no dead letters")?;
            }
            for d in dead {
                let when = d.failed_at_ms.map(format_iso8601_ms).unwrap_or_else(|| "-".into());
                let campaign = d.campaign.as_deref().unwrap_or("-");
                let error = d.last_error.as_deref().unwrap_or("-");
                writeln!(out, "{}  {} attempts  {when}  {campaign}  {error}", d.id, d.attempts)?;
            }
        }
        Some(QueueCommand::Redrive(RedriveArgs { queue, id: Some(id), .. })) => {
            super::redrive(backends, &queue, &id, ACTOR).await?;
            writeln!(out, "{id} is back in {queue}")?;
        }
        Some(QueueCommand::Redrive(RedriveArgs { queue, .. })) => {
            let moved = super::redrive_all(backends, &queue, ACTOR).await?;
            writeln!(out, "{moved} dead letters are back in {queue}")?;
        }
    }
    Ok(())
}
