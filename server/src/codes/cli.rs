//! `vouch codes import` and `vouch codes status`. Output names lines and counts, never a code.

use std::io::Write;
use std::path::PathBuf;

use super::import::{self, ImportError};
use super::pools;
use crate::backends::codes::Codes;
use crate::campaigns::{Campaign, Campaigns};
use anyhow::{bail, Context as _};

#[derive(Debug, clap::Subcommand)]
pub enum CodesCommand {
    /// Import codes into a pool: a CSV file (codes in the first column, a header line is fine) or
    /// one code per line. Codes already in any of the campaign's pools are skipped; a file with
    /// an invalid line imports nothing.
    Import {
        #[arg(long)]
        campaign: String,
        /// entry, winner, referrer or friend (declared as [codes.<pool>] in the campaign file).
        #[arg(long)]
        pool: String,
        file: PathBuf,
    },
    /// Each pool's available, assigned and waiting counts and its low-water mark.
    Status {
        #[arg(long)]
        campaign: String,
        #[arg(long, value_enum, default_value = "table")]
        format: StatusFormat,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusFormat {
    Table,
    Json,
}

pub async fn run(
    command: CodesCommand,
    campaigns: &Campaigns,
    codes: &dyn Codes,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let known = |id: &str| campaigns.get(id).with_context(|| format!("no campaign {id:?}"));
    match command {
        CodesCommand::Import { campaign, pool, file } => import(&*known(&campaign)?, &pool, &file, codes, out).await,
        CodesCommand::Status { campaign, format } => status(&*known(&campaign)?, format, codes, out).await,
    }
}

/// [`run`], then, after an import, mails the codes it filled (and any a crash held back).
pub async fn run_and_deliver(
    command: CodesCommand,
    campaigns: &Campaigns,
    backends: &crate::app::wiring::Backends,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let import = matches!(command, CodesCommand::Import { .. });
    run(command, campaigns, backends.codes.as_ref(), out).await?;
    if import {
        let sent = import::deliver(backends, campaigns).await?;
        if sent > 0 {
            writeln!(out, "{sent} code(s) mailed")?;
        }
    }
    Ok(())
}

async fn import(
    campaign: &Campaign,
    pool: &str,
    path: &PathBuf,
    codes: &dyn Codes,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    match import::import(campaign, pool, &bytes, is_csv, codes).await {
        Ok(done) => {
            writeln!(out, "new {}, duplicate {}, invalid 0", done.new, done.duplicate)?;
            if done.filled > 0 {
                writeln!(out, "{} waiting item(s) got a code", done.filled)?;
            }
            Ok(())
        }
        Err(e @ (ImportError::File(_) | ImportError::Invalid(_))) => {
            if let ImportError::Invalid(lines) = &e {
                for (line, problem) in lines {
                    writeln!(out, "line {line}: {problem}")?;
                }
            }
            bail!("{}: {e}", path.display())
        }
        Err(e) => Err(e.into()),
    }
}

async fn status(
    campaign: &Campaign,
    format: StatusFormat,
    codes: &dyn Codes,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let statuses = pools::status(campaign, codes).await?;
    match format {
        StatusFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&statuses)?)?,
        StatusFormat::Table => {
            writeln!(
                out,
                "{:<10} {:>10} {:>10} {:>10} {:>10}  level",
                "pool", "available", "assigned", "awaiting", "low_water"
            )?;
            for s in &statuses {
                let mark = s.low_water.map_or("removed".to_string(), |m| m.to_string());
                let level = serde_json::to_value(s.level)?.as_str().unwrap_or("").to_string();
                let c = s.counts;
                writeln!(
                    out,
                    "{:<10} {:>10} {:>10} {:>10} {mark:>10}  {level}",
                    s.pool.as_str(),
                    c.available,
                    c.assigned,
                    c.awaiting
                )?;
            }
        }
    }
    if let Some(problem) = pools::removed_in_use(campaign.id(), &statuses) {
        bail!("{problem}");
    }
    Ok(())
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
