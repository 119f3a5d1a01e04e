//! `vouch`: run the BFF, run a worker, and operate on entries.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use vouch_core::rewards::CreditState;
use vouch_server::app::secrets::Secrets;
use vouch_server::app::wiring::Backends;
use vouch_server::app::{demo, start};
use vouch_server::campaigns::Campaigns;
use vouch_server::config::Config;
use vouch_server::crypto::sha256_hex;
use vouch_server::entries::export;
use vouch_server::payouts;
use vouch_server::referrals::decisions::new_secret;
use vouch_server::review::cli::{audit, review, AuditCommand, ReviewCommand};

/// Every request allocates (headers, JSON, SQL parameters); glibc's malloc was about a sixth of
/// the accept path's CPU under load, mimalloc is cheaper and does not fragment as it grows.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Entries waiting for a person: list, approve, reject.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// The audit log: who decided what, when and why.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Show the queues' depth; list and redrive dead letters; pause and resume a queue.
    Queue {
        #[command(subcommand)]
        command: Option<vouch_server::queues::cli::QueueCommand>,
    },
    /// Create secrets for a campaign (each is printed once).
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// Create the configured AWS resources if missing (for moto or a sandbox account; production
    /// uses infra/vouch.yaml).
    Provision,
    /// Import discount codes into a campaign's pools and show the pools.
    Codes {
        #[command(subcommand)]
        command: vouch_server::codes::cli::CodesCommand,
    },
    /// Operator accounts and API tokens of the admin API and console.
    Operators {
        #[command(subcommand)]
        command: vouch_server::admin::cli::OperatorsCommand,
    },
    /// A shopper's data: export it, or erase it (GDPR Art. 15, 17, 20).
    Shopper {
        #[command(subcommand)]
        command: vouch_server::privacy::cli::ShopperCommand,
    },
    /// Delete personal data of campaigns past `retention_days` after their close.
    Retention {
        #[command(subcommand)]
        command: vouch_server::privacy::retention_cli::RetentionCommand,
    },
    /// A campaign's funnel: the rate between steps, shares by channel and a daily series.
    Stats(vouch_server::stats::cli::StatsArgs),
    /// Draw a campaign's winners from a public beacon; verify a draw; record a forfeit.
    Draw(vouch_server::draw::cli::DrawArgs),
    /// Review the rewards ledger.
    Rewards {
        #[command(subcommand)]
        command: RewardsCommand,
    },
    /// Print a URL that opens the Facebook tab as Facebook would: a request signed with the app
    /// secret (VOUCH_FACEBOOK_APP_SECRET), for trying a tab before the app is live.
    FacebookTab {
        /// The Facebook page id (listed under `[facebook] page_ids` in a campaign).
        #[arg(long)]
        page: String,
        /// The viewer's Facebook locale, e.g. de_DE.
        #[arg(long, default_value = "en_US")]
        locale: String,
        /// Passed through as `app_data` (a referral code).
        #[arg(long)]
        app_data: Option<String>,
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
    /// Export approved referrer credits not yet paid (to pay by hand).
    Payouts(payouts::PayoutsArgs),
    /// Record a payout reference on credits (by id or from a file); the audit log keeps who.
    MarkPaid(payouts::MarkPaidArgs),
}

