//! `GET /v1/openapi.json`: the public API's OpenAPI 3.1 document. It is made from the routes
//! themselves: every router registers its handlers through `utoipa_axum`'s `routes!`, which adds
//! a handler to the router and its `#[utoipa::path]` entry to the document in one step.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vouch_core::wire::ErrorBody;

use super::AppState;

/// Where the document is served (the spec lists itself too).
pub const PATH: &str = "/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vouch public API",
        version = "1",
        description = "Referral programs and receipt-upload giveaways: the routes merchant pages, the widget and \
                       merchants' back ends call. Every error answers with `ErrorBody`; 429 and 503 (and a 409 for \
                       a request still in flight) carry `Retry-After`."
    ),
    components(
        schemas(ErrorBody),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            RequestTimeout,
            InFlight,
            TooLarge,
            UnsupportedMediaType,
            Unprocessable,
            RateLimited,
            Unavailable
        )
    ),
    modifiers(&BearerSchemes),
    tags(
        (name = "widget", description = "What the widget and merchant pages call from the browser (CORS: the campaign's allowed origins)."),
        (name = "referrals", description = "Referral program: joining, a friend's landing, progress and conversions."),
        (name = "merchant", description = "Server to server, with the campaign's merchant secret."),
        (name = "hosting", description = "Pages and files the BFF serves itself."),
    )
)]
pub(super) struct ApiDoc;

/// The two bearer credentials of the public API: the merchant secret (`POST /v1/conversions`) and
/// the referrer's progress token (handed out at join).
struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, what) in [
            ("merchant_secret", "The campaign's merchant secret."),
            ("progress_token", "The `progress_token` the referrer got when joining."),
        ] {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.description = Some(what.to_string());
            components.add_security_scheme(name, SecurityScheme::Http(http));
        }
    }
}

/// An error answer: the `ErrorBody` shape, with `Retry-After` when the client should come back.
fn error_response(description: &str, retry_after: bool) -> Response {
    let json = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    let mut response = ResponseBuilder::new().description(description).content("application/json", json);
    if retry_after {
        let seconds = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0));
        let header = HeaderBuilder::new().schema(Some(seconds)).description(Some("Seconds to wait before retrying."));
        response = response.header("Retry-After", header.build());
    }
    response.build()
}

/// One reusable error response per status (`components.responses`), referenced by the routes.
macro_rules! error_responses {
    ($($name:ident => ($description:literal, $retry_after:literal)),* $(,)?) => {$(
        pub(super) struct $name;

        impl<'r> utoipa::ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), error_response($description, $retry_after).into())
            }
        }
    )*};
}

error_responses! {
    BadRequest => ("Malformed JSON, or a missing or malformed header (`malformed_json`, `idempotency_key_invalid`).", false),
    Unauthorized => ("A bearer credential is missing or wrong (`unauthorized`).", false),
    Forbidden => ("The page's origin is not on the campaign's allow-list, or a write carries no `Origin` (`origin_not_allowed`, `origin_required`).", false),
    NotFound => ("No such campaign, entry, referrer, or the campaign runs no referral program.", false),
    RequestTimeout => ("The body did not arrive in time (`body_timeout`).", false),
    InFlight => ("The same request is still being answered (`idempotency_key_in_flight`, `order_in_flight`), or a referral sign-up crossed an erasure of its mailbox and recorded nothing (`join_crossed_erasure`): send it again.", true),
    TooLarge => ("The body is over the size limit (`body_too_large`).", false),
    UnsupportedMediaType => ("The body is not sent as `application/json` (`unsupported_media_type`).", false),
    Unprocessable => ("Semantically invalid: `validation_failed` (with `fields`), `campaign_not_open`, `campaign_closed`, `entry_limit_reached`, `idempotency_key_reused`, `order_id_reused`.", false),
    RateLimited => ("Too many requests (`rate_limited`).", true),
    Unavailable => ("A dependency is down or the answer took too long (`unavailable`, `timeout`, `upload_budget_exhausted`).", true),
}

/// The refusals every JSON write from a shop page can get (an entry, an upload grant, a join, a
/// browser's conversion, a batch of events), named once: each route lists only what it adds.
pub(super) struct ShopWriteRefusals;

impl utoipa::IntoResponses for ShopWriteRefusals {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
        [
            ("400", "BadRequest"),
            ("403", "Forbidden"),
            ("404", "NotFound"),
            ("408", "RequestTimeout"),
            ("413", "TooLarge"),
            ("415", "UnsupportedMediaType"),
            ("422", "Unprocessable"),
            ("429", "RateLimited"),
            ("503", "Unavailable"),
        ]
        .into_iter()
        .map(|(status, name)| (status.to_string(), Ref::from_response_name(name).into()))
        .collect()
    }
}

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}

/// An OpenAPI document (this one), described only as far as a client needs to find its way.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // only its schema is used
struct OpenApiDocument {
    /// `3.1.x`.
    openapi: String,
    #[schema(value_type = Object)]
    info: (),
    #[schema(value_type = Object)]
    paths: (),
}

/// The document, made once: it depends on the code only.
fn json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| super::spec().to_json().unwrap_or_else(|e| format!(r#"{{"error":"{e}"}}"#)))
}

/// This document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    operation_id = "openapi_document",
    tag = "hosting",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of this API.", body = OpenApiDocument),
        (status = 503, response = Unavailable),
    )
)]
async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "public, max-age=300")], json())
}
