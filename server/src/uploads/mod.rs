//! Uploads: a grant's decision (the campaign's type and size rules) and the signed POST policy for
//! one fresh object key, with credentials from wherever the object store's come from; the upload
//! ids that name them, the per-campaign budget of pending bytes, and the sweep of unclaimed ones.

pub mod budget;
pub mod grant;
pub mod ids;
pub mod keys;
pub mod sweep;

use std::sync::Arc;

use time::OffsetDateTime;

use crate::backends::signing::{CredentialSource, Credentials};
use crate::crypto::format_iso8601;
use crate::uploads::budget::UploadBudget;
use crate::uploads::grant::{presign_post, PostPolicy};

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
    let expires = now + crate::config::grant_ttl(config.ttl_secs);
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
