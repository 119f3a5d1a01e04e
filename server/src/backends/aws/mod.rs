//! The distributed backends: S3 for receipts, SQS for the queues, DynamoDB for intake, entries,
//! the referral ledger and switches, SES for mail — through the official AWS SDK for Rust, with
//! credentials from the standard AWS chain. `docs/deploy.md` has the table design.

mod dead_letters;
mod dynamo;
mod provision;
mod s3;
mod ses;
mod sqs;

use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::{tls, Builder as HttpClientBuilder};

pub use dynamo::DynamoStore;
pub use s3::{presign_get, S3Objects};
pub use ses::SesMailer;
pub use sqs::SqsQueue;

use super::BackendError;
use crate::backends::signing::{CredentialSource, Credentials};
use crate::config::Config;

/// The AWS clients and resource names, cheap to clone.
#[derive(Clone)]
pub struct Aws {
    sdk: SdkConfig,
    s3: aws_sdk_s3::Client,
    sqs: aws_sdk_sqs::Client,
    ddb: aws_sdk_dynamodb::Client,
    ses: aws_sdk_sesv2::Client,
    names: Arc<Names>,
}

struct Names {
    bucket: String,
    table: String,
    queue_prefix: String,
    mail_from: String,
    wait_secs: i32,
    timeout: Duration,
}

impl Aws {
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(config.aws.timeout_ms.max(100));
        let http_client = HttpClientBuilder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client)
            .region(Region::new(config.aws.region.clone()))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(timeout.min(Duration::from_secs(1)))
                    .operation_timeout(timeout)
                    .build(),
            )
            // Two tries, then the BFF answers 503 instead of keeping a shopper waiting.
            .retry_config(RetryConfig::standard().with_max_attempts(2));
        if let Some(endpoint) = &config.aws.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        let sdk = loader.load().await;
        let s3_config = aws_sdk_s3::config::Builder::from(&sdk)
            .region(Region::new(config.objects.region.clone()))
            .force_path_style(config.objects.force_path_style)
            .build();
        Ok(Self {
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            ddb: aws_sdk_dynamodb::Client::new(&sdk),
            ses: aws_sdk_sesv2::Client::new(&sdk),
            sdk,
            names: Arc::new(Names {
                bucket: config.objects.bucket.clone(),
                table: config.store.table.clone(),
                queue_prefix: config.queue.prefix.clone(),
                mail_from: config.mail.from.clone(),
                wait_secs: config.queue.wait_secs.clamp(0, 20),
                timeout,
            }),
        })
    }

    pub fn objects(&self) -> S3Objects {
        S3Objects::new(self.s3.clone(), &self.names.bucket)
    }

    pub fn queue(&self, topic: &str) -> SqsQueue {
        SqsQueue::new(
            self.sqs.clone(),
            &format!("{}{topic}", self.names.queue_prefix),
            self.names.wait_secs,
            self.names.timeout,
            dead_letters::ErrorLog::new(self.ddb.clone(), &self.names.table),
        )
    }

    /// The DynamoDB store; its intakes queue entries and conversions on SQS.
    pub fn store(&self) -> DynamoStore {
        DynamoStore::new(self.ddb.clone(), &self.names.table, self)
    }

    /// The DynamoDB client, for reading the table as it is stored (tests of what sits at rest).
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        self.ddb.clone()
    }

    /// The SES client, for tests that take the mail identity away and give it back.
    pub fn ses(&self) -> aws_sdk_sesv2::Client {
        self.ses.clone()
    }

    pub fn mailer(&self) -> SesMailer {
        SesMailer::new(self.ses.clone(), self.ddb.clone(), &self.names.table, &self.names.mail_from, self.names.timeout)
    }

    pub fn signing(&self) -> AwsSigning {
        AwsSigning { sdk: self.sdk.clone() }
    }

    /// Creates the bucket, queues (with dead-letter queues), table and mail identity if missing:
    /// for local runs against moto and for tests. Production uses `infra/vouch.yaml`.
    pub async fn provision(&self, max_receive_count: u32) -> anyhow::Result<()> {
        provision::all(self, max_receive_count).await
    }
}

/// Upload grants signed with whatever the AWS chain provides (role credentials rotate; the SDK
/// caches and refreshes them).
#[derive(Clone)]
pub struct AwsSigning {
    sdk: SdkConfig,
}

#[async_trait::async_trait]
impl CredentialSource for AwsSigning {
    async fn credentials(&self) -> Result<Credentials, BackendError> {
        use aws_credential_types::provider::ProvideCredentials;
        let provider = self
            .sdk
            .credentials_provider()
            .ok_or_else(|| BackendError::Unavailable("AWS credentials", "no credential provider configured".into()))?;
        let c = provider.provide_credentials().await.map_err(|e| unavailable("AWS credentials", e))?;
        Ok(Credentials {
            access_key: c.access_key_id().to_string(),
            secret_key: c.secret_access_key().to_string(),
            session_token: c.session_token().map(str::to_string),
        })
    }
}

/// Any AWS failure as "unavailable": the caller answers 503 or retries later. Mailboxes the
/// service quotes (an SES rejection names its recipients) are redacted.
pub(crate) fn unavailable(what: &'static str, e: impl std::error::Error) -> BackendError {
    let detail = aws_smithy_types::error::display::DisplayErrorContext(e).to_string();
    BackendError::Unavailable(what, crate::redact::mailboxes(&detail))
}

pub(crate) fn corrupt(e: impl Display) -> BackendError {
    BackendError::Corrupt(e.to_string())
}
