//! A campaign's webhook URL must not lead into the operator's own network: loopback, private and
//! link-local addresses are refused where the connection is made, whether the URL names the
//! address or a host name that resolves to it, unless development mode allows them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use vouch_server::backends::referrals::Referrer;
use vouch_server::campaigns::Campaigns;
use vouch_server::referrals::webhooks::Event;
use vouch_server::worker::webhooks::WebhookHandler;
use vouch_server::worker::Handler;

use crate::helpers::TestApp;

/// A receiver on loopback that counts what reaches it; its port.
async fn receiver() -> (Arc<AtomicUsize>, u16) {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move || {
            count.fetch_add(1, Ordering::SeqCst);
            async { axum::http::StatusCode::NO_CONTENT }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (hits, port)
}

fn event() -> String {
    let r = Referrer {
        referrer_id: "ref_1".into(),
        campaign: "demo".into(),
        code: "AB3DK9MZ".into(),
        email: "anna@example.com".into(),
        identity: "anna@example.com".into(),
        first_name: "Anna".into(),
        join_flagged: false,
        created_at_ms: 0,
    };
    Event::referrer_joined(&r).to_json()
}

async fn deliver(url: &str, allow_internal: bool) -> Result<(), String> {
    let app = TestApp::spawn_with_webhook(url).await;
    app.running.backends.referrals.set_webhook_secret("demo", "whsec_targets").await.unwrap();
    let campaigns = Campaigns::load_dir(&app.config.campaigns_dir).unwrap();
    let handler = WebhookHandler::new(app.running.backends.referrals.clone(), campaigns, allow_internal);
    handler.handle(&event()).await.map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_webhook_to_a_loopback_address_or_name_is_refused() {
    let (hits, port) = receiver().await;
    for url in [format!("http://127.0.0.1:{port}/hooks"), format!("http://localhost:{port}/hooks")] {
        let refused = deliver(&url, false).await.unwrap_err();
        assert!(refused.contains("internal"), "{url}: {refused}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing reached the internal receiver");
}

#[tokio::test]
async fn development_mode_delivers_to_loopback() {
    let (hits, port) = receiver().await;
    deliver(&format!("http://localhost:{port}/hooks"), true).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
