//! `vouch shopper export|erase`: thin over [`super::export`] and [`super::erase`].

use std::path::PathBuf;

use clap::Subcommand;

use crate::app::wiring::Backends;

#[derive(Subcommand)]
pub enum ShopperCommand {
    /// Everything held about a mailbox: one JSON document plus the receipt images.
    Export {
        email: String,
        #[arg(long)]
        campaign: Option<String>,
        /// Folder to write `shopper.json` and `receipts/` into (default: ./shopper-export).
        #[arg(long, default_value = "shopper-export")]
        out: PathBuf,
        /// Who asks (for the audit log); default: cli.
        #[arg(long, default_value = "cli")]
        by: String,
    },
    /// Remove or anonymise everything held about a mailbox (stores and object store).
    Erase {
        email: String,
        #[arg(long)]
        campaign: Option<String>,
        /// Who erases (for the erasure and audit logs); default: cli.
        #[arg(long, default_value = "cli")]
        by: String,
    },
}

pub async fn run(backends: &Backends, command: ShopperCommand) -> anyhow::Result<()> {
    match command {
        ShopperCommand::Export { email, campaign, out, by } => {
            let export = super::export::export(backends, &email, campaign.as_deref(), &by).await?;
            super::export::write(&export, &out)?;
            println!("{}", out.join("shopper.json").display());
        }
        ShopperCommand::Erase { email, campaign, by } => {
            let report = super::erase::erase(backends, &email, campaign.as_deref(), &by).await?;
            if report.nothing_held {
                eprintln!("nothing held about this address (the request is logged)");
            }
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    Ok(())
}
