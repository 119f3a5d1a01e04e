//! `vouch`: run the BFF, run a worker, and operate on entries.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use vouch_core::rewards::CreditState;
use vouch_server::backends::embedded::{SqliteBackend, CONVERSIONS_TOPIC, ENTRIES_TOPIC, WEBHOOKS_TOPIC};
use vouch_server::backends::referrals::Referrals;
use vouch_server::backends::{Queue, QueueStats, Store};
use vouch_server::campaigns::Campaigns;
use vouch_server::config::Config;
use vouch_server::referrals::{decide_credit, new_secret, sha256_hex};
use vouch_server::{demo, export, server};

#[derive(Parser)]
#[command(name = "vouch", version, about = "Referral and giveaway campaigns: BFF, worker and operator tools")]
struct Cli {
    /// Config file (default: ./vouch.toml when present, else built-in defaults).
    #[arg(long, global = true, env = "VOUCH_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the BFF, object store endpoint, demo site and (by default) the worker.
    Serve {
        /// Do not run the worker in this process (run `vouch worker` separately).
        #[arg(long)]
        no_worker: bool,
    },
    /// Run only the worker, draining the queue until stopped.
    Worker,
    /// Work with entries.
    Entries {
        #[command(subcommand)]
        command: EntriesCommand,
    },
    /// Show the mail outbox (embedded mail backend).
    Outbox,
    /// Show the queues' depth.
    Queue,
    /// Create secrets for a campaign (each is printed once).
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Review the rewards ledger.
    Rewards {
        #[command(subcommand)]
        command: RewardsCommand,
    },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// A new merchant secret for `POST /v1/conversions` (stored hashed; older ones stay valid).
    Merchant {
        #[arg(long)]
        campaign: String,
    },
    /// A new webhook signing secret (replaces the previous one).
    Webhook {
        #[arg(long)]
        campaign: String,
    },
}

#[derive(Subcommand)]
enum RewardsCommand {
    /// Print a campaign's credits as JSON.
    List {
        #[arg(long)]
        campaign: String,
    },
    /// Approve a pending credit.
    Approve {
        credit_id: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Deny a pending credit.
    Deny {
        credit_id: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand)]
enum EntriesCommand {
    /// Print a campaign's entries.
    List {
        #[arg(long)]
        campaign: String,
    },
    /// Export a campaign's entries.
    Export {
        #[arg(long)]
        campaign: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { no_worker } => serve(config, no_worker).await,
        Command::Worker => {
            let backend = SqliteBackend::open(&config.db_path())?;
            let campaigns = Campaigns::load_dir(&config.campaigns_dir)?;
            let worker = server::worker(&config, &backend, campaigns)?;
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let run = tokio::spawn(worker.run(stopped));
            tracing::info!("worker running; Ctrl-C to stop");
            tokio::signal::ctrl_c().await?;
            let _ = stop.send(true);
            run.await?;
            Ok(())
        }
        Command::Entries { command } => entries(config, command).await,
        Command::Outbox => {
            let mails = SqliteBackend::open(&config.db_path())?.outbox().list().await?;
            println!("{}", serde_json::to_string_pretty(&mails)?);
            Ok(())
        }
        Command::Queue => {
            let backend = SqliteBackend::open(&config.db_path())?;
            for topic in [ENTRIES_TOPIC, CONVERSIONS_TOPIC, WEBHOOKS_TOPIC] {
                let QueueStats { ready, in_flight, dead } =
                    backend.queue(topic, config.worker.max_attempts).stats().await?;
                println!("{topic:<12} {ready} ready, {in_flight} in flight, {dead} dead");
            }
            Ok(())
        }
        Command::Secrets { command } => secrets(config, command).await,
        Command::Rewards { command } => rewards(config, command).await,
    }
}

async fn serve(mut config: Config, no_worker: bool) -> anyhow::Result<()> {
    if no_worker {
        config.worker.embedded = false;
    }
    let running = server::start(&config).await?;
    let ready = serde_json::json!({ "bff": running.bff_url(), "s3": format!("http://{}", running.s3), "demo": running.demo_url() });
    // One machine-readable line for scripts and tests, then the words for people.
    println!("VOUCH_READY {ready}");
    println!("Vouch is running.");
    println!("  BFF (API, loader):     {}", running.bff_url());
    if let Some(demo_url) = running.demo_url() {
        println!("  Demo merchant page:    {demo_url}/");
        println!(
            "  Snippet on that page:  {}",
            demo::snippet(&running.bff_url(), &config.demo.campaign).replace('\n', " ")
        );
    }
    println!("  Entries:               vouch entries export --campaign {} --format csv", config.demo.campaign);
    std::io::stdout().flush()?;
    running.until_signal().await;
    Ok(())
}

async fn entries(config: Config, command: EntriesCommand) -> anyhow::Result<()> {
    let backend = SqliteBackend::open(&config.db_path())?;
    match command {
        EntriesCommand::List { campaign } => {
            for e in backend.list_entries(&campaign).await? {
                let reason = e.reason.map(|r| r.code()).unwrap_or("");
                println!(
                    "{}  {:<9} {:<24} {} {}  {}",
                    e.entry_id,
                    e.status.as_str(),
                    reason,
                    e.first_name,
                    e.last_name,
                    e.email
                );
            }
        }
        EntriesCommand::Export { campaign, format, output } => {
            let entries = backend.list_entries(&campaign).await?;
            let mut out: Box<dyn Write> = match &output {
                Some(path) => {
                    Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?)
                }
                None => Box::new(std::io::stdout().lock()),
            };
            match format {
                Format::Csv => export::write_csv(&mut out, &entries)?,
                Format::Json => serde_json::to_writer_pretty(&mut out, &entries)?,
            }
            out.flush()?;
        }
    }
    Ok(())
}

