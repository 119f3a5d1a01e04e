//! The backends under test, built from configuration exactly as `vouch serve` builds them.

use tempfile::TempDir;
use vouch_server::app::secrets::Secrets;
use vouch_server::app::wiring::Backends;
use vouch_server::config::Config;

use crate::support::{moto, ses_mails, use_aws, Moto};

pub struct Fixture {
    pub backends: Backends,
    pub config: Config,
    moto: Option<Moto>,
    _dir: TempDir,
}

impl Fixture {
    async fn build(aws: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config { data_dir: dir.path().join("data"), ..Config::default() };
        config.worker.max_attempts = 3;
        let moto = aws.then(moto);
        if let Some(m) = &moto {
            use_aws(&mut config, &m.endpoint);
        }
        let secrets = Secrets::load_or_create(&config.data_dir).unwrap();
        let backends = Backends::open(&config, &secrets).await.unwrap();
        if let Some(aws) = &backends.aws {
            aws.provision(config.worker.max_attempts).await.unwrap();
        }
        Self { backends, config, moto, _dir: dir }
    }

    pub async fn embedded() -> Self {
        Self::build(false).await
    }

    pub async fn aws() -> Self {
        Self::build(true).await
    }

    /// Bodies of the mails sent to `to`.
    pub async fn mails_to(&self, to: &str) -> Vec<String> {
        match &self.moto {
            Some(m) => ses_mails(&m.endpoint, to).await.into_iter().map(|(_, _, body)| body).collect(),
            None => {
                let outbox = self.backends.sqlite.as_ref().unwrap().outbox().list().await.unwrap();
                outbox.into_iter().filter(|m| m.to == to).map(|m| m.text).collect()
            }
        }
    }
}
