//! `GET/POST /admin/v1/operators`, `DELETE /admin/v1/operators/{email}`: owners manage operators
//! through the same functions as `vouch operators …`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use vouch_core::admin::Role;

use super::json::AdminJson;
use super::{operators, Caller, SharedAdmin};
use crate::backends::operators::Operator;
use crate::http::error::ApiError;
use vouch_core::wire::ErrorBody;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OperatorRow {
    pub email: String,
    pub role: Role,
    /// `null`: every campaign.
    pub campaigns: Option<Vec<String>>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl From<Operator> for OperatorRow {
    fn from(o: Operator) -> Self {
        Self {
            email: o.email,
            role: o.role,
            campaigns: o.campaigns,
            created_at: crate::crypto::format_iso8601_ms(o.created_at_ms),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewOperator {
    pub email: String,
    pub role: Role,
    /// Required for moderators and viewers; ignored for owners.
    pub campaigns: Option<Vec<String>>,
    /// At least 12 characters.
    pub password: String,
}

/// Every operator (owners).
#[utoipa::path(get, path = "/admin/v1/operators", tag = "operators",
    responses((status = 200, body = [OperatorRow]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<SharedAdmin>, caller: Caller) -> Result<Json<Vec<OperatorRow>>, ApiError> {
    caller.owner()?;
    Ok(Json(operators::list(&state.backends).await?.into_iter().map(OperatorRow::from).collect()))
}

/// Adds an operator (owners).
#[utoipa::path(post, path = "/admin/v1/operators", tag = "operators", request_body = NewOperator,
    responses((status = 201, body = OperatorRow), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`conflict`: the e-mail has an operator"), (status = 422, body = ErrorBody),
        (status = 400, body = ErrorBody, description = "`malformed_json`"), (status = 415, body = ErrorBody)))]
pub async fn add(
    State(state): State<SharedAdmin>,
    caller: Caller,
    body: Result<AdminJson<NewOperator>, ApiError>,
) -> Result<(StatusCode, Json<OperatorRow>), ApiError> {
    caller.owner()?;
    let AdminJson(new) = body?;
    let b = &state.backends;
    let email = operators::add(b, &caller.actor, &new.email, new.role, new.campaigns, &new.password).await?;
    let added = b
        .operators
        .operator(&email)
        .await?
        .ok_or_else(|| ApiError::from(operators::OperatorError::NotFound("operator")))?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Removes an operator and ends its sessions (owners).
#[utoipa::path(delete, path = "/admin/v1/operators/{email}", tag = "operators",
    params(("email" = String, Path, description = "The operator's e-mail")),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`validation_failed`: not an e-mail address")))]
pub async fn remove(
    State(state): State<SharedAdmin>,
    caller: Caller,
    Path(email): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.owner()?;
    operators::remove(&state.backends, &caller.actor, &email).await?;
    Ok(StatusCode::NO_CONTENT)
}
