//! The parts of the admin API's OpenAPI document that no handler carries: how callers sign in
//! (a session cookie or a bearer token, required by every route unless it says otherwise) and
//! the error body (core's `ErrorBody`, as in the public API) every route answers with.

use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};
use vouch_core::wire::ErrorBody;

use super::auth::caller::COOKIE;

/// Gives every error answer of `doc` (4xx, 5xx) that declares no body the error body every
/// route answers with, core's `ErrorBody`: handlers need not repeat it, and no route's errors can
/// go undocumented. Run on the finished document (routes add their paths after the modifiers).
pub fn error_bodies(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    let mut schemas = Vec::new();
    <ErrorBody as ToSchema>::schemas(&mut schemas);
    schemas.push((ErrorBody::name().into(), ErrorBody::schema()));
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                if (status.starts_with('4') || status.starts_with('5')) && response.content.is_empty() {
                    let json = ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorBody::name()))).build();
                    response.content.insert("application/json".into(), RefOr::T(json));
                }
            }
        }
    }
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
