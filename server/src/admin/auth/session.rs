//! `POST/GET/DELETE /admin/v1/session`: sign in, who am I, sign out.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use vouch_core::admin::Me;
use vouch_core::ErrorCode;

use super::caller::{origin_ok, Caller, Via, COOKIE};
use super::secrets::{digest, random_secret, verify_password};
use super::throttle::{account_key, client_key, locked_for};
use crate::admin::json::AdminJson;
use crate::admin::{AdminState, SharedAdmin};
use crate::backends::operators::Session;
use crate::clock::now_ms;
use crate::http::error::ApiError;
use vouch_core::wire::ErrorBody;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Login {
    pub email: String,
    pub password: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "The e-mail or password is not right.")
}

fn locked(retry_after: u64) -> ApiError {
    let minutes = retry_after.div_ceil(60);
    ApiError {
        retry_after: Some(retry_after),
        ..ApiError::new(
            ErrorCode::LoginLocked,
            format!("Too many failed sign-ins. Sign-in is locked; try again in {minutes} minute(s)."),
        )
    }
}

/// The session cookie: script cannot read it, other sites cannot send it, and over https only
/// when the console is served over https.
pub fn session_cookie(state: &AdminState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.origin.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&cookie).expect("cookie characters")
}

/// The client's key for the per-client throttle, as the public API keys its rate limits.
pub struct Client(pub IpAddr);

impl FromRequestParts<SharedAdmin> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &SharedAdmin) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip());
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(Client(crate::http::client_ip::client_address(&parts.headers, peer, state.trusted_proxy_hops)))
    }
}

/// Signs in: checks the lockouts, then the password (the same work and answer for an unknown
/// e-mail), counts a failure against the account and the client, or opens a session.
pub async fn login_decision(state: &AdminState, client: IpAddr, login: Login) -> Result<(Session, Me), ApiError> {
    let operators = &state.backends.operators;
    let email = login.email.trim().to_lowercase();
    let (account, client) = (account_key(&email), client_key(client));
    let s = &state.settings;
    let now = now_ms();
    for (key, max) in [(&account, s.max_failures_per_account), (&client, s.max_failures_per_client)] {
        if let Some(wait) = locked_for(operators.failures(key).await?, max, s.lockout_ms(), now) {
            return Err(locked(wait));
        }
    }
    let operator = operators.operator(&email).await?;
    let hash = operator.as_ref().map(|o| o.password_hash.clone());
    let password = login.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "Something went wrong on our side."))?;
    let Some(operator) = operator.filter(|_| ok) else {
        operators.record_failure(&account, now, s.lockout_ms()).await?;
        operators.record_failure(&client, now, s.lockout_ms()).await?;
        tracing::info!("admin sign-in refused");
        return Err(invalid_credentials());
    };
    operators.clear_failures(&account).await?;
    let id = random_secret();
    let session = Session {
        id_hash: digest(&id),
        email: operator.email.clone(),
        csrf_token: random_secret(),
        created_at_ms: now,
        last_seen_ms: now,
    };
    operators.create_session(&session).await?;
    let me = Me {
        email: operator.email,
        role: operator.role,
        campaigns: operator.campaigns,
        csrf_token: session.csrf_token.clone(),
    };
    Ok((Session { id_hash: id, ..session }, me))
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/admin/v1/session", tag = "session", request_body = Login, security(()),
    responses(
        (status = 400, body = ErrorBody, description = "`malformed_json`"),
        (status = 415, body = ErrorBody, description = "`unsupported_media_type`"),
        (status = 200, description = "Signed in; the session cookie is set", body = Me),
        (status = 401, body = ErrorBody, description = "`invalid_credentials`: unknown e-mail and wrong password alike"),
        (status = 403, body = ErrorBody, description = "`csrf_rejected`: a foreign `Origin`"),
        (status = 429, body = ErrorBody, description = "`login_locked`, with `Retry-After`"),
    ))]
pub async fn login(
    State(state): State<SharedAdmin>,
    Client(client): Client,
    headers: HeaderMap,
    body: Result<AdminJson<Login>, ApiError>,
) -> Result<Response, ApiError> {
    // A login from another site would sign the browser into the attacker's account.
    if !origin_ok(&headers, &state) {
        return Err(ApiError::new(ErrorCode::CsrfRejected, "Sign in from the console itself."));
    }
    let AdminJson(login) = body?;
    let (session, me) = login_decision(&state, client, login).await?;
    let max_age = state.settings.max_ms() / 1000;
    let cookie = session_cookie(&state, &session.id_hash, max_age);
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

/// The signed-in caller, with the CSRF token for writes.
#[utoipa::path(get, path = "/admin/v1/session", tag = "session",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody, description = "`unauthorized`")))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(caller.me())
}

/// Signs out: the session is deleted from the store, so its cookie is worthless from now on.
#[utoipa::path(delete, path = "/admin/v1/session", tag = "session",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "`csrf_rejected`")))]
pub async fn logout(State(state): State<SharedAdmin>, caller: Caller) -> Result<Response, ApiError> {
    if let Via::Session { id_hash, .. } = &caller.via {
        state.backends.operators.delete_session(id_hash).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session_cookie(&state, "", 0))]).into_response())
}
