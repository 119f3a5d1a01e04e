//! `/v1/openapi.json`: a valid OpenAPI 3.1 document that lists every public route.
//!
//! Routes are registered through `utoipa_axum`'s `routes!`, which adds the handler and its spec
//! entry together. Two checks catch a route that bypasses it: the document must list exactly the
//! routes of the contract (`shared/API.md`, copied below, plus the routes it leaves to this
//! document), and no file under `server/src/http` may register a route by hand (`.route(`,
//! `.route_service(`).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::TestApp;

/// Every public route: the tables of `shared/API.md`, then the ones it leaves to this document.
const PUBLIC_ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/loader.js"),
    ("get", "/v1/campaigns/{campaign}"),
    ("post", "/v1/campaigns/{campaign}/uploads"),
    ("post", "/v1/campaigns/{campaign}/entries"),
    ("get", "/v1/campaigns/{campaign}/entries/{entry_id}"),
    ("post", "/v1/campaigns/{campaign}/referrers"),
    ("get", "/v1/campaigns/{campaign}/referrers/{code}"),
    ("get", "/v1/campaigns/{campaign}/referrers/{code}/progress"),
    ("post", "/v1/conversions"),
    ("post", "/v1/events"),
    ("get", "/c/{campaign}"),
    ("get", "/fb/tab"),
    ("post", "/fb/tab"),
    ("get", "/healthz"),
    // Not in API.md's tables:
    ("get", "/v1/widget/{file}"),
    ("post", "/v1/campaigns/{campaign}/referrers/{code}/visits"),
    ("post", "/v1/campaigns/{campaign}/conversions"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/consents/confirm"),
];

async fn document(app: &TestApp) -> Value {
    let res = app.client.get(app.url("/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/json");
    res.json().await.unwrap()
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("path item").keys();
            methods.filter(|m| m.as_str() != "parameters").map(move |m| (m.clone(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_parses_back() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "{}", doc["openapi"]);
    let parsed: utoipa::openapi::OpenApi = serde_json::from_value(doc.clone()).expect("a valid OpenAPI document");
    assert_eq!(parsed.paths.paths.len(), doc["paths"].as_object().unwrap().len());
    // Operation ids are unique (clients generate one function per id).
    let mut ids = BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().expect("every operation has an id");
            assert!(ids.insert(id.to_string()), "operationId {id} is used twice");
        }
    }
    // Every `$ref` points at a component the document has.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/").skip(1) {
        let target = reference.split('"').next().unwrap();
        let (kind, name) = target.split_once('/').unwrap();
        assert!(doc["components"][kind][name].is_object(), "dangling $ref {target}");
    }
}

#[tokio::test]
async fn the_document_lists_exactly_the_public_routes() {
    let app = TestApp::spawn().await;
    let listed = operations(&document(&app).await);
    let expected: BTreeSet<(String, String)> =
        PUBLIC_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    let missing: Vec<_> = expected.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&expected).collect();
    assert!(missing.is_empty(), "routes missing from the document: {missing:?}");
    assert!(
        unknown.is_empty(),
        "routes in the document but not in the contract (update API.md and this list): {unknown:?}"
    );
}

#[tokio::test]
async fn every_listed_route_is_served() {
    let app = TestApp::spawn().await;
    for (method, path) in operations(&document(&app).await) {
        let concrete =
            path.replace("{campaign}", "demo").replace("{entry_id}", "e").replace("{code}", "c").replace("{file}", "f");
        let req = match method.as_str() {
            "get" => app.client.get(app.url(&concrete)),
            "post" => app.client.post(app.url(&concrete)),
            other => panic!("unexpected method {other}"),
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_ne!(status, 405, "{method} {path}");
        assert!(!body.contains("No such route."), "{method} {path} is not routed: {status} {body}");
    }
}

#[tokio::test]
async fn no_public_route_is_registered_outside_the_document() {
    // The internal listener (readiness, metrics) is not the public API, and the console's page and
    // assets under `/admin` are files for operators (the admin API has its own document).
    let allowed = |file: &str, line: &str| {
        (file.ends_with("health.rs") && line.contains("Router::new().route(\"/healthz\""))
            || (file.ends_with("console.rs") && line.trim_start().starts_with(".route(\"/admin"))
    };
    let mut offenders = Vec::new();
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let file = path.display().to_string();
            for line in text.lines() {
                let by_hand = line.contains(".route(") || line.contains(".route_service(");
                if by_hand && !allowed(&file, line) {
                    offenders.push(format!("{file}: {}", line.trim()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "register routes with `routes!` so they are in /v1/openapi.json: {offenders:#?}");
}

/// Schemathesis sent `Idempotency-Key`s the document allowed (any 1–255 characters, spaces
/// included) and the server refused with 400: the document now states the server's rule.
#[tokio::test]
async fn the_documented_idempotency_key_is_the_one_the_server_takes() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let params = doc["paths"]["/v1/campaigns/{campaign}/entries"]["post"]["parameters"].as_array().unwrap();
    let key = params.iter().find(|p| p["name"] == "Idempotency-Key").expect("the header is documented");
    assert_eq!((key["in"].as_str(), key["required"].as_bool()), (Some("header"), Some(true)));
    // `!` to `~`: the visible ASCII characters, 1 to 255 of them.
    assert_eq!(key["schema"]["pattern"], "^[!-~]{1,255}$");
    let entry = serde_json::json!({"fields": {"email": "a@example.com"}});
    let long = "k".repeat(256);
    for refused in ["a b", long.as_str()] {
        let (status, error) =
            crate::helpers::error_code(app.post_json("/v1/campaigns/demo/entries", &entry, Some(refused)).await).await;
        assert_eq!((status, error["code"].as_str()), (400, Some("idempotency_key_invalid")), "{refused:?}");
    }
    let longest = "k".repeat(255);
    for taken in ["k-1~!", longest.as_str()] {
        let (status, error) =
            crate::helpers::error_code(app.post_json("/v1/campaigns/demo/entries", &entry, Some(taken)).await).await;
        assert_ne!(error["code"], "idempotency_key_invalid", "{taken:?} ({status})");
    }
}
