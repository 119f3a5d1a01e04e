//! The backends under test, built from configuration exactly as `vouch serve` builds them.

use tempfile::TempDir;
use vouch_server::app::secrets::Secrets;
use vouch_server::app::wiring::Backends;
use vouch_server::backends::embedded::objects::s3_router;
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
        if !aws {
            // The in-process S3 endpoint, as `vouch serve` runs it: presigned links point at it.
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            config.objects.port = listener.local_addr().unwrap().port();
            let s3 = s3_router(&config.objects_dir(), &secrets.s3_credentials(), Vec::new()).unwrap();
            tokio::spawn(async move { axum::serve(listener, s3).await });
        }
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

    /// The same backends opened again from this fixture's configuration changed by `change`, as a
    /// second `vouch` process with that configuration would open them.
    pub async fn reopened(&self, change: impl FnOnce(&mut Config)) -> Backends {
        let mut config = self.config.clone();
        change(&mut config);
        let secrets = Secrets::load_or_create(&config.data_dir).unwrap();
        Backends::open(&config, &secrets).await.unwrap()
    }

    /// Everything the store holds, as someone with a copy of it would read it: the SQLite file and
    /// its write-ahead log as bytes, or every text and binary attribute of the DynamoDB table.
    pub async fn raw_store(&self) -> String {
        use aws_sdk_dynamodb::types::AttributeValue as AV;
        match &self.backends.aws {
            Some(aws) => {
                let scan = aws.dynamodb().scan().table_name(&self.config.store.table).send().await.unwrap();
                let mut raw = Vec::new();
                for (name, value) in scan.items().iter().flatten() {
                    raw.extend_from_slice(name.as_bytes());
                    match value {
                        AV::S(s) => raw.extend_from_slice(s.as_bytes()),
                        AV::B(b) => raw.extend_from_slice(b.as_ref()),
                        _ => {}
                    }
                    raw.push(b'\n');
                }
                String::from_utf8_lossy(&raw).into_owned()
            }
            None => {
                let db = self.config.db_path();
                let mut bytes = std::fs::read(&db).unwrap();
                bytes.extend(std::fs::read(format!("{}-wal", db.display())).unwrap_or_default());
                String::from_utf8_lossy(&bytes).into_owned()
            }
        }
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
