//! Operator accounts, their sessions, API tokens for integrations and login failure counters.
//! Secrets are stored only as hashes: passwords as argon2id PHC strings, session ids and tokens
//! (random, 256 bits) as SHA-256 hex, so a copy of the store signs nobody in.

use async_trait::async_trait;
use vouch_core::admin::Role;

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// Lower-case; the account's key.
    pub email: String,
    /// argon2id, PHC string.
    pub password_hash: String,
    pub role: Role,
    /// `None`: every campaign.
    pub campaigns: Option<Vec<String>>,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 (hex) of the cookie's value.
    pub id_hash: String,
    pub email: String,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// SHA-256 (hex) of the token (`vat_…`).
    pub token_hash: String,
    /// Unique; how operators name it (`token revoke NAME`) and the audit log's actor.
    pub name: String,
    pub role: Role,
    pub campaigns: Option<Vec<String>>,
    pub created_at_ms: i64,
    pub revoked: bool,
}

/// Failed logins of one key (an account or a client) in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    pub count: u32,
    /// When the window began.
    pub since_ms: i64,
}

#[async_trait]
pub trait Operators: Send + Sync {
    /// Adds the operator unless one with this e-mail exists: `false` then, nothing written.
    async fn add_operator(&self, operator: &Operator) -> Result<bool>;
    async fn operator(&self, email: &str) -> Result<Option<Operator>>;
    /// Every operator, by e-mail.
    async fn list_operators(&self) -> Result<Vec<Operator>>;
    /// Removes the operator and every session of it; `false` when there was none.
    async fn remove_operator(&self, email: &str) -> Result<bool>;
    /// Replaces the password and ends every session of the operator; `false` when there is none.
    async fn set_password(&self, email: &str, password_hash: &str) -> Result<bool>;

    async fn create_session(&self, session: &Session) -> Result<()>;
    async fn session(&self, id_hash: &str) -> Result<Option<Session>>;
    /// Records activity for the idle expiry.
    async fn touch_session(&self, id_hash: &str, last_seen_ms: i64) -> Result<()>;
    async fn delete_session(&self, id_hash: &str) -> Result<()>;

    /// Adds the token unless one with this name exists: `false` then, nothing written.
    async fn add_token(&self, token: &ApiToken) -> Result<bool>;
    async fn token(&self, token_hash: &str) -> Result<Option<ApiToken>>;
    async fn list_tokens(&self) -> Result<Vec<ApiToken>>;
    /// Marks the named token revoked; `false` when there is none.
    async fn revoke_token(&self, name: &str) -> Result<bool>;

    /// Counts one failed login of `key` at `at_ms`; a window older than `window_ms` starts over.
    /// Returns the count after this one.
    async fn record_failure(&self, key: &str, at_ms: i64, window_ms: i64) -> Result<Failures>;
    async fn failures(&self, key: &str) -> Result<Failures>;
    async fn clear_failures(&self, key: &str) -> Result<()>;
}

/// Campaign scopes travel as comma-separated ids in both stores; `*` is every campaign.
pub fn scope_text(campaigns: Option<&[String]>) -> String {
    campaigns.map_or_else(|| "*".to_string(), |c| c.join(","))
}

pub fn scope_from(text: &str) -> Option<Vec<String>> {
    match text {
        "*" => None,
        t => Some(t.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect()),
    }
}
