//! What a hostile network client can and cannot do: pose as many clients through a forged
//! `X-Forwarded-For`, or hold connections with a body or headers that never finish.

use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;

use crate::helpers::{entry_body, error_code, TestApp, SHOP};

/// An entry on the `tight` campaign (burst 3) as the load balancer forwards it: whatever
/// `X-Forwarded-For` the client sent, then the address the balancer saw.
async fn via_proxy(app: &TestApp, sent_by_client: Option<&str>, client: &str, key: &str) -> reqwest::Response {
    let forwarded = match sent_by_client {
        Some(forged) => format!("{forged}, {client}"),
        None => client.to_string(),
    };
    app.client
        .post(app.url("/v1/campaigns/tight/entries"))
        .header("Origin", SHOP)
        .header("Idempotency-Key", key)
        .header("X-Forwarded-For", forwarded)
        .json(&entry_body("p@example.com", None))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_forged_forwarded_for_does_not_buy_a_fresh_allowance() {
    let app = TestApp::spawn_with(|c| c.http.trusted_proxy_hops = 1).await;
    let mut accepted = 0;
    for i in 0..1000u32 {
        let forged = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
        let res = via_proxy(&app, Some(&forged), "198.51.100.7", &format!("k{i}")).await;
        match res.status().as_u16() {
            202 => accepted += 1,
            429 => {}
            other => panic!("request {i}: unexpected {other}"),
        }
    }
    assert_eq!(accepted, 3, "one client, one burst, however it signs its requests");
    assert_eq!(app.queue("entries").stats().await.unwrap().ready, 3);
}

#[tokio::test]
async fn two_clients_behind_the_same_proxy_have_their_own_allowance() {
    let app = TestApp::spawn_with(|c| c.http.trusted_proxy_hops = 1).await;
    for i in 0..3 {
        assert_eq!(via_proxy(&app, None, "198.51.100.7", &format!("a{i}")).await.status(), 202);
    }
    let (status, error) = error_code(via_proxy(&app, None, "198.51.100.7", "a-over").await).await;
    assert_eq!((status, error["code"].as_str()), (429, Some("rate_limited")));
    assert_eq!(via_proxy(&app, None, "198.51.100.8", "b0").await.status(), 202);
    // Clients on one IPv6 /64 are one client; another /64 is someone else.
    for i in 0..3 {
        assert_eq!(via_proxy(&app, None, &format!("2001:db8:0:1::{i}"), &format!("v{i}")).await.status(), 202);
    }
    assert_eq!(via_proxy(&app, None, "2001:db8:0:1:ffff::9", "v-over").await.status(), 429);
    assert_eq!(via_proxy(&app, None, "2001:db8:0:2::1", "w0").await.status(), 202);
}

#[tokio::test]
async fn without_trusted_proxies_the_header_is_ignored() {
    let app = TestApp::spawn().await;
    for i in 0..3 {
        assert_eq!(via_proxy(&app, None, &format!("198.51.100.{i}"), &format!("k{i}")).await.status(), 202);
    }
    assert_eq!(via_proxy(&app, None, "198.51.100.99", "k-over").await.status(), 429);
}

/// Reads what the server sends until it closes, answers with a JSON error, or `within` passes.
async fn read_answer(stream: &mut (impl AsyncRead + Unpin), within: Duration) -> String {
    let mut got = Vec::new();
    let _ = tokio::time::timeout(within, async {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = stream.read(&mut buf).await {
            got.extend_from_slice(&buf[..n]);
            if got.ends_with(b"}}") {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&got).into_owned()
}

/// Sends an entry's headers promising 400 bytes, then one byte every 50 ms in the background
/// (20 s in all) until the server hangs up; returns the half the answer comes on.
async fn trickle(app: &TestApp) -> OwnedReadHalf {
    let mut stream = TcpStream::connect(app.running.bff).await.unwrap();
    let head = format!(
        "POST /v1/campaigns/demo/entries HTTP/1.1\r\nHost: vouch\r\nOrigin: {SHOP}\r\nIdempotency-Key: slow\r\n\
         Content-Type: application/json\r\nContent-Length: 400\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (reader, mut writer) = stream.into_split();
    tokio::spawn(async move {
        for _ in 0..400 {
            if writer.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    reader
}

#[tokio::test]
async fn a_body_trickled_byte_by_byte_is_cut_off_while_others_are_served() {
    let app = TestApp::spawn_with(|c| c.http.body_timeout_ms = 1000).await;
    let started = Instant::now();
    let mut slow = trickle(&app).await;
    // Everyone else is served meanwhile.
    let res = app.entry("open", &entry_body("quick@example.com", None), "quick").await;
    assert_eq!(res.status(), 202);
    let answer = read_answer(&mut slow, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#"{"error":{"code":"body_timeout","message":"#), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5), "cut off after {:?}", started.elapsed());
    assert_eq!(app.queue("entries").stats().await.unwrap().ready, 1, "only the quick entry was taken");
}

#[tokio::test]
async fn a_request_over_its_deadline_gets_the_structured_error() {
    let app = TestApp::spawn_with(|c| c.http.request_timeout_ms = 500).await;
    let mut slow = trickle(&app).await;
    let answer = read_answer(&mut slow, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains(r#"{"error":{"code":"timeout","message":"#), "{answer}");
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = TestApp::spawn_with(|c| c.http.header_timeout_ms = 500).await;
    let mut stream = TcpStream::connect(app.running.bff).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: vouch\r\n").await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(read.is_ok(), "still connected after {:?}", started.elapsed());
}

#[tokio::test]
async fn connections_over_the_cap_wait_until_one_is_free() {
    let app = TestApp::spawn_with(|c| c.http.max_connections = 1).await;
    let idle = TcpStream::connect(app.running.bff).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waiting = tokio::time::timeout(Duration::from_millis(500), app.client.get(app.url("/healthz")).send()).await;
    assert!(waiting.is_err(), "a second connection was served beside the first");
    drop(idle);
    let res = tokio::time::timeout(Duration::from_secs(5), app.client.get(app.url("/healthz")).send()).await;
    assert_eq!(res.expect("served once the slot is free").unwrap().status(), 200);
}
