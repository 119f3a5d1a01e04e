//! A real server per test: in-process on port 0, a fresh data folder, test campaigns on disk.

use std::collections::BTreeMap;
use std::net::IpAddr;

use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response};
use serde_json::{json, Value};
use tempfile::TempDir;
use vouch_core::wire::UploadGrant;
use vouch_server::app::start::{self, Running};
use vouch_server::config::Config;
use vouch_server::worker::Worker;

pub use crate::fixtures::{new_referrer, submission};
use crate::support::{moto, use_aws, Moto};

pub const SHOP: &str = "https://shop.example";

const CAMPAIGNS: [(&str, &str); 5] = [
    (
        "demo",
        r#"id = "demo"
name = "Demo"
allowed_origins = ["https://shop.example"]
image_url = "https://cdn.example/demo.jpg"
[form]
phone = "optional"
[form.upload]
max_bytes = 200000
max_pixels = 4000000
[limits]
entries_per_minute = 600
entries_burst = 200
uploads_per_minute = 600
uploads_burst = 200
[referral]
landing_url = "https://shop.example/"
friend_offer = "10 % off your first order"
referrer_reward = "10 % off your next order"
# WEBHOOK
[referral.velocity]
conversions_per_code_per_day = 3
conversions_per_client_per_day = 1000
joins_per_client_per_hour = 1000
[facebook]
page_ids = ["1234567890"]
[translations.de]
title = "Gewinnen Sie ein Jahr Kaffee"
confirmed = "Viel Glück bei der Verlosung!"
"#,
    ),
    (
        "other",
        r#"id = "other"
name = "Other"
allowed_origins = ["https://other.example"]
[referral]
landing_url = "https://other.example/"
friend_offer = "5 off"
referrer_reward = "5 off"
"#,
    ),
    (
        "tight",
        r#"id = "tight"
name = "Tight"
allowed_origins = ["https://shop.example"]
[form]
phone = "optional"
[form.upload]
required = false
[limits]
entries_per_minute = 1
entries_burst = 3
uploads_per_minute = 1
uploads_burst = 3
"#,
    ),
    (
        "open",
        r#"id = "open"
name = "No receipt, no limits"
allowed_origins = ["https://shop.example"]
[form]
phone = "optional"
[form.upload]
required = false
[limits]
entries_per_minute = 100000
entries_burst = 100000
"#,
    ),
    (
        "budget",
        r#"id = "budget"
name = "One megabyte of pending uploads"
allowed_origins = ["https://shop.example"]
[form]
phone = "optional"
[form.upload]
max_bytes = 400000
[limits]
uploads_per_minute = 600
uploads_burst = 200
[uploads]
max_pending_mb = 1
"#,
    ),
];

