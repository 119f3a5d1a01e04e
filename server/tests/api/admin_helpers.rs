//! Admin API helpers: operators made through the CLI's own function and signed in over HTTP,
//! API tokens, and the authorization matrix every admin route must pass.
//!
//! Adding admin routes: append them to [`ADMIN_ROUTES`]; `every_admin_route_is_authorized` and
//! `the_route_list_and_the_openapi_document_agree` then cover them.

use reqwest::{Method, Response};
use serde_json::{json, Value};
use vouch_core::admin::Role;
use vouch_server::admin::operators;

use crate::helpers::TestApp;

/// Every operator the helpers make has this password.
pub const PASSWORD: &str = "correct horse battery staple";

/// One admin route for the matrix. `{campaign}` in `path` is replaced by a campaign id.
#[derive(Debug, Clone, Copy)]
pub struct AdminRoute {
    pub method: &'static str,
    pub path: &'static str,
    /// Changes something (CSRF token needed with a session; viewers refused when scoped).
    pub write: bool,
    /// Owners only (not tied to a campaign).
    pub owner_only: bool,
    /// Answered without signing in (the login itself).
    pub public: bool,
}

const fn route(method: &'static str, path: &'static str, write: bool, owner_only: bool) -> AdminRoute {
    AdminRoute { method, path, write, owner_only, public: false }
}

/// Every admin route. Paths use the OpenAPI spelling (`{campaign}`, `{email}`).
pub const ADMIN_ROUTES: &[AdminRoute] = &[
    AdminRoute { method: "POST", path: "/admin/v1/session", write: true, owner_only: false, public: true },
    route("GET", "/admin/v1/session", false, false),
    route("DELETE", "/admin/v1/session", true, false),
    route("GET", "/admin/v1/operators", false, true),
    route("POST", "/admin/v1/operators", true, true),
    route("DELETE", "/admin/v1/operators/{email}", true, true),
    route("GET", "/admin/v1/audit", false, true),
    route("GET", "/admin/v1/campaigns/{campaign}/audit", false, false),
    route("GET", "/admin/v1/campaigns", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/embed", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/stats", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/entries", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/entries/{entry_id}", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/entries.csv", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/review", false, false),
    route("GET", "/admin/v1/campaigns/{campaign}/review/reasons", false, false),
    route("POST", "/admin/v1/campaigns/{campaign}/entries/{entry_id}/decision", true, false),
    route("GET", "/admin/v1/campaigns/{campaign}/draws", false, false),
    route("POST", "/admin/v1/campaigns/{campaign}/draws", true, false),
    route("GET", "/admin/v1/campaigns/{campaign}/draws/{draw_id}", false, false),
    // Verifying changes nothing (viewers may), but is a POST: CSRF applies all the same.
    route("POST", "/admin/v1/campaigns/{campaign}/draws/{draw_id}/verify", false, false),
    route("POST", "/admin/v1/campaigns/{campaign}/draws/{draw_id}/forfeit", true, false),
    route("POST", "/admin/v1/campaigns/{campaign}/draws/{draw_id}/notify", true, false),
    route("GET", "/admin/v1/campaigns/{campaign}/credits", false, false),
    route("POST", "/admin/v1/campaigns/{campaign}/credits/{credit_id}/decision", true, false),
    route("GET", "/admin/v1/campaigns/{campaign}/codes", false, false),
    route("POST", "/admin/v1/campaigns/{campaign}/codes/{pool}", true, false),
    route("GET", "/admin/v1/campaigns/{campaign}/payouts.csv", false, false),
    route("POST", "/admin/v1/campaigns/{campaign}/payouts/{payout_id}/paid", true, false),
    route("GET", "/admin/v1/queues", false, true),
    route("GET", "/admin/v1/queues/{queue}/dead", false, true),
    route("POST", "/admin/v1/queues/{queue}/dead/{id}/redrive", true, true),
    route("POST", "/admin/v1/queues/{queue}/redrive", true, true),
    route("POST", "/admin/v1/queues/{queue}/pause", true, true),
    route("POST", "/admin/v1/queues/{queue}/resume", true, true),
    route("POST", "/admin/v1/shoppers/export", true, true),
    route("POST", "/admin/v1/shoppers/erase", true, true),
];

impl AdminRoute {
    pub fn scoped(&self) -> bool {
        self.path.contains("{campaign}")
    }

    /// The path for `campaign`, other placeholders filled with ids that need not exist.
    pub fn path_for(&self, campaign: &str) -> String {
        let path = self.path.replace("{campaign}", campaign).replace("{email}", "nobody@example.com");
        let mut path = path.replace("{entry_id}", "ent_nobody").replace("{draw_id}", "drw_nobody");
        // Any other id: one that need not exist (authorization is decided before it is looked up).
        while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
            path.replace_range(open..=close, "x");
        }
        path
    }
}

/// A client of the admin API: signed in with a session (cookie + CSRF token), a bearer token,
/// or nobody.
#[derive(Clone)]
pub struct AdminClient {
    pub base: String,
    pub http: reqwest::Client,
    /// `vouch_admin=…`, as sent back in `Cookie`.
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    pub email: String,
    /// The `Set-Cookie` header of the login.
    pub set_cookie: String,
}

impl AdminClient {
    pub fn anonymous(app: &TestApp) -> Self {
        Self {
            base: app.running.bff_url(),
            http: app.client.clone(),
            cookie: None,
            csrf: None,
            bearer: None,
            email: String::new(),
            set_cookie: String::new(),
        }
    }

