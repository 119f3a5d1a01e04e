//! The embedded object store: an S3-compatible endpoint (s3s over a local folder) that browsers
//! upload to with presigned POST grants, and direct file access to the same folder for the worker.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use axum::error_handling::HandleError;
use axum::http::{HeaderName, Method, StatusCode};
use axum::Router;
use s3s::auth::SimpleAuth;
use s3s::config::{S3Config, StaticConfigProvider};
use s3s::service::S3ServiceBuilder;
use tokio::io::AsyncWriteExt;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::backends::signing::Credentials;
use crate::backends::{BackendError, ObjectInfo, Objects, Result, SweptObjects};

/// Browsers may upload at most this long after a grant was signed.
const MAX_SKEW_SECS: u64 = 900;

#[derive(Clone)]
pub struct LocalObjects {
    bucket_dir: PathBuf,
    /// Signs links to the in-process S3 endpoint, which checks them (signature and expiry).
    links: Option<(aws_sdk_s3::Client, String)>,
}

impl std::fmt::Debug for LocalObjects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalObjects").field("bucket_dir", &self.bucket_dir).finish_non_exhaustive()
    }
}

impl LocalObjects {
    pub fn new(root: &Path, bucket: &str) -> std::io::Result<Self> {
        let bucket_dir = root.join(bucket);
        crate::backends::embedded::db::private_dir(&bucket_dir)?;
        Ok(Self { bucket_dir, links: None })
    }

    /// Presigned links point at the in-process endpoint at `endpoint` (as browsers reach it),
    /// signed with the endpoint's own keys.
    pub fn with_links(mut self, endpoint: &str, bucket: &str, region: &str, creds: &Credentials) -> Self {
        let keys = aws_credential_types::Credentials::new(
            &creds.access_key,
            &creds.secret_key,
            creds.session_token.clone(),
            None,
            "vouch-embedded",
        );
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(region.to_string()))
            .endpoint_url(endpoint.trim_end_matches('/'))
            .force_path_style(true)
            .credentials_provider(keys)
            .build();
        self.links = Some((aws_sdk_s3::Client::from_conf(config), bucket.to_string()));
        self
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        let safe = !key.is_empty()
            && key.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b));
        if safe {
            Ok(self.bucket_dir.join(key))
        } else {
            Err(BackendError::Corrupt(format!("refusing object key {key:?}")))
        }
    }
}

#[async_trait::async_trait]
impl SweptObjects for LocalObjects {
    async fn list_older_than(&self, prefix: &str, age: std::time::Duration) -> Result<Vec<String>> {
        let bucket_dir = self.bucket_dir.clone();
        let start = self.path(prefix)?;
        tokio::task::spawn_blocking(move || {
            let cutoff = std::time::SystemTime::now() - age;
            let mut keys = Vec::new();
            let mut dirs = vec![start];
            while let Some(dir) = dirs.pop() {
                let Ok(read) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for entry in read.flatten() {
                    let Ok(meta) = entry.metadata() else { continue };
                    let path = entry.path();
                    if meta.is_dir() {
                        dirs.push(path);
                    } else if meta.modified().is_ok_and(|m| m < cutoff) {
                        if let Some(key) = path.strip_prefix(&bucket_dir).ok().and_then(|p| p.to_str()) {
                            keys.push(key.to_string());
                        }
                    }
                }
            }
            keys
        })
        .await
        .map_err(|e| BackendError::Corrupt(format!("listing uploads failed: {e}")))
    }
}

fn unavailable(e: std::io::Error) -> BackendError {
    BackendError::Unavailable("object store", e.to_string())
}

#[async_trait]
impl Objects for LocalObjects {
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>> {
        match tokio::fs::metadata(self.path(key)?).await {
            Ok(m) if m.is_file() => Ok(Some(ObjectInfo { size: m.len() })),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(unavailable)?;
        }
        // Write aside and rename, so a crash never leaves half an object under the real key.
        let tmp = path.with_extension("part");
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // Receipts are personal data: this user only.
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&tmp).await.map_err(unavailable)?;
        file.write_all(&bytes).await.map_err(unavailable)?;
        file.sync_all().await.map_err(unavailable)?;
        tokio::fs::rename(&tmp, &path).await.map_err(unavailable)
    }

    async fn delete(&self, key: &str) -> Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(unavailable(e)),
            _ => Ok(()),
        }
    }

    async fn list(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let bucket_dir = self.bucket_dir.clone();
        let start = self.path(prefix.trim_end_matches('/'))?;
        tokio::task::spawn_blocking(move || {
            let mut keys = Vec::new();
            let mut dirs = vec![start];
            while let Some(dir) = dirs.pop() {
                let Ok(read) = std::fs::read_dir(&dir) else { continue };
                for entry in read.flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else if let Some(key) = path.strip_prefix(&bucket_dir).ok().and_then(|p| p.to_str()) {
                        keys.push(key.to_string());
                        if keys.len() >= limit.max(1) {
                            return keys;
                        }
                    }
                }
            }
            keys
        })
        .await
        .map_err(|e| BackendError::Corrupt(format!("listing objects failed: {e}")))
    }

    async fn ping(&self) -> Result<()> {
        tokio::fs::metadata(&self.bucket_dir).await.map(|_| ()).map_err(unavailable)
    }

    async fn presign_get(&self, key: &str, ttl: std::time::Duration) -> Result<String> {
        self.path(key)?;
        let (s3, bucket) = self.links.as_ref().ok_or_else(|| {
            BackendError::Unavailable("object store", "no endpoint to link to in this process".into())
        })?;
        crate::backends::aws::presign_get(s3, bucket, key, ttl).await
    }
}

/// The S3 endpoint over `root`, answering CORS for `origins` (the campaigns' merchant sites) so
/// the widget can post files to it and read its error codes.
pub fn s3_router(root: &Path, creds: &Credentials, origins: Vec<String>) -> std::io::Result<Router> {
    crate::backends::embedded::db::private_dir(root)?;
    let fs = s3s_fs::FileSystem::new(root).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(creds.access_key.clone(), creds.secret_key.clone()));
    let mut config = S3Config::default();
    config.presigned_url_max_skew_time_secs = MAX_SKEW_SECS as _;
    builder.set_config(Arc::new(StaticConfigProvider::new(Arc::new(config))));
    let service = HandleError::new(builder.build(), |err: s3s::HttpError| async move {
        tracing::warn!(error = ?err, "object store request failed");
        StatusCode::INTERNAL_SERVER_ERROR
    });
    let origins = origins.iter().filter_map(|o| o.parse().ok()).collect::<Vec<_>>();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .expose_headers([HeaderName::from_static("etag"), HeaderName::from_static("location")]);
    Ok(Router::new().fallback_service(service).layer(cors))
}
