//! Choosing the backends from configuration: each part (objects, queues + store, mail) is
//! embedded or AWS, and everything above this module only sees the traits.

use std::sync::Arc;

use anyhow::Context as _;

use crate::app::secrets::Secrets;
use crate::backends::analytics::Analytics;
use crate::backends::aws::Aws;
use crate::backends::codes::Codes;
use crate::backends::consents::ConsentStore;
use crate::backends::draws::Draws;
use crate::backends::embedded::objects::LocalObjects;
use crate::backends::embedded::{OutboxMail, SqliteBackend};
use crate::backends::entry_search::EntrySearch;
use crate::backends::operators::Operators;
use crate::backends::payouts::Payouts;
use crate::backends::privacy::{ErasureKey, Privacy};
use crate::backends::receipts::ReceiptIndex;
use crate::backends::referrals::Referrals;
use crate::backends::retention::RetentionStore;
use crate::backends::review::Moderation;
use crate::backends::signing::CredentialSource;
use crate::backends::{
    Control, Intake, Mailer, Objects, Queue, Store, CONVERSIONS_TOPIC, ENTRIES_TOPIC, EVENTS_TOPIC, WEBHOOKS_TOPIC,
    WEBHOOK_ATTEMPTS,
};
use crate::config::{Config, MailBackend, ObjectsBackend, QueueBackend};

#[derive(Clone)]
pub struct Backends {
    pub intake: Arc<dyn Intake>,
    pub store: Arc<dyn Store>,
    /// The console's entry search (keyset pages) and counts by status.
    pub search: Arc<dyn EntrySearch>,
    pub referrals: Arc<dyn Referrals>,
    /// Code pools: import, the exactly-once claim, status.
    pub codes: Arc<dyn Codes>,
    /// The pools' levels, shared by the flows that claim codes and `/metrics`.
    pub code_watch: crate::codes::watch::PoolWatch,
    /// Receipt fingerprints, for duplicate receipts.
    pub receipts: Arc<dyn ReceiptIndex>,
    /// Consent records, by mailbox identity.
    pub consents: Arc<dyn ConsentStore>,
    /// Review cases, decisions and the audit log.
    pub moderation: Arc<dyn Moderation>,
    pub draws: Arc<dyn Draws>,
    /// Referrer rewards paid out by hand.
    pub payouts: Arc<dyn Payouts>,
    /// Operator accounts, sessions and API tokens of the admin API.
    pub operators: Arc<dyn Operators>,
    pub control: Arc<dyn Control>,
    pub entries: Arc<dyn Queue>,
    pub conversions: Arc<dyn Queue>,
    pub webhooks: Arc<dyn Queue>,
    /// Funnel events from pages and the server, aggregated by the worker.
    pub events: Arc<dyn Queue>,
    /// The funnel's counters the events lane writes and reports read.
    pub analytics: Arc<dyn Analytics>,
    pub objects: Arc<dyn Objects>,
    pub mailer: Arc<dyn Mailer>,
    /// Signs and checks marketing confirmation links.
    pub optin: crate::consents::optin::OptInLinks,
    /// What upload grants are signed with.
    pub signing: Arc<dyn CredentialSource>,
    /// The SQLite database, when any part is embedded (outbox, CLI listings).
    pub sqlite: Option<SqliteBackend>,
    /// The in-process object store's folder, when objects are local.
    pub local_objects: Option<LocalObjects>,
    /// The AWS clients, when any part is on AWS.
    pub aws: Option<Aws>,
    /// What each store holds about one shopper (export and erase).
    pub privacy: Arc<dyn Privacy>,
    /// Keys the erasure log's identity hashes.
    pub erasure_key: ErasureKey,
    /// A campaign's personal rows page by page, and the retention sweeps' progress.
    pub retention: Arc<dyn RetentionStore>,
}

impl Backends {
    /// The mails in the embedded outbox (`vouch outbox`); an error when mail goes through SES.
    pub async fn outbox_mails(&self) -> anyhow::Result<Vec<OutboxMail>> {
        let db = self.sqlite.as_ref().context("the outbox exists with the embedded mail backend only")?;
        Ok(db.outbox().list().await?)
    }

    /// Creates the configured AWS resources (`vouch provision`).
    pub async fn provision(&self, max_attempts: u32) -> anyhow::Result<()> {
        let aws = self.aws.as_ref().context("nothing to provision: no backend is on AWS in this configuration")?;
        aws.provision(max_attempts).await
    }

