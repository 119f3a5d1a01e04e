//! Shared by the test binaries: a moto server (the AWS wire protocol, run locally) and the
//! configuration that points Vouch's AWS backends at it under names no other test uses.

#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vouch_server::config::{Config, MailBackend, ObjectsBackend, QueueBackend, Secret, StoreBackend};

/// A moto server: the one `cargo xtask test` started (`VOUCH_TEST_MOTO`), or one of our own.
pub struct Moto {
    pub endpoint: String,
    child: Option<Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

pub fn moto() -> Moto {
    // The SDK reads credentials from the standard chain; moto accepts any.
    for (k, v) in
        [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_EC2_METADATA_DISABLED", "true")]
    {
        if std::env::var_os(k).is_none() {
            std::env::set_var(k, v);
        }
    }
    if let Ok(endpoint) = std::env::var("VOUCH_TEST_MOTO") {
        return Moto { endpoint, child: None };
    }
    let port = free_port();
    // moto with DynamoDB requests serialised, as the real service isolates them (see the script).
    let child = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/moto_serial.py"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with moto runs (cargo xtask setup installs it)");
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Moto { endpoint, child: Some(child) }
}

/// Points every backend at AWS (moto at `endpoint`) with resource names unique to this test.
pub fn use_aws(config: &mut Config, endpoint: &str) {
    let unique = format!("t{}", uuid::Uuid::new_v4().simple().to_string().get(..12).unwrap_or("x"));
    config.objects.backend = ObjectsBackend::S3;
    config.objects.bucket = unique.clone();
    config.objects.force_path_style = true;
    config.queue.backend = QueueBackend::Sqs;
    config.queue.prefix = format!("{unique}-");
    config.queue.wait_secs = 0;
    config.store.backend = StoreBackend::Dynamodb;
    config.mail.backend = MailBackend::Ses;
    // moto keeps every test's mail in one list: the sender tells this test's apart.
    config.mail.from = format!("giveaways+{unique}@vouch.test");
    config.store.table = unique;
    config.aws.endpoint = Some(endpoint.to_string());
    // One moto serves every test at once on two busy cores: a 70-item transaction or a long poll
    // there can take seconds that real AWS does not. Tests of timeouts set their own.
    config.aws.timeout_ms = 6000;
    // Several BFFs share the table, so they share the key of the upload ids too.
    config.signing_key = Some(Secret::new("test-signing-key-shared-by-every-instance"));
}

/// Mails moto's SES received for `to`: (to, subject, body).
pub async fn ses_mails(endpoint: &str, to: &str) -> Vec<(String, String, String)> {
    let data = moto_data(endpoint).await;
    let messages = data["ses"]["Message"].as_array().cloned().unwrap_or_default();
    messages
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|a| a.iter().any(|x| x == to)))
        .map(|m| {
            (
                to.to_string(),
                m["subject"].as_str().unwrap_or("").to_string(),
                m["body"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// moto's dump of everything it holds. A moto shared by many tests at once sometimes fails to
/// serialise it while another test writes (a 500 with a Python traceback): ask again.
pub async fn moto_data(endpoint: &str) -> serde_json::Value {
    let url = format!("{endpoint}/moto-api/data.json");
    for _ in 0..20 {
        if let Ok(data) = reqwest::get(&url).await.unwrap().json::<serde_json::Value>().await {
            return data;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto kept failing to dump its data");
}

/// The shopper every store-level test enters as.
pub fn entrant() -> vouch_core::form::Entrant {
    vouch_core::form::Entrant {
        first_name: "Zoë".into(),
        last_name: "Ünal".into(),
        email: "zoe@example.com".into(),
        phone: None,
        postal_code: Some("10115".into()),
        marketing_consent: false,
        referral_code: None,
    }
}
