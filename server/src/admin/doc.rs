//! The parts of the admin API's OpenAPI document that no handler carries: how callers sign in
//! (a session cookie or a bearer token, required by every route unless it says otherwise) and
//! the error body (core's `ErrorBody`, as in the public API) every route answers with.

use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response};
use utoipa::{PartialSchema, ToSchema};
use vouch_core::wire::ErrorBody;

use super::auth::caller::COOKIE;

/// Gives every error answer of `doc` (4xx, 5xx) that declares no body the error body every
/// route answers with, core's `ErrorBody`, and documents on every route the answers its
/// extractors give before the handler runs (400 for a body or query string that cannot be read,
/// 415 for a body that is not JSON): handlers need not repeat them, and no route's errors can go
/// undocumented. Run on the finished document (routes add their paths after the modifiers).
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
            let json_body =
                matches!(&operation.request_body, Some(RefOr::T(b)) if b.content.contains_key("application/json"));
            let query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
            // Answers every route may give before its handler runs (the extractors'), as read().
            let unreadable = match (json_body, query) {
                (true, _) => Some("`malformed_json`: the body is not JSON of this route's shape"),
                (false, true) => Some("`invalid_query`: the query string cannot be read as this route's parameters"),
                (false, false) => None,
            };
            let responses = &mut operation.responses.responses;
            if let Some(description) = unreadable {
                responses.entry("400".into()).or_insert_with(|| Response::new(description).into());
            }
            if json_body {
                responses
                    .entry("415".into())
                    .or_insert_with(|| Response::new("`unsupported_media_type`: not `application/json`").into());
            }
            for (status, response) in responses.iter_mut() {
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
