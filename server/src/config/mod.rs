//! Server configuration: an optional TOML file, overridable by environment variables, with
//! defaults that run the whole product on one machine with no setup at all.

use std::path::{Path, PathBuf};

use serde::Deserialize;

mod admin;
mod sections;

pub use admin::AdminConfig;
pub use sections::*;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, the object store folder and generated secrets live.
    pub data_dir: PathBuf,
    /// The key that signs upload ids. Prefer the `VOUCH_SIGNING_KEY` environment variable to a
    /// file. Without it one is generated into the data folder, which only a single instance can
    /// use: the DynamoDB store (several BFFs) requires it.
    pub signing_key: Option<Secret>,
    /// A folder of `<campaign-id>.toml` files.
    pub campaigns_dir: PathBuf,
    /// The built widget (`cargo xtask build` writes it here).
    pub widget_dir: PathBuf,
    /// The built operator console (`cargo xtask console` writes it here), served at `/admin`.
    pub console_dir: PathBuf,
    pub http: HttpConfig,
    pub objects: ObjectsConfig,
    pub queue: QueueConfig,
    pub store: StoreConfig,
    pub mail: MailConfig,
    /// Shared settings of the AWS clients (credentials come from the standard AWS chain).
    pub aws: AwsConfig,
    pub worker: WorkerConfig,
    pub demo: DemoConfig,
    /// The Facebook fan-page tab.
    pub facebook: FacebookConfig,
    /// Operator sessions and login throttling of the admin API.
    pub admin: AdminConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            signing_key: None,
            campaigns_dir: PathBuf::from("campaigns"),
            widget_dir: PathBuf::from("dist/widget"),
            console_dir: PathBuf::from("dist/console"),
            http: HttpConfig::default(),
            objects: ObjectsConfig::default(),
            queue: QueueConfig::default(),
            store: StoreConfig::default(),
            mail: MailConfig::default(),
            aws: AwsConfig::default(),
            worker: WorkerConfig::default(),
            demo: DemoConfig::default(),
            facebook: FacebookConfig::default(),
            admin: AdminConfig::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config {path}: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    #[error("invalid value for {var}: {value}")]
    Env { var: &'static str, value: String },
    #[error("[queue] and [store] must both be embedded (sqlite) or both be AWS (sqs + dynamodb)")]
    Mixed,
    #[error(
        "[http] trust_forwarded_for is gone: set [http] trusted_proxy_hops to the number of proxies in \
         front of Vouch (1 behind one load balancer, 0 when clients connect directly)"
    )]
    TrustForwardedForReplaced,
    #[error(
        "the DynamoDB store serves several BFF instances, and an upload id one instance issues must \
         be accepted by the others: set VOUCH_SIGNING_KEY to the same random value on every instance \
         (e.g. `openssl rand -hex 32`)"
    )]
    SigningKeyNotShared,
}

impl Config {
    /// Reads `path` when given (or `vouch.toml` when present), then applies `VOUCH_*` overrides.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let default_path = Path::new("vouch.toml");
        let path = path.or_else(|| default_path.exists().then_some(default_path));
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read { path: p.into(), source })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path: p.into(), source })?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        config.check()?;
        Ok(config)
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn port(var: &'static str, value: String) -> Result<u16, ConfigError> {
            value.parse().map_err(|_| ConfigError::Env { var, value })
        }
        if let Some(v) = var("VOUCH_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = var("VOUCH_CAMPAIGNS_DIR") {
            self.campaigns_dir = v.into();
        }
        if let Some(v) = var("VOUCH_WIDGET_DIR") {
            self.widget_dir = v.into();
        }
        if let Some(v) = var("VOUCH_CONSOLE_DIR") {
            self.console_dir = v.into();
        }
        if let Some(v) = var("VOUCH_PORT") {
            self.http.port = port("VOUCH_PORT", v)?;
        }
        if let Some(v) = var("VOUCH_DEMO_PORT") {
            self.demo.port = port("VOUCH_DEMO_PORT", v)?;
        }
        if let Some(v) = var("VOUCH_S3_PORT") {
            self.objects.port = port("VOUCH_S3_PORT", v)?;
        }
        if let Some(v) = var("VOUCH_TRUSTED_PROXY_HOPS") {
            self.http.trusted_proxy_hops =
                v.parse().map_err(|_| ConfigError::Env { var: "VOUCH_TRUSTED_PROXY_HOPS", value: v })?;
        }
        if let Some(v) = var("VOUCH_METRICS_ADDR") {
            self.http.metrics_addr = v.parse().map_err(|_| ConfigError::Env { var: "VOUCH_METRICS_ADDR", value: v })?;
        }
        if let Some(v) = var("VOUCH_PUBLIC_URL") {
            self.http.public_url = Some(v);
        }
        if let Some(v) = var("VOUCH_FACEBOOK_APP_SECRET").filter(|v| !v.is_empty()) {
            self.facebook.app_secret = Some(Secret::new(v));
        }
        if let Some(v) = var("VOUCH_SIGNING_KEY").filter(|v| !v.is_empty()) {
            self.signing_key = Some(Secret::new(v));
        }
        Ok(())
    }

    /// The SQLite intake commits idempotency record and queue row in one transaction, so the
    /// queue and the store must both be SQLite or both be AWS.
    pub fn check(&self) -> Result<(), ConfigError> {
        let embedded_queue = self.queue.backend == QueueBackend::Sqlite;
        let embedded_store = self.store.backend == StoreBackend::Sqlite;
        if embedded_queue != embedded_store {
            return Err(ConfigError::Mixed);
        }
        // Mapping `true` to one hop would be wrong behind two proxies (CDN + load balancer).
        if self.http.legacy_trust_forwarded_for.is_some() {
            return Err(ConfigError::TrustForwardedForReplaced);
        }
        Ok(())
    }

    /// A BFF on the DynamoDB store runs beside others: a signing key generated into its own data
    /// folder would make every other instance refuse the upload ids it issues.
    pub fn check_bff(&self) -> Result<(), ConfigError> {
        let shared = self.signing_key.as_ref().is_some_and(|k| !k.expose().is_empty());
        if self.store.backend == StoreBackend::Dynamodb && !shared {
            return Err(ConfigError::SigningKeyNotShared);
        }
        Ok(())
    }

    /// Whether any part talks to AWS.
    pub fn uses_aws(&self) -> bool {
        self.objects.backend == ObjectsBackend::S3
            || self.queue.backend == QueueBackend::Sqs
            || self.store.backend == StoreBackend::Dynamodb
            || self.mail.backend == MailBackend::Ses
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("vouch.db")
    }

    pub fn objects_dir(&self) -> PathBuf {
        self.data_dir.join("objects")
    }

    /// How old (by its file's time) an unclaimed upload is when the sweep removes it: an upload is
    /// written before its grant expires, so its grant has been expired for the grace by then.
    pub fn orphan_age(&self) -> std::time::Duration {
        grant_ttl(self.objects.grant_ttl_secs) + std::time::Duration::from_secs(self.objects.orphan_grace_secs)
    }
}

