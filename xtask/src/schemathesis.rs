//! Schemathesis (PyPI) against a live `vouch serve`: for each OpenAPI document in [`SPECS`] it
//! generates requests from the document and checks that no answer is a 5xx and that every answer
//! (status, content type, headers, body) is one the document allows.
//!
//! The server runs on its embedded default in a temporary folder, with a test campaign (`demo`
//! with a test origin and rate limits high enough not to answer every request with 429), a
//! merchant secret and one referrer, so the generated requests get past "no such campaign".
//!
//! The admin document (`/admin/v1/openapi.json`) is checked with an owner API token made by
//! `vouch operators token create` (a bearer token needs no CSRF token), after one entry has been
//! sent and processed and drawn, so its routes answer with data (their ids are the `entry_id` and
//! `draw_id` path parameters), not only 404s.
//!
//! ## Adding a document
//! Add a [`Spec`] to [`SPECS`]: its path, a function returning the credentials Schemathesis
//! should use (by the document's `securitySchemes` names) and the examples per operation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::util::{root, run, target_dir, Result};

/// The version `setup` installs (PyPI); the flags below are its CLI's.
pub(crate) const VERSION: &str = "4.32.5";
/// Test cases per operation and phase: both documents together stay under 2 minutes on 2 cores.
const PUBLIC_EXAMPLES: &str = "40";
const ADMIN_EXAMPLES: &str = "40";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";
/// The origin the test campaign allows (browser writes must carry an allowed `Origin`).
const ORIGIN: &str = "https://shop.example";

/// `(securityScheme name, bearer token)` pairs for one document.
type Credentials = Vec<(String, String)>;

/// One OpenAPI document the server serves, and how to authenticate against it.
struct Spec {
    path: &'static str,
    credentials: fn(&Server) -> Result<Credentials>,
    max_examples: &'static str,
    /// Send the shop's `Origin` (the public API's browser routes want it; the admin API refuses a
    /// sign-in from a foreign one, and callers with a token send none).
    shop_origin: bool,
}

const SPECS: &[Spec] = &[
    Spec {
        path: "/v1/openapi.json",
        credentials: public_credentials,
        max_examples: PUBLIC_EXAMPLES,
        shop_origin: true,
    },
    Spec {
        path: "/admin/v1/openapi.json",
        credentials: admin_credentials,
        max_examples: ADMIN_EXAMPLES,
        shop_origin: false,
    },
];

/// Runs every document's checks against the debug server binary (built by the Rust tests).
pub(crate) fn run_all() -> Result {
    let mut server = Server::start(&target_dir().join("debug/vouch"))?;
    server.draw_id = first_draw(&server)?;
    for spec in SPECS {
        check(&server, spec)?;
    }
    Ok(())
}

fn check(server: &Server, spec: &Spec) -> Result {
    let headers = if spec.shop_origin { format!("headers = {{ Origin = \"{ORIGIN}\" }}\n\n") } else { String::new() };
    let mut config = format!(
        "{headers}[parameters]\n\"path.campaign\" = \"demo\"\n\"path.code\" = \"{}\"\n\"path.file\" = \"vouch_entry.js\"\n\"path.entry_id\" = \"{}\"\n\"path.queue\" = \"entries\"\n\"path.draw_id\" = \"{}\"\n",
        server.referral_code, server.entry_id, server.draw_id
    );
    for (scheme, token) in (spec.credentials)(server)? {
        config.push_str(&format!("\n[auth.openapi.{scheme}]\nbearer = \"{token}\"\n"));
    }
    let config_file = server.dir.join("schemathesis.toml");
    std::fs::write(&config_file, config).map_err(|e| format!("writing {}: {e}", config_file.display()))?;
    run(Command::new("schemathesis")
        .arg("--config-file")
        .arg(&config_file)
        .args(["run", &format!("{}{}", server.url, spec.path), "--checks", CHECKS])
        .args(["--max-examples", spec.max_examples, "--workers", "2", "--no-color", "--generation-database", "none"])
        .arg("--report-dir")
        .arg(server.dir.join("report"))
        .current_dir(&server.dir))
}

/// The public API's bearer schemes: a merchant secret and the referrer's progress token.
fn public_credentials(server: &Server) -> Result<Credentials> {
    Ok(vec![
        ("merchant_secret".into(), server.merchant_secret.clone()),
        ("progress_token".into(), server.progress_token.clone()),
    ])
}

