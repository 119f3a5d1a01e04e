//! Uploads: a grant's decision (the campaign's type and size rules) and the signed POST policy for
//! one fresh object key, with credentials from wherever the object store's come from; the upload
//! ids that name them, the per-campaign budget of pending bytes, and the sweep of unclaimed ones.

pub mod budget;
pub mod grant;
pub mod ids;
pub mod keys;
pub mod sweep;

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::backends::BackendError;
use crate::crypto::format_iso8601;
use crate::uploads::budget::UploadBudget;
use crate::uploads::grant::{presign_post, Credentials, PostPolicy};

/// Where signing credentials come from: fixed keys (the in-process store) or the AWS chain
/// (rotating role credentials, refreshed by the SDK).
#[async_trait]
pub trait CredentialSource: Send + Sync {
    async fn credentials(&self) -> Result<Credentials, BackendError>;
}

#[async_trait]
impl CredentialSource for Credentials {
    async fn credentials(&self) -> Result<Credentials, BackendError> {
        Ok(self.clone())
    }
}

/// Where and how upload grants are signed.
#[derive(Clone)]
pub struct GrantConfig {
    pub credentials: Arc<dyn CredentialSource>,
    pub region: String,
    pub bucket: String,
    /// The bucket's POST URL as browsers reach it, e.g. `http://127.0.0.1:8082/receipts`.
    pub url: String,
    pub ttl_secs: u64,
    /// Each campaign's pending upload bytes.
    pub budget: UploadBudget,
}

/// A grant is valid this long at most (s3s refuses dates more than 15 minutes off).
pub fn grant_ttl(ttl_secs: u64) -> std::time::Duration {
    std::time::Duration::from_secs(ttl_secs.min(900))
}

/// Decides on a grant request: the campaign's type and size rules, then a signed policy for one
/// fresh key and exactly the size asked for.
pub fn issue(
    config: &GrantConfig,
    credentials: &Credentials,
    ids: &crate::uploads::ids::UploadIds,
    campaign: &vouch_core::campaign::CampaignPublic,
    req: &vouch_core::wire::UploadGrantRequest,
    now: OffsetDateTime,
) -> Result<vouch_core::wire::UploadGrant, Vec<vouch_core::FieldError>> {
    use vouch_core::{Field, FieldError};
    let limits = &campaign.form.upload;
    let errors: Vec<FieldError> = [
        limits.check_type(&req.content_type).err().map(|c| FieldError::new(Field::ContentType, c)),
        limits.check_size(req.size).err().map(|c| FieldError::new(Field::Size, c)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let (upload_id, key) = ids.issue(&campaign.id);
    let content_type = req.content_type.trim().to_ascii_lowercase();
    let expires = now + grant_ttl(config.ttl_secs);
    let policy = PostPolicy {
        bucket: &config.bucket,
        key: &key,
        content_type: &content_type,
        // The size asked for (the widget sends the file's own), which is what the budget reserved.
        max_bytes: req.size,
        expires,
    };
    Ok(vouch_core::wire::UploadGrant {
        upload_id,
        method: "POST".into(),
        url: config.url.clone(),
        fields: presign_post(credentials, &config.region, &policy, now),
        expires_at: format_iso8601(expires),
    })
}