    pub async fn open(config: &Config, secrets: &Secrets) -> anyhow::Result<Self> {
        config.check()?;
        let needs_sqlite = config.queue.backend == QueueBackend::Sqlite || config.mail.backend == MailBackend::Outbox;
        let sqlite = needs_sqlite
            .then(|| SqliteBackend::open(&config.db_path()).map(|db| db.with_erasure_key(secrets.erasure_key())))
            .transpose()?;
        let aws = if config.uses_aws() { Some(Aws::connect(config).await?) } else { None };

        let local_objects = match config.objects.backend {
            ObjectsBackend::Local => Some(
                LocalObjects::new(&config.objects_dir(), &config.objects.bucket)
                    .context("opening the object store")?
                    .with_links(
                        &local_endpoint(config),
                        &config.objects.bucket,
                        &config.objects.region,
                        &secrets.s3_credentials(),
                    ),
            ),
            ObjectsBackend::S3 => None,
        };
        let (objects, signing): (Arc<dyn Objects>, Arc<dyn CredentialSource>) = match &local_objects {
            Some(local) => (Arc::new(local.clone()), Arc::new(secrets.s3_credentials())),
            None => {
                let aws = aws.as_ref().context("AWS clients")?;
                (Arc::new(aws.objects()), Arc::new(aws.signing()))
            }
        };
        let mailer: Arc<dyn Mailer> = match (config.mail.backend, &sqlite) {
            (MailBackend::Outbox, Some(db)) => Arc::new(db.outbox()),
            _ => Arc::new(aws.as_ref().context("AWS clients")?.mailer()),
        };
        let attempts = config.worker.max_attempts;
        let optin_base =
            config.http.public_url.clone().unwrap_or_else(|| format!("http://localhost:{}", config.http.port));
        let optin =
            crate::consents::optin::OptInLinks::new(secrets.optin_key.as_bytes(), config.mail.optin_days, &optin_base);
        let backends = match (config.queue.backend, &sqlite) {
            (QueueBackend::Sqlite, Some(db)) => Self {
                intake: Arc::new(db.clone()),
                store: Arc::new(db.clone()),
                search: Arc::new(db.clone()),
                referrals: Arc::new(db.clone()),
                codes: Arc::new(db.codes(secrets.code_keys())),
                code_watch: Default::default(),
                receipts: Arc::new(db.clone()),
                consents: Arc::new(db.clone()),
                moderation: Arc::new(db.clone()),
                draws: Arc::new(db.clone()),
                payouts: Arc::new(db.clone()),
                operators: Arc::new(db.clone()),
                privacy: Arc::new(db.clone()),
                retention: Arc::new(db.clone()),
                erasure_key: secrets.erasure_key(),
                control: Arc::new(db.clone()),
                entries: Arc::new(db.queue(ENTRIES_TOPIC, attempts)),
                conversions: Arc::new(db.queue(CONVERSIONS_TOPIC, attempts)),
                webhooks: Arc::new(db.queue(WEBHOOKS_TOPIC, attempts.max(WEBHOOK_ATTEMPTS))),
                events: Arc::new(db.queue(EVENTS_TOPIC, attempts)),
                analytics: Arc::new(db.clone()),
                objects,
                mailer,
                optin: optin.clone(),
                signing,
                sqlite: sqlite.clone(),
                local_objects,
                aws,
            },
            _ => {
                let a = aws.clone().context("AWS clients")?;
                let store = Arc::new(a.store().with_erasure_key(secrets.erasure_key()));
                Self {
                    intake: store.clone(),
                    store: store.clone(),
                    search: store.clone(),
                    referrals: store.clone(),
                    codes: Arc::new(store.codes(secrets.code_keys())),
                    code_watch: Default::default(),
                    receipts: store.clone(),
                    consents: store.clone(),
                    moderation: store.clone(),
                    draws: store.clone(),
                    payouts: store.clone(),
                    operators: store.clone(),
                    privacy: store.clone(),
                    retention: store.clone(),
                    erasure_key: secrets.erasure_key(),
                    control: store.clone(),
                    entries: Arc::new(a.queue(ENTRIES_TOPIC)),
                    conversions: Arc::new(a.queue(CONVERSIONS_TOPIC)),
                    webhooks: Arc::new(a.queue(WEBHOOKS_TOPIC)),
                    events: Arc::new(a.queue(EVENTS_TOPIC)),
                    analytics: store,
                    objects,
                    mailer,
                    optin,
                    signing,
                    sqlite: sqlite.clone(),
                    local_objects,
                    aws,
                }
            }
        };
        Ok(backends)
    }

    /// Every queue by name, for readiness, metrics and the CLI.
    pub fn queues(&self) -> Vec<(&'static str, Arc<dyn Queue>)> {
        vec![
            (ENTRIES_TOPIC, self.entries.clone()),
            (CONVERSIONS_TOPIC, self.conversions.clone()),
            (WEBHOOKS_TOPIC, self.webhooks.clone()),
            (EVENTS_TOPIC, self.events.clone()),
        ]
    }

    pub fn queue(&self, name: &str) -> Option<Arc<dyn Queue>> {
        self.queues().into_iter().find(|(n, _)| *n == name).map(|(_, q)| q)
    }
}

/// Where browsers reach the in-process S3 endpoint: `objects.public_url`, else its own address
/// (`vouch serve` sets the port it bound before opening the backends).
pub fn local_endpoint(config: &Config) -> String {
    match &config.objects.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let host = match config.http.host {
                h if h.is_unspecified() => "localhost".to_string(),
                std::net::IpAddr::V6(h) => format!("[{h}]"),
                h => h.to_string(),
            };
            format!("http://{host}:{}", config.objects.port)
        }
    }
}