/// Draws one winner through the admin API once the worker has taken in the entry (until then
/// there is nobody to draw): the draw's id.
fn first_draw(server: &Server) -> Result<String> {
    let auth = format!("Authorization: Bearer {}\r\n", server.admin_token);
    let body = r#"{"winners":1,"beacon":"schemathesis","beacon_source":"a fixed text","force":true}"#;
    let mut last = String::new();
    for _ in 0..40 {
        match post_json(&server.url, "/admin/v1/campaigns/demo/draws", &auth, body) {
            Ok(draw) => return json_string(&draw, "draw_id").ok_or(format!("no draw id: {draw}")),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(format!("no draw after 10 s: {last}"))
}

/// The admin API's bearer scheme: an owner's API token.
fn admin_credentials(server: &Server) -> Result<Credentials> {
    Ok(vec![("token".into(), server.admin_token.clone())])
}

/// `vouch serve` in a temporary folder, stopped (and the folder removed) when dropped.
struct Server {
    child: Child,
    dir: PathBuf,
    url: String,
    merchant_secret: String,
    referral_code: String,
    progress_token: String,
    admin_token: String,
    /// An entry the worker has processed.
    entry_id: String,
    /// A draw among the entries (forced: the campaign is still open).
    draw_id: String,
}

impl Server {
    fn start(bin: &Path) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("vouch-schemathesis-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("campaigns")).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let demo = std::fs::read_to_string(root().join("campaigns/demo.toml")).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("campaigns/demo.toml"), test_campaign(&demo)).map_err(|e| e.to_string())?;
        let env = |cmd: &mut Command| {
            cmd.env("VOUCH_DATA_DIR", dir.join("data"))
                .env("VOUCH_CAMPAIGNS_DIR", dir.join("campaigns"))
                .env("VOUCH_FACEBOOK_APP_SECRET", "schemathesis-facebook-secret")
                .env("RUST_LOG", "error")
                .current_dir(root());
        };
        // The last line a CLI command prints (a secret, a token), before the server holds the store.
        let printed = |args: &[&str]| -> Result<String> {
            let mut cmd = Command::new(bin);
            env(cmd.args(args));
            let out = cmd.output().map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
            let last = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("").trim().to_string();
            if !out.status.success() || last.is_empty() {
                return Err(format!("vouch {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
            }
            Ok(last)
        };
        let merchant_secret = printed(&["secrets", "merchant", "--campaign", "demo"])?;
        let admin_token = printed(&["operators", "token", "create", "--name", "schemathesis", "--role", "owner"])?;
        let mut serve = Command::new(bin);
        env(serve.arg("serve"));
        for var in ["VOUCH_PORT", "VOUCH_DEMO_PORT", "VOUCH_S3_PORT"] {
            serve.env(var, free_port()?.to_string());
        }
        serve.env("VOUCH_METRICS_ADDR", format!("127.0.0.1:{}", free_port()?));
        let mut child = serve.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start vouch serve: {e}"))?;
        let url = match ready_url(&mut child) {
            Ok(url) => url,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(e);
            }
        };
        let mut server = Self {
            child,
            dir,
            url,
            merchant_secret,
            referral_code: String::new(),
            progress_token: String::new(),
            admin_token,
            entry_id: String::new(),
            draw_id: String::new(),
        };
        let joined = post_json(
            &server.url,
            "/v1/campaigns/demo/referrers",
            "",
            r#"{"email":"schemathesis@example.com","first_name":"Sam","consents":{"terms":true}}"#,
        )?;
        server.referral_code = json_string(&joined, "referral_code").ok_or(format!("no referral code: {joined}"))?;
        server.progress_token = json_string(&joined, "progress_token").ok_or(format!("no token: {joined}"))?;
        let entered = post_json(
            &server.url,
            "/v1/campaigns/demo/entries",
            "Idempotency-Key: schemathesis-entry-1\r\n",
            r#"{"fields":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","phone":"","postal_code":"10115"},"consents":{"terms":true,"marketing":true},"receipt_upload_id":null,"referral_code":null}"#,
        )?;
        server.entry_id = json_string(&entered, "entry_id").ok_or(format!("no entry id: {entered}"))?;
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The repo's demo campaign, open to [`ORIGIN`], with rate limits Schemathesis stays under, and
/// the receipt optional (so a generated entry can be accepted and its status read back).
fn test_campaign(demo: &str) -> String {
    let mut out = String::new();
    let mut section = "";
    for line in demo.lines() {
        if line.starts_with('[') {
            section = line;
        }
        let receipt_rule = section == "[form.upload]" && line.starts_with("required");
        if section == "[limits]" || receipt_rule || line.starts_with("allowed_origins") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.starts_with("id = ") {
            out.push_str(&format!("allowed_origins = [\"{ORIGIN}\"]\n"));
        }
    }
    out = out.replace("[form.upload]\n", "[form.upload]\nrequired = false\n");
    out.push_str("\n[limits]\nentries_per_minute = 1000000\nentries_burst = 1000000\n");
    out.push_str("uploads_per_minute = 1000000\nuploads_burst = 1000000\n");
    out.push_str("events_per_minute = 1000000\nevents_burst = 1000000\n");
    out
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Waits for the `VOUCH_READY {…}` line and returns the BFF's URL from it.
fn ready_url(child: &mut Child) -> Result<String> {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
            if let Some(ready) = line.strip_prefix("VOUCH_READY ") {
                let _ = tx.send(json_string(ready, "bff"));
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .ok()
        .flatten()
        .ok_or_else(|| "vouch serve did not become ready".to_string())
}

/// A JSON POST over plain HTTP/1.1 (the xtask has no HTTP client), with `headers` (each ending in
/// CRLF) besides the usual ones; the answer's body.
fn post_json(base: &str, path: &str, headers: &str, body: &str) -> Result<String> {
    let host = base.strip_prefix("http://").ok_or("the BFF URL is not http://")?;
    let mut stream = TcpStream::connect(host).map_err(|e| format!("connecting to {host}: {e}"))?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\nContent-Type: application/json\r\n\
         {headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    let (head, body) = answer.split_once("\r\n\r\n").ok_or("no HTTP answer")?;
    if !head.starts_with("HTTP/1.1 2") {
        return Err(format!("POST {path}: {head}\n{body}"));
    }
    Ok(body.to_string())
}

/// `"key":"value"` in a flat JSON object (enough for the answers read here).
fn json_string(json: &str, key: &str) -> Option<String> {
    let start = json.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let len = json[start..].find('"')?;
    Some(json[start..start + len].to_string())
}
