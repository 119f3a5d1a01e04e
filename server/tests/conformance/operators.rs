//! Operators, sessions, API tokens and login failures: the same behaviour from both stores.

use vouch_core::admin::Role;
use vouch_server::backends::operators::{ApiToken, Failures, Operator, Session};

use crate::fixture::Fixture;

fn operator(email: &str, role: Role, campaigns: Option<Vec<String>>) -> Operator {
    Operator { email: email.into(), password_hash: "$argon2id$v=19$stub".into(), role, campaigns, created_at_ms: 1_000 }
}

fn session(id: &str, email: &str) -> Session {
    Session {
        id_hash: id.into(),
        email: email.into(),
        csrf_token: format!("csrf-{id}"),
        created_at_ms: 1_000,
        last_seen_ms: 1_000,
    }
}

fn token(name: &str, hash: &str) -> ApiToken {
    ApiToken {
        token_hash: hash.into(),
        name: name.into(),
        role: Role::Viewer,
        campaigns: Some(vec!["demo".into(), "other".into()]),
        created_at_ms: 2_000,
        revoked: false,
    }
}

pub async fn an_operator_is_added_once_per_email_and_read_back(f: Fixture) {
    let ops = &f.backends.operators;
    let moderator = operator("mod@staff.example", Role::Moderator, Some(vec!["demo".into(), "other".into()]));
    assert!(ops.add_operator(&moderator).await.unwrap());
    let again = Operator { role: Role::Owner, ..moderator.clone() };
    assert!(!ops.add_operator(&again).await.unwrap(), "an existing e-mail is a conflict");
    assert_eq!(ops.operator("mod@staff.example").await.unwrap(), Some(moderator.clone()), "the first stands");
    let owner = operator("boss@staff.example", Role::Owner, None);
    assert!(ops.add_operator(&owner).await.unwrap());
    assert_eq!(ops.list_operators().await.unwrap(), vec![owner, moderator]);
    assert_eq!(ops.operator("nobody@staff.example").await.unwrap(), None);
}

pub async fn concurrent_adds_of_one_email_have_one_winner(f: Fixture) {
    let adds = (0..8).map(|i| {
        let ops = f.backends.operators.clone();
        let o =
            Operator { created_at_ms: i, ..operator("race@staff.example", Role::Viewer, Some(vec!["demo".into()])) };
        tokio::spawn(async move { ops.add_operator(&o).await.unwrap() })
    });
    let won = futures_count(adds).await;
    assert_eq!(won, 1);
}

async fn futures_count(tasks: impl Iterator<Item = tokio::task::JoinHandle<bool>>) -> usize {
    let mut won = 0;
    for t in tasks.collect::<Vec<_>>() {
        won += usize::from(t.await.unwrap());
    }
    won
}

pub async fn sessions_are_found_by_hash_touched_forward_and_deleted(f: Fixture) {
    let ops = &f.backends.operators;
    ops.add_operator(&operator("a@staff.example", Role::Owner, None)).await.unwrap();
    ops.create_session(&session("h1", "a@staff.example")).await.unwrap();
    ops.touch_session("h1", 5_000).await.unwrap();
    ops.touch_session("h1", 4_000).await.unwrap();
    let found = ops.session("h1").await.unwrap().unwrap();
    assert_eq!((found.email.as_str(), found.csrf_token.as_str()), ("a@staff.example", "csrf-h1"));
    assert_eq!((found.created_at_ms, found.last_seen_ms), (1_000, 5_000), "a late touch does not go back");
    ops.delete_session("h1").await.unwrap();
    assert_eq!(ops.session("h1").await.unwrap(), None);
    ops.touch_session("h1", 6_000).await.unwrap();
    assert_eq!(ops.session("h1").await.unwrap(), None, "touching a deleted session does not revive it");
}