#[derive(Subcommand)]
enum EntriesCommand {
    /// Print a page of a campaign's entries, newest first, filtered like the console's.
    List(vouch_server::entries::cli::ListArgs),
    /// A campaign's entries counted by status (JSON).
    Counts(vouch_server::entries::cli::CountsArgs),
    /// Export a campaign's entries.
    Export {
        #[arg(long)]
        campaign: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Add the code each entry holds from the campaign's entry pool (the shop's secrets:
        /// left out unless asked for).
        #[arg(long)]
        include_codes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Shoppers' receipts, the database and the secrets are this user's alone, whatever library
    // writes them (the object store writes its own files).
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { no_worker } => return serve(config, no_worker).await,
        Command::FacebookTab { page, locale, app_data } => return facebook_tab(&config, &page, &locale, app_data),
        _ => {}
    }
    let backends = Backends::open(&config, &Secrets::load_or_create(&config.data_dir)?).await?;
    let campaigns = Campaigns::load_dir(&config.campaigns_dir)?;
    match cli.command {
        Command::Serve { .. } | Command::FacebookTab { .. } => unreachable!("handled above"),
        Command::Worker => {
            let worker = start::worker(&config, &backends, campaigns.clone());
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let sweeper = vouch_server::worker::retention::sweeper(&config, &backends, campaigns, stopped.clone());
            let sweeper = tokio::spawn(sweeper);
            let run = tokio::spawn(worker.run(stopped));
            tracing::info!("worker running; Ctrl-C or SIGTERM to stop");
            start::wait_for_signal().await;
            let _ = stop.send(true);
            run.await?;
            sweeper.await?;
        }
        Command::Entries { command } => entries(&backends, &campaigns, command).await?,
        Command::Outbox => println!("{}", serde_json::to_string_pretty(&backends.outbox_mails().await?)?),
        Command::Queue { command } => {
            vouch_server::queues::cli::run(&backends, command, &mut std::io::stdout()).await?
        }
        Command::Secrets { command } => secrets(&backends, &campaigns, command).await?,
        Command::Provision => {
            backends.provision(config.worker.max_attempts).await?;
            println!("bucket, queues (with dead-letter queues), table and mail identity are in place");
        }
        Command::Rewards { command } => rewards(&backends, &campaigns, command).await?,
        Command::Codes { command } => {
            vouch_server::codes::cli::run_and_deliver(command, &campaigns, &backends, &mut std::io::stdout()).await?
        }
        Command::Review { command } => review(&backends, &campaigns, command).await?,
        Command::Audit { command } => audit(&backends, command).await?,
        Command::Draw(args) => vouch_server::draw::cli::run(&backends, &campaigns, args).await?,
        Command::Shopper { command } => vouch_server::privacy::cli::run(&backends, command).await?,
        Command::Retention { command } => {
            vouch_server::privacy::retention_cli::run(&backends, &campaigns, command, &mut std::io::stdout()).await?
        }
        Command::Stats(args) => {
            let (analytics, now) = (backends.analytics.as_ref(), vouch_server::clock::now_ms());
            vouch_server::stats::cli::run(analytics, &campaigns, args, now, &mut std::io::stdout()).await?
        }
        Command::Operators { command } => {
            use vouch_server::admin::cli::{run, PasswordSource};
            run(&backends, &campaigns, command, PasswordSource::from_stdin, &mut std::io::stdout()).await?
        }
    }
    Ok(())
}

async fn serve(mut config: Config, no_worker: bool) -> anyhow::Result<()> {
    if no_worker {
        config.worker.embedded = false;
    }
    let running = start::start(&config).await?;
    let s3 = running.s3.map(|a| format!("http://{a}"));
    let ready = serde_json::json!({
        "bff": running.bff_url(), "metrics": running.metrics_url(), "s3": s3, "demo": running.demo_url()
    });
    // One machine-readable line for scripts and tests, then the words for people.
    println!("VOUCH_READY {ready}");
    println!("Vouch is running.");
    println!("  BFF (API, loader):     {}", running.bff_url());
    println!("  Metrics, readiness:    {}/metrics, /readyz (internal)", running.metrics_url());
    if let Some(demo_url) = running.demo_url() {
        println!("  Demo merchant page:    {demo_url}/   (referral panel: {demo_url}/refer, shop: {demo_url}/shop)");
        println!(
            "  Snippet on that page:  {}",
            demo::snippet(&running.bff_url(), &config.demo.campaign).replace('\n', " ")
        );
    }
    println!("  Hosted campaign page:  {}/c/{}", running.bff_url(), config.demo.campaign);
    println!("  Entries:               vouch entries export --campaign {} --format csv", config.demo.campaign);
    std::io::stdout().flush()?;
    running.until_signal().await;
    Ok(())
}

