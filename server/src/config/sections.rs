//! The sections of the server's configuration file, each with the defaults that run the whole
//! product on one machine.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FacebookConfig {
    /// The Facebook app's secret, which signs `signed_request`. Prefer the
    /// `VOUCH_FACEBOOK_APP_SECRET` environment variable to a file. Without it the tab answers 503.
    pub app_secret: Option<Secret>,
    /// A signed request older than this is refused as stale.
    pub max_age_secs: u64,
}

impl Default for FacebookConfig {
    fn default() -> Self {
        Self { app_secret: None, max_age_secs: 900 }
    }
}

/// A secret value: deserialised like a string, never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectsBackend {
    /// The in-process S3-compatible endpoint over `data_dir/objects`.
    #[default]
    Local,
    S3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueBackend {
    #[default]
    Sqlite,
    Sqs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreBackend {
    #[default]
    Sqlite,
    Dynamodb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailBackend {
    /// Mails land in the outbox table (`vouch outbox`).
    #[default]
    Outbox,
    Ses,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    pub backend: QueueBackend,
    /// SQS queue names are `<prefix>entries`, `<prefix>conversions`, `<prefix>webhooks`, each with
    /// a `-dlq` dead-letter queue.
    pub prefix: String,
    /// Long-poll wait of the worker's receives.
    pub wait_secs: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    pub backend: StoreBackend,
    /// The DynamoDB table (see docs/deploy.md for its keys and indexes).
    pub table: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    pub backend: MailBackend,
    /// The sender of confirmation mails (a verified SES identity).
    pub from: String,
    /// Days a marketing confirmation link (double opt-in) works.
    pub optin_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsConfig {
    pub region: String,
    /// Send every AWS call here instead (moto, LocalStack, a VPC endpoint).
    pub endpoint: Option<String>,
    /// Give up on one AWS call after this long, so the BFF can answer 503 quickly.
    pub timeout_ms: u64,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self { backend: QueueBackend::Sqlite, prefix: "vouch-".into(), wait_secs: 10 }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { backend: StoreBackend::Sqlite, table: "vouch".into() }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            backend: MailBackend::Outbox,
            from: "no-reply@vouch.example".into(),
            optin_days: vouch_core::consent::OPTIN_DEFAULT_DAYS,
        }
    }
}

impl Default for AwsConfig {
    fn default() -> Self {
        Self { region: "us-east-1".into(), endpoint: None, timeout_ms: 3000 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    pub host: IpAddr,
    pub port: u16,
    /// Largest JSON body the BFF reads.
    pub max_body_bytes: usize,
    /// How many proxies you run in front of the BFF (1 behind one load balancer). The client is
    /// the `X-Forwarded-For` entry this many hops from the right; 0 uses the peer address.
    pub trusted_proxy_hops: usize,
    /// Replaced by `trusted_proxy_hops`; still read only to refuse it with a clear message.
    #[serde(rename = "trust_forwarded_for")]
    pub legacy_trust_forwarded_for: Option<toml::Value>,
    /// Where `/metrics` and `/readyz` are served: an internal listener, loopback by default.
    pub metrics_addr: SocketAddr,
    /// A request (body included) taking longer than this is answered 503 `timeout`.
    pub request_timeout_ms: u64,
    /// A JSON body not fully received this long after the headers is answered 408.
    pub body_timeout_ms: u64,
    /// A connection must send its request headers within this long.
    pub header_timeout_ms: u64,
    /// Connections served at once (per listener); more wait in the kernel's backlog.
    pub max_connections: usize,
    /// The origin shoppers reach the BFF at (`https://vouch.example`), when behind a proxy. Its
    /// own pages (hosted campaign page, Facebook tab) are allowed to use every campaign.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObjectsConfig {
    pub backend: ObjectsBackend,
    pub bucket: String,
    pub region: String,
    /// Port of the in-process S3 endpoint (embedded backend).
    pub port: u16,
    /// The URL browsers upload to; defaults to the in-process endpoint's address.
    pub public_url: Option<String>,
    /// Upload grants live this long (s3s refuses dates more than 15 minutes off).
    pub grant_ttl_secs: u64,
    /// Uploads no entry claimed are removed this long after their grant expired (embedded store;
    /// on S3 a lifecycle rule does it).
    pub orphan_grace_secs: u64,
    /// S3 addressing: `true` for `endpoint/bucket/key` (moto, MinIO), `false` for
    /// `bucket.s3.region.amazonaws.com/key`.
    pub force_path_style: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Run the worker inside `vouch serve`.
    pub embedded: bool,
    pub concurrency: usize,
    /// Deliveries before a message is dead-lettered.
    pub max_attempts: u32,
    pub visibility_timeout_secs: u64,
    pub poll_interval_ms: u64,
    /// First retry delay after a failure; doubles per attempt, capped at a minute.
    pub retry_backoff_ms: u64,
    /// Deliver webhooks to loopback, private and link-local addresses too. Off by default: a
    /// campaign's webhook must not reach the operator's own network. For development only.
    pub allow_internal_webhooks: bool,
    /// Receipts decoding at once may hold this many megapixels together (about 4-7 bytes of
    /// memory each); a larger image waits for the others and then decodes alone.
    pub decode_budget_megapixels: u32,
    /// Seconds between two retention sweeps (and one at start); 0 turns the sweeper off (run
    /// `vouch retention sweep` instead).
    pub retention_sweep_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoConfig {
    pub enabled: bool,
    pub port: u16,
    /// The campaign the demo merchant page embeds; its origin is allowed for it automatically.
    pub campaign: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            max_body_bytes: 16 * 1024,
            trusted_proxy_hops: 0,
            legacy_trust_forwarded_for: None,
            metrics_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 9090)),
            request_timeout_ms: 30_000,
            body_timeout_ms: 10_000,
            header_timeout_ms: 10_000,
            max_connections: 4096,
            public_url: None,
        }
    }
}

impl Default for ObjectsConfig {
    fn default() -> Self {
        Self {
            backend: ObjectsBackend::Local,
            bucket: "receipts".into(),
            region: "us-east-1".into(),
            port: 8082,
            public_url: None,
            grant_ttl_secs: 600,
            orphan_grace_secs: 120,
            force_path_style: false,
        }
    }
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            embedded: true,
            concurrency: 4,
            max_attempts: 5,
            visibility_timeout_secs: 60,
            poll_interval_ms: 200,
            retry_backoff_ms: 1000,
            allow_internal_webhooks: false,
            decode_budget_megapixels: 50,
            retention_sweep_secs: 3600,
        }
    }
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self { enabled: true, port: 8081, campaign: "demo".into() }
    }
}
