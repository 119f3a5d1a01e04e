//! Managing operators and API tokens: the one set of functions the CLI (`vouch operators …`) and
//! the admin routes call. Each write is audited under campaign `"*"`.

use vouch_core::admin::Role;

use super::audit;
use super::auth::secrets::{digest, hash_password, new_api_token};
use crate::app::wiring::Backends;
use crate::backends::operators::{ApiToken, Operator};
use crate::backends::BackendError;
use crate::clock::now_ms;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("{0} exists already")]
    Exists(&'static str),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

impl From<OperatorError> for crate::http::error::ApiError {
    fn from(e: OperatorError) -> Self {
        use vouch_core::ErrorCode;
        match e {
            OperatorError::Exists(_) => Self::new(ErrorCode::Conflict, e.to_string()),
            OperatorError::NotFound(_) => Self::new(ErrorCode::NotFound, e.to_string()),
            OperatorError::Invalid(m) => Self::new(ErrorCode::ValidationFailed, m),
            OperatorError::Backend(b) => b.into(),
        }
    }
}

/// An operator's key: the address, trimmed and lower-cased.
pub fn normalise_email(email: &str) -> Result<String, OperatorError> {
    let parsed = vouch_core::email::Email::parse(email)
        .map_err(|_| OperatorError::Invalid("that is not an e-mail address".into()))?;
    Ok(parsed.as_str().to_lowercase())
}

fn check_password(password: &str) -> Result<(), OperatorError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(OperatorError::Invalid(format!("a password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// Owners always have every campaign; the others need at least one.
fn scope(role: Role, campaigns: Option<Vec<String>>) -> Result<Option<Vec<String>>, OperatorError> {
    match (role, campaigns) {
        (Role::Owner, _) => Ok(None),
        (_, Some(list)) if !list.is_empty() => Ok(Some(list)),
        _ => Err(OperatorError::Invalid("moderators and viewers need --campaigns".into())),
    }
}

/// Adds an operator; returns its normalised e-mail.
pub async fn add(
    backends: &Backends,
    actor: &str,
    email: &str,
    role: Role,
    campaigns: Option<Vec<String>>,
    password: &str,
) -> Result<String, OperatorError> {
    let email = normalise_email(email)?;
    check_password(password)?;
    let campaigns = scope(role, campaigns)?;
    let password = password.to_string();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| OperatorError::Invalid("hashing failed".into()))?;
    let operator = Operator { email: email.clone(), password_hash, role, campaigns, created_at_ms: now_ms() };
    if !backends.operators.add_operator(&operator).await? {
        return Err(OperatorError::Exists("an operator with this e-mail"));
    }
    audit(backends, "*", actor, "operator.add", &email, &format!("role={}", role.as_str())).await?;
    Ok(email)
}

/// Removes an operator and ends its sessions.
pub async fn remove(backends: &Backends, actor: &str, email: &str) -> Result<(), OperatorError> {
    let email = normalise_email(email)?;
    if !backends.operators.remove_operator(&email).await? {
        return Err(OperatorError::NotFound("operator"));
    }
    audit(backends, "*", actor, "operator.remove", &email, "").await?;
    Ok(())
}

/// Sets a new password and ends the operator's sessions.
pub async fn reset_password(
    backends: &Backends,
    actor: &str,
    email: &str,
    password: &str,
) -> Result<(), OperatorError> {
    let email = normalise_email(email)?;
    check_password(password)?;
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| OperatorError::Invalid("hashing failed".into()))?;
    if !backends.operators.set_password(&email, &hash).await? {
        return Err(OperatorError::NotFound("operator"));
    }
    audit(backends, "*", actor, "operator.reset_password", &email, "").await?;
    Ok(())
}

pub async fn list(backends: &Backends) -> Result<Vec<Operator>, OperatorError> {
    Ok(backends.operators.list_operators().await?)
}

/// Creates an API token; returns it (shown once: only its hash is kept).
pub async fn create_token(
    backends: &Backends,
    actor: &str,
    name: &str,
    role: Role,
    campaigns: Option<Vec<String>>,
) -> Result<String, OperatorError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(OperatorError::Invalid("a token name is 1–64 letters, digits, '-', '_' or '.'".into()));
    }
    let campaigns = scope(role, campaigns)?;
    let token = new_api_token();
    let record = ApiToken {
        token_hash: digest(&token),
        name: name.to_string(),
        role,
        campaigns,
        created_at_ms: now_ms(),
        revoked: false,
    };
    if !backends.operators.add_token(&record).await? {
        return Err(OperatorError::Exists("a token with this name"));
    }
    audit(backends, "*", actor, "token.create", name, &format!("role={}", role.as_str())).await?;
    Ok(token)
}

pub async fn revoke_token(backends: &Backends, actor: &str, name: &str) -> Result<(), OperatorError> {
    if !backends.operators.revoke_token(name).await? {
        return Err(OperatorError::NotFound("token"));
    }
    audit(backends, "*", actor, "token.revoke", name, "").await?;
    Ok(())
}
