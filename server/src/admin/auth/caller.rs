//! Who is calling an admin route: a session (cookie `vouch_admin`) or an API token (`Authorization:
//! Bearer vat_…`). Extracting a [`Caller`] authenticates, checks idle and absolute expiry, and —
//! for writes made with a session — the CSRF token and `Origin`, so no handler can forget them.
//! Handlers then ask [`Caller::read`], [`Caller::write`] or [`Caller::owner`].

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use vouch_core::admin::{allows, Access, Me, Role};
use vouch_core::ErrorCode;

use super::secrets::{digest, same};
use crate::admin::{AdminState, SharedAdmin};
use crate::backends::operators::Session;
use crate::campaigns::Campaign;
use crate::clock::now_ms;
use crate::http::error::ApiError;

pub const COOKIE: &str = "vouch_admin";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller signed in.
#[derive(Debug, Clone)]
pub enum Via {
    Session { id_hash: String, csrf_token: String },
    Token { name: String },
}

#[derive(Clone)]
pub struct Caller {
    /// The operator's e-mail, or `token:<name>`: the audit log's actor.
    pub actor: String,
    pub role: Role,
    /// `None`: every campaign.
    pub campaigns: Option<Vec<String>>,
    pub via: Via,
    state: SharedAdmin,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller").field("role", &self.role).finish_non_exhaustive()
    }
}

pub fn unauthorized() -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, "Please sign in.")
}

fn forbidden() -> ApiError {
    ApiError::new(ErrorCode::Forbidden, "Your role or campaigns do not allow this.")
}

fn csrf_rejected() -> ApiError {
    ApiError::new(ErrorCode::CsrfRejected, "This change was not sent by the console; reload it and try again.")
}

impl Caller {
    /// Whether the caller may `access` `campaign` (`None`: not tied to one campaign).
    pub fn may(&self, campaign: Option<&str>, access: Access) -> bool {
        allows(self.role, self.campaigns.as_deref(), campaign, access)
    }

    fn campaign(&self, id: &str, access: Access) -> Result<Arc<Campaign>, ApiError> {
        // Out of scope answers 403 whether or not the campaign exists: scope reveals nothing.
        if !self.may(Some(id), access) {
            return Err(forbidden());
        }
        self.state.campaigns.get(id).ok_or_else(ApiError::campaign_not_found)
    }

    /// The campaign, if the caller may see it: 403 otherwise (unknown ids too, unless owner).
    pub fn read(&self, campaign: &str) -> Result<Arc<Campaign>, ApiError> {
        self.campaign(campaign, Access::Read)
    }

    /// The campaign, if the caller may change it: viewers never may.
    pub fn write(&self, campaign: &str) -> Result<Arc<Campaign>, ApiError> {
        self.campaign(campaign, Access::Write)
    }

    /// Owners only: operators, tokens, shared queues.
    pub fn owner(&self) -> Result<(), ApiError> {
        if self.may(None, Access::Owner) {
            Ok(())
        } else {
            Err(forbidden())
        }
    }

    /// Of `ids`, the campaigns the caller may see.
    pub fn visible<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        ids.into_iter().filter(|id| self.may(Some(id), Access::Read)).collect()
    }

    pub fn me(&self) -> Me {
        let csrf_token = match &self.via {
            Via::Session { csrf_token, .. } => csrf_token.clone(),
            Via::Token { .. } => String::new(),
        };
        let email = self.actor.clone();
        Me { email, role: self.role, campaigns: self.campaigns.clone(), csrf_token }
    }
}

fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `Origin`, when the browser sends one, must be the console's own.
pub fn origin_ok(parts_headers: &axum::http::HeaderMap, state: &AdminState) -> bool {
    match parts_headers.get(header::ORIGIN).map(|o| o.to_str().unwrap_or("")) {
        None => true,
        Some(origin) => origin == state.origin,
    }
}

/// Whether a session has expired at `now`: idle too long, or older than the absolute limit.
pub fn expired(session: &Session, state: &AdminState, now: i64) -> bool {
    now - session.last_seen_ms > state.settings.idle_ms() || now - session.created_at_ms > state.settings.max_ms()
}

impl FromRequestParts<SharedAdmin> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedAdmin) -> Result<Self, Self::Rejection> {
        let operators = &state.backends.operators;
        if let Some(token) = bearer(parts) {
            let found = operators.token(&digest(&token)).await?.filter(|t| !t.revoked).ok_or_else(unauthorized)?;
            return Ok(Caller {
                actor: format!("token:{}", found.name),
                role: found.role,
                campaigns: found.campaigns,
                via: Via::Token { name: found.name },
                state: state.clone(),
            });
        }
        let id = cookie(parts, COOKIE).ok_or_else(unauthorized)?;
        let id_hash = digest(&id);
        let session = operators.session(&id_hash).await?.ok_or_else(unauthorized)?;
        let now = now_ms();
        if expired(&session, state, now) {
            operators.delete_session(&id_hash).await?;
            return Err(unauthorized());
        }
        // A removed operator's sessions die with it, even one its removal did not find.
        let operator = operators.operator(&session.email).await?.ok_or_else(unauthorized)?;
        if is_write(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same(sent, &session.csrf_token) || !origin_ok(&parts.headers, state) {
                return Err(csrf_rejected());
            }
        }
        // Touching costs a write: only once a good part of the idle time has gone by.
        if now - session.last_seen_ms > (state.settings.idle_ms() / 4).min(60_000) {
            operators.touch_session(&id_hash, now).await?;
        }
        Ok(Caller {
            actor: operator.email,
            role: operator.role,
            campaigns: operator.campaigns,
            via: Via::Session { id_hash, csrf_token: session.csrf_token },
            state: state.clone(),
        })
    }
}