/// A grant is valid this long at most (s3s refuses dates more than 15 minutes off).
pub fn grant_ttl(ttl_secs: u64) -> std::time::Duration {
    std::time::Duration::from_secs(ttl_secs.min(900))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_embedded_defaults() {
        let config: Config = toml::from_str("").unwrap();
        assert_eq!(config.http.port, 8080);
        assert_eq!(config.objects.bucket, "receipts");
        assert!(config.worker.embedded);
    }

    #[test]
    fn switching_to_aws_is_configuration_only() {
        let config: Config = toml::from_str(
            "[objects]\nbackend = \"s3\"\nbucket = \"r\"\n[queue]\nbackend = \"sqs\"\n[store]\nbackend = \"dynamodb\"\n[mail]\nbackend = \"ses\"\n[aws]\nendpoint = \"http://127.0.0.1:5000\"",
        )
        .unwrap();
        assert!(config.check().is_ok());
        assert!(config.uses_aws());
        assert_eq!(config.aws.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn a_bff_on_dynamodb_needs_a_signing_key_shared_through_the_environment() {
        let mut config: Config = toml::from_str("[queue]\nbackend = \"sqs\"\n[store]\nbackend = \"dynamodb\"").unwrap();
        assert!(config.check().is_ok(), "a worker or the CLI needs no signing key");
        let refused = config.check_bff().unwrap_err();
        assert!(matches!(refused, ConfigError::SigningKeyNotShared));
        assert!(refused.to_string().contains("VOUCH_SIGNING_KEY"));
        config.apply_env(|k| (k == "VOUCH_SIGNING_KEY").then(|| "shared".into())).unwrap();
        assert!(config.check_bff().is_ok());
        assert!(Config::default().check_bff().is_ok(), "one embedded instance generates its own");
    }

    #[test]
    fn a_sqlite_queue_with_a_dynamodb_store_is_refused() {
        let config: Config = toml::from_str("[store]\nbackend = \"dynamodb\"").unwrap();
        assert!(matches!(config.check(), Err(ConfigError::Mixed)));
    }

    #[test]
    fn unknown_keys_are_refused_so_typos_do_not_pass_silently() {
        assert!(toml::from_str::<Config>("[http]\nprot = 1").is_err());
    }

    #[test]
    fn the_old_forwarded_for_switch_is_refused_naming_its_replacement() {
        let config: Config = toml::from_str("[http]\ntrust_forwarded_for = true").unwrap();
        let err = config.check().unwrap_err().to_string();
        assert!(err.contains("trusted_proxy_hops"), "{err}");
        let config: Config = toml::from_str("[http]\ntrusted_proxy_hops = 2").unwrap();
        assert!(config.check().is_ok());
        assert_eq!(config.http.trusted_proxy_hops, 2);
    }

    #[test]
    fn environment_variables_override_ports_and_folders() {
        let mut config = Config::default();
        config
            .apply_env(|k| match k {
                "VOUCH_PORT" => Some("0".into()),
                "VOUCH_DATA_DIR" => Some("/tmp/x".into()),
                "VOUCH_TRUSTED_PROXY_HOPS" => Some("2".into()),
                "VOUCH_METRICS_ADDR" => Some("0.0.0.0:9100".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.http.port, 0);
        assert_eq!(config.db_path(), PathBuf::from("/tmp/x/vouch.db"));
        assert_eq!(config.http.trusted_proxy_hops, 2);
        assert_eq!(config.http.metrics_addr.port(), 9100);
    }

    #[test]
    fn a_non_numeric_port_is_a_clear_error() {
        let err = Config::default().apply_env(|k| (k == "VOUCH_PORT").then(|| "eighty".into())).unwrap_err();
        assert_eq!(err.to_string(), "invalid value for VOUCH_PORT: eighty");
    }
}