    /// Signs in over HTTP; panics unless it works.
    pub async fn login(app: &TestApp, email: &str, password: &str) -> Self {
        let response = Self::anonymous(app).post_login(email, password).await;
        assert_eq!(response.status(), 200, "login of an operator the test made");
        let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
        let me: Value = response.json().await.unwrap();
        Self {
            cookie: Some(set_cookie.split(';').next().unwrap().to_string()),
            csrf: Some(me["csrf_token"].as_str().unwrap().to_string()),
            email: me["email"].as_str().unwrap().to_string(),
            set_cookie,
            ..Self::anonymous(app)
        }
    }

    pub async fn post_login(&self, email: &str, password: &str) -> Response {
        self.http
            .post(format!("{}/admin/v1/session", self.base))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// The same caller without its CSRF token.
    pub fn without_csrf(&self) -> Self {
        Self { csrf: None, ..self.clone() }
    }

    pub fn builder(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(csrf) = &self.csrf {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        request
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Response {
        let request = self.builder(method, path);
        let request = match body {
            Some(b) => request.json(&b),
            None => request,
        };
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send("POST", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send("DELETE", path, None).await
    }
}

static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn campaigns_of(campaigns: &[&str]) -> Option<Vec<String>> {
    (!campaigns.is_empty()).then(|| campaigns.iter().map(|c| c.to_string()).collect())
}

impl TestApp {
    /// Adds an operator through the CLI's function (a fresh e-mail) and signs it in over HTTP.
    pub async fn operator(&self, role: Role, campaigns: &[&str]) -> AdminClient {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let email = format!("{}-{n}@staff.example", role.as_str());
        self.add_operator(&email, role, campaigns).await;
        AdminClient::login(self, &email, PASSWORD).await
    }

    /// Adds an operator with [`PASSWORD`], as `vouch operators add` does.
    pub async fn add_operator(&self, email: &str, role: Role, campaigns: &[&str]) {
        operators::add(&self.running.backends, "test", email, role, campaigns_of(campaigns), PASSWORD).await.unwrap();
    }

    /// A session of `of`'s operator last used two days ago, as the store would still hold it.
    pub async fn expired_session(&self, of: &AdminClient) -> AdminClient {
        let id = format!("expired-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let long_ago = vouch_server::clock::now_ms() - 2 * 24 * 3600 * 1000;
        let session = vouch_server::backends::operators::Session {
            id_hash: vouch_server::crypto::sha256_hex(&id),
            email: of.email.clone(),
            csrf_token: "expired-csrf".into(),
            created_at_ms: long_ago,
            last_seen_ms: long_ago,
        };
        self.running.backends.operators.create_session(&session).await.unwrap();
        AdminClient { cookie: Some(format!("vouch_admin={id}")), csrf: Some("expired-csrf".into()), ..of.clone() }
    }

    /// A client with a new API token, as `vouch operators token create` makes it.
    pub async fn admin_token(&self, name: &str, role: Role, campaigns: &[&str]) -> AdminClient {
        let token =
            operators::create_token(&self.running.backends, "test", name, role, campaigns_of(campaigns)).await.unwrap();
        AdminClient { bearer: Some(token), ..AdminClient::anonymous(self) }
    }
}

async fn code_of(response: Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or("").to_string())
}

/// Asserts, for each route: 401 signed out and with an expired session; 403 for an operator of another campaign; 403 for a
/// viewer writing; 403 for a moderator on an owners' route; 403 `csrf_rejected` for a write made
/// with a session but without its CSRF token. `campaign` must exist (`demo`).
pub async fn assert_authorization(app: &TestApp, routes: &[AdminRoute], campaign: &str) {
    let anonymous = AdminClient::anonymous(app);
    let elsewhere = app.operator(Role::Moderator, &["other"]).await;
    let viewer = app.operator(Role::Viewer, &[campaign]).await;
    let moderator = app.operator(Role::Moderator, &[campaign]).await;
    let owner = app.operator(Role::Owner, &[]).await;
    let expired = app.expired_session(&owner).await;
    for r in routes.iter().filter(|r| !r.public) {
        let path = r.path_for(campaign);
        let body = r.write.then(|| json!({}));
        let at = format!("{} {}", r.method, r.path);
        assert_eq!(
            code_of(anonymous.send(r.method, &path, body.clone()).await).await,
            (401, "unauthorized".into()),
            "{at} signed out"
        );
        let refused = code_of(expired.send(r.method, &path, body.clone()).await).await;
        assert_eq!(refused, (401, "unauthorized".into()), "{at} with an expired session");
        if r.scoped() {
            let refused = code_of(elsewhere.send(r.method, &path, body.clone()).await).await;
            assert_eq!(refused, (403, "forbidden".into()), "{at} by another campaign's operator");
            // An unknown campaign is refused alike: scope does not reveal which campaigns exist.
            let unknown = code_of(elsewhere.send(r.method, &r.path_for("no-such-campaign"), body.clone()).await).await;
            assert_eq!(unknown, (403, "forbidden".into()), "{at} on an unknown campaign");
        }
        if r.write && r.scoped() {
            let refused = code_of(viewer.send(r.method, &path, body.clone()).await).await;
            assert_eq!(refused, (403, "forbidden".into()), "{at} by a viewer");
        }
        if r.owner_only {
            let refused = code_of(moderator.send(r.method, &path, body.clone()).await).await;
            assert_eq!(refused, (403, "forbidden".into()), "{at} by a moderator");
        }
        if r.write {
            let caller = if r.owner_only { &owner } else { &moderator };
            let refused = code_of(caller.without_csrf().send(r.method, &path, body.clone()).await).await;
            assert_eq!(refused, (403, "csrf_rejected".into()), "{at} without the CSRF token");
        }
    }
}