pub struct TestApp {
    pub running: Running,
    pub client: Client,
    pub config: Config,
    /// Set when the backends are AWS (on moto).
    pub moto: Option<Moto>,
    _dir: TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server without the embedded worker (tests drain the queue when they choose).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_full(adjust, None).await
    }

    /// Like `spawn`, with the demo campaign's webhooks going to `url`.
    pub async fn spawn_with_webhook(url: &str) -> Self {
        Self::spawn_full(|_| {}, Some(url)).await
    }

    /// Like `spawn`, with every backend on AWS (S3, SQS, DynamoDB, SES on moto), resources
    /// created for this test alone. `endpoint` overrides where the SDK connects (a proxy).
    pub async fn spawn_aws_via(endpoint: Option<&str>) -> Self {
        Self::try_spawn_aws(moto(), endpoint, |_| {}).await.expect("server starts")
    }

    /// Like `spawn_aws`, then `adjust` the configuration (e.g. a campaign file).
    pub async fn spawn_aws_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::try_spawn_aws(moto(), None, adjust).await.expect("server starts")
    }

    /// Like `spawn_aws_via` on `moto` (which a proxy at `endpoint` may lead to), with `adjust`
    /// applied last; the server's start may fail.
    pub async fn try_spawn_aws(
        moto: Moto,
        endpoint: Option<&str>,
        adjust: impl FnOnce(&mut Config),
    ) -> anyhow::Result<Self> {
        let mut aws_config = Config::default();
        use_aws(&mut aws_config, &moto.endpoint);
        aws_config.worker.max_attempts = 3;
        let aws = vouch_server::backends::aws::Aws::connect(&aws_config).await.unwrap();
        aws.provision(aws_config.worker.max_attempts).await.unwrap();
        let via = endpoint.map(str::to_string);
        let mut app = Self::try_spawn_full(
            move |c| {
                c.objects.backend = aws_config.objects.backend;
                c.objects.bucket = aws_config.objects.bucket;
                c.objects.force_path_style = true;
                c.queue = aws_config.queue;
                c.store = aws_config.store;
                c.mail = aws_config.mail;
                c.aws = aws_config.aws;
                c.signing_key = aws_config.signing_key;
                if let Some(via) = via {
                    c.aws.endpoint = Some(via);
                }
                adjust(c);
            },
            None,
        )
        .await?;
        app.moto = Some(moto);
        Ok(app)
    }

    pub async fn spawn_aws() -> Self {
        Self::spawn_aws_via(None).await
    }

    /// A second BFF on `other`'s AWS resources: the same table, queues, bucket and keys.
    pub async fn spawn_beside(other: &TestApp) -> Self {
        let shared = other.config.clone();
        Self::spawn_with(move |c| {
            c.objects = shared.objects;
            c.queue = shared.queue;
            c.store = shared.store;
            c.mail = shared.mail;
            c.aws = shared.aws;
            c.signing_key = shared.signing_key;
        })
        .await
    }

    async fn spawn_full(adjust: impl FnOnce(&mut Config), webhook: Option<&str>) -> Self {
        Self::try_spawn_full(adjust, webhook).await.expect("server starts")
    }

    async fn try_spawn_full(adjust: impl FnOnce(&mut Config), webhook: Option<&str>) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let campaigns = dir.path().join("campaigns");
        std::fs::create_dir_all(&campaigns).unwrap();
        for (id, text) in CAMPAIGNS {
            let text = match webhook {
                Some(url) => text.replace("# WEBHOOK", &format!("webhook_url = \"{url}\"")),
                None => text.to_string(),
            };
            std::fs::write(campaigns.join(format!("{id}.toml")), text).unwrap();
        }
        let mut config = Config {
            data_dir: dir.path().join("data"),
            campaigns_dir: campaigns,
            widget_dir: dir.path().join("no-widget"),
            ..Config::default()
        };
        config.http.port = 0;
        config.http.metrics_addr = ([127, 0, 0, 1], 0).into();
        config.objects.port = 0;
        config.demo.enabled = false;
        config.worker.embedded = false;
        config.worker.retry_backoff_ms = 20;
        config.worker.max_attempts = 3;
        // The tests' webhook receivers listen on loopback.
        config.worker.allow_internal_webhooks = true;
        adjust(&mut config);
        let running = start::start(&config).await?;
        Ok(Self { running, client: Client::new(), config, moto: None, _dir: dir })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.bff_url())
    }

    /// A path on the internal listener (`/metrics`, `/readyz`).
    pub fn internal_url(&self, path: &str) -> String {
        format!("{}{path}", self.running.metrics_url())
    }

    pub fn worker(&self) -> Worker {
        let campaigns = vouch_server::campaigns::Campaigns::load_dir(&self.config.campaigns_dir).unwrap();
        start::worker(&self.config, &self.running.backends, campaigns)
    }

    /// One of the queues (`entries`, `conversions`, `webhooks`).
    pub fn queue(&self, topic: &str) -> std::sync::Arc<dyn vouch_server::backends::Queue> {
        self.running.backends.queue(topic).expect("a known queue")
    }

    /// Confirmation mails sent so far: (to, text). From the outbox, or from moto's SES.
    pub async fn mails(&self) -> Vec<(String, String)> {
        if let Some(moto) = &self.moto {
            let data = crate::support::moto_data(&moto.endpoint).await;
            let messages = data["ses"]["Message"].as_array().cloned().unwrap_or_default();
            return messages
                .iter()
                .filter(|m| m["source"].as_str().is_some_and(|s| s.contains(&self.config.mail.from)))
                .filter_map(|m| {
                    Some((m["destinations"]["ToAddresses"][0].as_str()?.to_string(), m["body"].as_str()?.to_string()))
                })
                .collect();
        }
        let outbox = self.running.backends.sqlite.as_ref().expect("the embedded outbox").outbox();
        outbox.list().await.unwrap().into_iter().map(|m| (m.to, m.text)).collect()
    }

    /// Runs the worker until the queue has nothing visible left.
    pub async fn drain(&self) -> usize {
        self.worker().drain().await.expect("drain")
    }

    pub async fn post_json(&self, path: &str, body: &Value, key: Option<&str>) -> Response {
        let mut req = self.client.post(self.url(path)).header("Origin", SHOP).json(body);
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        req.send().await.expect("request")
    }

    pub async fn grant(&self, campaign: &str, content_type: &str, size: u64) -> Response {
        self.post_json(
            &format!("/v1/campaigns/{campaign}/uploads"),
            &json!({"content_type": content_type, "size": size}),
            None,
        )
        .await
    }

    /// A grant for `bytes`, uploaded to the object store exactly as the widget does it.
    pub async fn uploaded(&self, campaign: &str, bytes: &[u8], content_type: &str) -> String {
        let res = self.grant(campaign, content_type, bytes.len() as u64).await;
        assert_eq!(res.status(), 201, "grant: {}", res.text().await.unwrap());
        let grant: UploadGrant = res.json().await.unwrap();
        let res = upload(&self.client, &grant.url, &grant.fields, bytes, content_type).await;
        assert_eq!(res.status(), 201, "upload: {}", res.text().await.unwrap());
        grant.upload_id
    }

    pub async fn entry(&self, campaign: &str, body: &Value, key: &str) -> Response {
        self.post_json(&format!("/v1/campaigns/{campaign}/entries"), body, Some(key)).await
    }

    pub async fn status(&self, campaign: &str, entry_id: &str) -> Value {
        let res =
            self.client.get(self.url(&format!("/v1/campaigns/{campaign}/entries/{entry_id}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// A referrer's progress in the demo campaign, as its owner's browser reads it with `token`.
    pub async fn progress(&self, code: &str, token: &str) -> Value {
        let url = self.url(&format!("/v1/campaigns/demo/referrers/{code}/progress"));
        self.client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap()
    }

    pub fn object_path(&self, key: &str) -> std::path::PathBuf {
        self.config.objects_dir().join(&self.config.objects.bucket).join(key)
    }

    /// A client whose connections come from another loopback address.
    pub fn client_from(ip: &str) -> Client {
        Client::builder().local_address(ip.parse::<IpAddr>().ok()).build().unwrap()
    }
}

/// Posts a file to the object store with a grant's form fields (file last, as S3 requires).
pub async fn upload(
    client: &Client,
    url: &str,
    fields: &BTreeMap<String, String>,
    bytes: &[u8],
    content_type: &str,
) -> Response {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.clone(), v.clone());
    }
    let part = Part::bytes(bytes.to_vec()).file_name("receipt").mime_str(content_type).unwrap();
    client.post(url).header("Origin", SHOP).multipart(form.part("file", part)).send().await.unwrap()
}

pub fn entry_body(email: &str, upload_id: Option<&str>) -> Value {
    json!({
        "fields": {"first_name": "Zoë", "last_name": "Ünal", "email": email, "phone": "", "postal_code": "10115"},
        "consents": {"terms": true, "marketing": false},
        "receipt_upload_id": upload_id,
        "referral_code": null
    })
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A PNG that is tiny on disk and enormous once decoded.
pub fn png_bomb(side: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::GrayImage::new(side, side).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub async fn error_code(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.expect("a JSON error body");
    (status, body["error"].clone())
}