fn facebook_tab(config: &Config, page: &str, locale: &str, app_data: Option<String>) -> anyhow::Result<()> {
    let secret = config.facebook.app_secret.as_ref().context("set VOUCH_FACEBOOK_APP_SECRET (the app's secret)")?;
    let now = vouch_server::clock::now_ms() / 1000;
    let payload = serde_json::json!({
        "algorithm": "HMAC-SHA256",
        "issued_at": now,
        "page": { "id": page, "liked": false, "admin": false },
        "user": { "locale": locale },
        "app_data": app_data,
    });
    let signed = vouch_server::pages::facebook::sign(&payload, secret.expose().as_bytes());
    let base =
        config.http.public_url.clone().unwrap_or_else(|| format!("http://{}:{}", config.http.host, config.http.port));
    println!("{}/fb/tab?signed_request={signed}", base.trim_end_matches('/'));
    Ok(())
}

async fn entries(backends: &Backends, campaigns: &Campaigns, command: EntriesCommand) -> anyhow::Result<()> {
    match command {
        EntriesCommand::List(args) => {
            vouch_server::entries::cli::list(backends.search.as_ref(), campaigns, args).await?
        }
        EntriesCommand::Counts(args) => {
            vouch_server::entries::cli::print_counts(backends.search.as_ref(), campaigns, args).await?
        }
        EntriesCommand::Export { campaign, format, output, include_codes } => {
            let mut out: Box<dyn Write> = match &output {
                Some(path) => {
                    Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?)
                }
                None => Box::new(std::io::stdout().lock()),
            };
            let (store, search, codes) = (backends.store.as_ref(), backends.search.as_ref(), backends.codes.as_ref());
            let json = matches!(format, Format::Json);
            export::export(store, search, codes, &campaign, json, include_codes, &mut out).await?;
        }
    }
    Ok(())
}

async fn secrets(backends: &Backends, campaigns: &Campaigns, command: SecretsCommand) -> anyhow::Result<()> {
    let known = |id: &str| campaigns.get(id).ok_or_else(|| anyhow::anyhow!("no campaign {id:?}"));
    match command {
        SecretsCommand::Merchant { campaign } => {
            known(&campaign)?;
            let secret = new_secret("vm")?;
            backends.referrals.add_merchant_secret(&campaign, &sha256_hex(&secret)).await?;
            println!("{secret}");
        }
        SecretsCommand::Webhook { campaign } => {
            known(&campaign)?;
            let secret = new_secret("whsec")?;
            backends.referrals.set_webhook_secret(&campaign, &secret).await?;
            println!("{secret}");
        }
    }
    Ok(())
}

async fn rewards(backends: &Backends, campaigns: &Campaigns, command: RewardsCommand) -> anyhow::Result<()> {
    let (credit_id, next, reason) = match command {
        RewardsCommand::List { campaign } => {
            let (referrals, paid) = (backends.referrals.as_ref(), backends.payouts.as_ref());
            return payouts::list_credits(referrals, paid, &campaign, &mut std::io::stdout()).await;
        }
        RewardsCommand::Payouts(args) => {
            return payouts::list(backends.payouts.as_ref(), campaigns, args, &mut std::io::stdout()).await
        }
        RewardsCommand::MarkPaid(args) => {
            return payouts::mark_paid(backends.payouts.as_ref(), campaigns, args, &mut std::io::stdout()).await
        }
        RewardsCommand::Approve { credit_id, reason } => (credit_id, CreditState::Approved, reason),
        RewardsCommand::Deny { credit_id, reason } => (credit_id, CreditState::Denied, reason),
    };
    use vouch_server::codes::verdicts::{self, Verdict};
    let actor = vouch_server::review::cli::actor(None);
    match verdicts::decide(backends, campaigns, None, &credit_id, next, reason.as_deref(), &actor).await? {
        Verdict::Decided(credit) => println!("{} is now {}", credit.credit_id, credit.state.as_str()),
        Verdict::Finished(_) => println!("{credit_id} was already approved; its code is handed out"),
    }
    Ok(())
}
