//! The parts of the admin API's OpenAPI document that no handler carries: how callers sign in
//! (a session cookie or a bearer token, required by every route unless it says otherwise) and
//! the error body every route answers with.

use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::OpenApi;
use utoipa::ToSchema;

use super::auth::caller::COOKIE;

/// Every error: `{"error":{"code","message","fields"?}}`, as in the public API (`code` is one of
/// `vouch_core::ErrorCode`'s snake_case names).
#[derive(ToSchema)]
pub struct AdminError {
    #[allow(dead_code)]
    error: AdminErrorDetail,
}

#[derive(ToSchema)]
pub struct AdminErrorDetail {
    #[allow(dead_code)]
    code: String,
    #[allow(dead_code)]
    message: String,
    /// Per-field problems, for bodies that failed validation.
    #[allow(dead_code)]
    fields: Option<Vec<serde_json::Value>>,
}

/// Adds the security schemes and makes them the default for every operation.
pub struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(COOKIE))));
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("vat_…").build()),
        );
        openapi.security = Some(vec![
            SecurityRequirement::new("session", Vec::<String>::new()),
            SecurityRequirement::new("token", Vec::<String>::new()),
        ]);
    }
}
