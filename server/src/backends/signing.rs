//! What upload grants are signed with: the object store's credentials, fixed keys for the
//! in-process store or the AWS chain's rotating role credentials.

use async_trait::async_trait;

use super::BackendError;

/// Credentials allowed to write to the bucket. Never leaves the server; only signatures do.
#[derive(Clone)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("access_key", &self.access_key).finish_non_exhaustive()
    }
}

/// Where signing credentials come from: fixed keys (the in-process store) or the AWS chain
/// (rotating role credentials, refreshed by the SDK).
#[async_trait]
pub trait CredentialSource: Send + Sync {
    async fn credentials(&self) -> Result<Credentials, BackendError>;
}

/// Fixed keys (the in-process store's) are their own source.
#[async_trait]
impl CredentialSource for Credentials {
    async fn credentials(&self) -> Result<Credentials, BackendError> {
        Ok(self.clone())
    }
}
