//! Receipts in S3, as the worker sees them.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use super::unavailable;
use crate::backends::{BackendError, ObjectInfo, Objects, Result};

#[derive(Clone)]
pub struct S3Objects {
    s3: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Objects {
    pub fn new(s3: aws_sdk_s3::Client, bucket: &str) -> Self {
        Self { s3, bucket: bucket.to_string() }
    }
}

const WHAT: &str = "object store (S3)";

#[async_trait]
impl Objects for S3Objects {
    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>> {
        match self.s3.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(head) => Ok(Some(ObjectInfo { size: head.content_length().unwrap_or(0).max(0) as u64 })),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_not_found() {
                    Ok(None)
                } else {
                    Err(unavailable(WHAT, service))
                }
            }
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match self.s3.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(object) => {
                let body = object.body.collect().await.map_err(|e| unavailable(WHAT, e))?;
                Ok(Some(body.into_bytes().to_vec()))
            }
            Err(e) => {
                let service = e.into_service_error();
                if service.is_no_such_key() {
                    Ok(None)
                } else {
                    Err(unavailable(WHAT, service))
                }
            }
        }
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<()> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.s3.delete_object().bucket(&self.bucket).key(key).send().await.map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    async fn list(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let out = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("{}/", prefix.trim_end_matches('/')))
            .max_keys(i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000))
            .send()
            .await
            .map_err(|e| unavailable(WHAT, e))?;
        Ok(out.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect())
    }

    async fn ping(&self) -> Result<()> {
        self.s3.head_bucket().bucket(&self.bucket).send().await.map_err(|e| unavailable(WHAT, e))?;
        Ok(())
    }

    async fn presign_get(&self, key: &str, ttl: Duration) -> Result<String> {
        presign_get(&self.s3, &self.bucket, key, ttl).await
    }
}

/// A presigned GET (SigV4 query string) from the SDK's own signer; the in-process store signs
/// with it too, against its own endpoint.
pub async fn presign_get(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, ttl: Duration) -> Result<String> {
    let config = PresigningConfig::expires_in(ttl).map_err(|e| BackendError::Corrupt(e.to_string()))?;
    let request = s3.get_object().bucket(bucket).key(key).presigned(config).await.map_err(|e| unavailable(WHAT, e))?;
    Ok(request.uri().to_string())
}