pub async fn removing_an_operator_or_resetting_its_password_ends_its_sessions(f: Fixture) {
    let ops = &f.backends.operators;
    for email in ["gone@staff.example", "reset@staff.example", "kept@staff.example"] {
        ops.add_operator(&operator(email, Role::Viewer, Some(vec!["demo".into()]))).await.unwrap();
    }
    for (id, email) in [("g1", "gone"), ("g2", "gone"), ("r1", "reset"), ("k1", "kept")] {
        ops.create_session(&session(id, &format!("{email}@staff.example"))).await.unwrap();
    }
    assert!(ops.remove_operator("gone@staff.example").await.unwrap());
    assert!(!ops.remove_operator("gone@staff.example").await.unwrap());
    assert!(ops.set_password("reset@staff.example", "$argon2id$new").await.unwrap());
    assert!(!ops.set_password("nobody@staff.example", "$argon2id$new").await.unwrap());
    for id in ["g1", "g2", "r1"] {
        assert_eq!(ops.session(id).await.unwrap(), None, "{id}");
    }
    assert!(ops.session("k1").await.unwrap().is_some());
    assert_eq!(ops.operator("gone@staff.example").await.unwrap(), None);
    assert_eq!(ops.operator("reset@staff.example").await.unwrap().unwrap().password_hash, "$argon2id$new");
}

pub async fn tokens_are_unique_by_name_found_by_hash_and_revoked(f: Fixture) {
    let ops = &f.backends.operators;
    assert!(ops.add_token(&token("sync", "hash-1")).await.unwrap());
    assert!(!ops.add_token(&token("sync", "hash-2")).await.unwrap(), "a name is used once");
    assert_eq!(ops.token("hash-2").await.unwrap(), None, "the refused token left nothing behind");
    assert_eq!(ops.token("hash-1").await.unwrap(), Some(token("sync", "hash-1")));
    assert!(ops.add_token(&token("export", "hash-3")).await.unwrap());
    let names: Vec<String> = ops.list_tokens().await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["export", "sync"]);
    assert!(ops.revoke_token("sync").await.unwrap());
    assert!(!ops.revoke_token("nothing").await.unwrap());
    assert!(ops.token("hash-1").await.unwrap().unwrap().revoked);
    assert!(!ops.token("hash-3").await.unwrap().unwrap().revoked);
}

pub async fn login_failures_count_within_a_window_and_clear(f: Fixture) {
    let ops = &f.backends.operators;
    assert_eq!(ops.failures("account:a").await.unwrap(), Failures::default());
    assert_eq!(ops.record_failure("account:a", 10_000, 60_000).await.unwrap(), Failures { count: 1, since_ms: 10_000 });
    assert_eq!(ops.record_failure("account:a", 20_000, 60_000).await.unwrap(), Failures { count: 2, since_ms: 10_000 });
    ops.record_failure("client:1.2.3.4", 20_000, 60_000).await.unwrap();
    assert_eq!(ops.failures("account:a").await.unwrap().count, 2, "keys count apart");
    // After the window a failure starts a new one.
    assert_eq!(ops.record_failure("account:a", 80_000, 60_000).await.unwrap(), Failures { count: 1, since_ms: 80_000 });
    ops.clear_failures("account:a").await.unwrap();
    assert_eq!(ops.failures("account:a").await.unwrap(), Failures::default());
    assert_eq!(ops.failures("client:1.2.3.4").await.unwrap().count, 1);
}

pub async fn passwords_and_tokens_are_stored_only_as_hashes(f: Fixture) {
    use vouch_server::admin::operators;
    let password = "a password to keep secret";
    operators::add(&f.backends, "test", "a@staff.example", Role::Owner, None, password).await.unwrap();
    let token =
        operators::create_token(&f.backends, "test", "sync", Role::Viewer, Some(vec!["demo".into()])).await.unwrap();
    let raw = f.raw_store().await;
    assert!(raw.contains("$argon2id$"), "the password's hash is there");
    assert!(raw.contains(&vouch_server::crypto::sha256_hex(&token)), "the token's digest is there");
    assert!(!raw.contains(password));
    assert!(!raw.contains(&token));
}

pub async fn concurrent_failures_are_all_counted(f: Fixture) {
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let ops = f.backends.operators.clone();
            tokio::spawn(async move { ops.record_failure("account:race", 10_000, 60_000).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(f.backends.operators.failures("account:race").await.unwrap().count, 8);
}
