//! SIGKILL of `vouch serve` while operators sign in: every session that was answered 200 still
//! opens the console after the restart, the operator added by the CLI is still there, and a
//! lockout is not lifted by the crash.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use crate::process::{cli_text, command, serve, setup};

const PASSWORD: &str = "correct horse battery staple";

async fn add_operator(dir: &std::path::Path, email: &str) {
    let mut child = command(dir, &["operators", "add", email, "--role", "moderator", "--campaigns", "crash"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{PASSWORD}\n").as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("added"), "the CLI acknowledged");
}

async fn login(client: &reqwest::Client, bff: &str, email: &str, password: &str) -> Option<(u16, Option<String>)> {
    let res = client
        .post(format!("{bff}/admin/v1/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .ok()?;
    let status = res.status().as_u16();
    let cookie = res.headers().get("set-cookie").map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string());
    res.json::<Value>().await.ok()?;
    Some((status, cookie))
}

async fn me(client: &reqwest::Client, bff: &str, cookie: &str) -> u16 {
    let res = client.get(format!("{bff}/admin/v1/session")).header("cookie", cookie).send().await.unwrap();
    res.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_operators_sessions_and_lockouts_survive_a_kill() {
    let dir = setup();
    add_operator(dir.path(), "mod@staff.example").await;
    add_operator(dir.path(), "locked@staff.example").await;
    let mut vouch = serve(dir.path(), &["--no-worker"]).await;
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let refused = login(&client, &vouch.bff, "locked@staff.example", "wrong wrong wrong").await;
        assert_eq!(refused.map(|r| r.0), Some(401));
    }
    // Sign in over and over from several tasks; kill the server while they run.
    let sessions = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (client, bff, sessions) = (client.clone(), vouch.bff.clone(), sessions.clone());
        tasks.spawn(async move {
            while let Some((200, Some(cookie))) = login(&client, &bff, "mod@staff.example", PASSWORD).await {
                sessions.lock().unwrap().push(cookie);
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    vouch.child.start_kill().unwrap();
    vouch.child.wait().await.unwrap();
    while tasks.join_next().await.is_some() {}
    let sessions = sessions.lock().unwrap().clone();
    assert!(!sessions.is_empty(), "some sign-ins were answered before the kill");

    let vouch = serve(dir.path(), &["--no-worker"]).await;
    for cookie in &sessions {
        assert_eq!(me(&client, &vouch.bff, cookie).await, 200, "an acknowledged session survives");
    }
    let locked = login(&client, &vouch.bff, "locked@staff.example", PASSWORD).await;
    assert_eq!(locked.map(|r| r.0), Some(429), "the lockout survives the restart");
    let listed = cli_text(dir.path(), &["operators", "list"]).await;
    assert!(listed.contains("mod@staff.example\tmoderator\tcrash"), "{listed}");
}