async fn secrets(config: Config, command: SecretsCommand) -> anyhow::Result<()> {
    let backend = SqliteBackend::open(&config.db_path())?;
    let campaigns = Campaigns::load_dir(&config.campaigns_dir)?;
    let known = |id: &str| {
        campaigns.get(id).ok_or_else(|| anyhow::anyhow!("no campaign {id:?} in {}", config.campaigns_dir.display()))
    };
    match command {
        SecretsCommand::Merchant { campaign } => {
            known(&campaign)?;
            let secret = new_secret("vm")?;
            backend.add_merchant_secret(&campaign, &sha256_hex(&secret)).await?;
            println!("{secret}");
        }
        SecretsCommand::Webhook { campaign } => {
            known(&campaign)?;
            let secret = new_secret("whsec")?;
            backend.set_webhook_secret(&campaign, &secret).await?;
            println!("{secret}");
        }
    }
    Ok(())
}

async fn rewards(config: Config, command: RewardsCommand) -> anyhow::Result<()> {
    let backend = SqliteBackend::open(&config.db_path())?;
    let (credit_id, next, reason) = match command {
        RewardsCommand::List { campaign } => {
            println!("{}", serde_json::to_string_pretty(&backend.list_credits(&campaign).await?)?);
            return Ok(());
        }
        RewardsCommand::Approve { credit_id, reason } => (credit_id, CreditState::Approved, reason),
        RewardsCommand::Deny { credit_id, reason } => (credit_id, CreditState::Denied, reason),
    };
    let campaigns = Campaigns::load_dir(&config.campaigns_dir)?;
    let webhooks = backend.queue(WEBHOOKS_TOPIC, config.worker.max_attempts.max(8));
    match decide_credit(&backend, &webhooks, &campaigns, &credit_id, next, reason.as_deref()).await? {
        Some(credit) => println!("{} is now {}", credit.credit_id, credit.state.as_str()),
        None => anyhow::bail!("{credit_id} is not a pending credit"),
    }
    Ok(())
}
