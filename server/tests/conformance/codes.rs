use std::collections::HashSet;

use vouch_core::codes::{CodeProblem, Pool};
use vouch_server::backends::codes::{Claim, PoolCounts};

use crate::fixture::Fixture;

fn lines(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

fn numbered(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}-{i:03}")).collect()
}

fn code_of(claim: &Claim) -> &str {
    match claim {
        Claim::Assigned { code, .. } => code,
        Claim::AwaitingCode => panic!("expected a code, got AwaitingCode"),
    }
}

async fn counts(f: &Fixture, pool: Pool) -> PoolCounts {
    let status = f.backends.codes.status("demo").await.unwrap();
    status.into_iter().find(|(p, _)| *p == pool).map(|(_, c)| c).unwrap_or_default()
}

pub async fn codes_are_imported_once_per_campaign_and_bad_lines_are_reported(f: Fixture) {
    let codes = &f.backends.codes;
    let long = "X".repeat(129);
    let file = lines(&["SAVE-1", " SAVE-2 ", "SAVE-1", "", &long, "BAD\tCODE"]);
    let first = codes.import("demo", Pool::Entry, &file).await.unwrap();
    assert_eq!((first.new, first.duplicate), (2, 1));
    assert_eq!(
        first.invalid,
        vec![(3, CodeProblem::Empty), (4, CodeProblem::TooLong), (5, CodeProblem::ControlCharacter)]
    );

    let again = codes.import("demo", Pool::Entry, &file).await.unwrap();
    assert_eq!((again.new, again.duplicate, again.invalid.len()), (0, 3, 3), "the same file adds nothing");
    let other_pool = codes.import("demo", Pool::Winner, &lines(&["SAVE-2", "PRIZE-1"])).await.unwrap();
    assert_eq!((other_pool.new, other_pool.duplicate), (1, 1), "a code in another pool is a duplicate");
    let other_campaign = codes.import("other", Pool::Entry, &lines(&["SAVE-1"])).await.unwrap();
    assert_eq!(other_campaign.new, 1, "campaigns keep codes of their own");

    assert_eq!(counts(&f, Pool::Entry).await, PoolCounts { available: 2, assigned: 0, awaiting: 0 });
    assert_eq!(counts(&f, Pool::Winner).await, PoolCounts { available: 1, assigned: 0, awaiting: 0 });
    assert_eq!(counts(&f, Pool::Referrer).await, PoolCounts::default());
}

pub async fn codes_are_handed_out_in_import_order_and_shown_again(f: Fixture) {
    let codes = &f.backends.codes;
    codes.import("demo", Pool::Referrer, &numbered("R", 3)).await.unwrap();
    let first = codes.claim("demo", Pool::Referrer, "cr_1").await.unwrap();
    let second = codes.claim("demo", Pool::Referrer, "cr_2").await.unwrap();
    assert_eq!((code_of(&first), code_of(&second)), ("R-001", "R-002"));
    assert_eq!(codes.claim("demo", Pool::Referrer, "cr_1").await.unwrap(), first, "a repeated claim, the same code");
    let Claim::Assigned { code_id, .. } = &first else { unreachable!() };
    assert!(!code_id.contains("R-001"));
    assert_eq!(
        codes.assigned("demo", Pool::Referrer, "cr_1").await.unwrap(),
        Some((code_id.clone(), "R-001".to_string()))
    );
    assert_eq!(codes.assigned("demo", Pool::Referrer, "cr_9").await.unwrap(), None);
    assert_eq!(codes.assigned("other", Pool::Referrer, "cr_1").await.unwrap(), None);
    assert_eq!(counts(&f, Pool::Referrer).await, PoolCounts { available: 1, assigned: 2, awaiting: 0 });

    codes.import("demo", Pool::Winner, &lines(&["W-1"])).await.unwrap();
    let prize = codes.claim("demo", Pool::Winner, "cr_1").await.unwrap();
    assert_eq!(code_of(&prize), "W-1", "the same id in another pool is another owed item");
    assert_eq!(codes.assigned("demo", Pool::Referrer, "cr_1").await.unwrap().unwrap().1, "R-001");
    assert_eq!(codes.assigned("demo", Pool::Winner, "cr_1").await.unwrap().unwrap().1, "W-1");
}

pub async fn concurrent_claims_never_share_a_code_and_the_rest_wait(f: Fixture) {
    let codes = f.backends.codes.clone();
    codes.import("demo", Pool::Entry, &numbered("E", 10)).await.unwrap();
    let claims = (0..20).map(|i| {
        let codes = codes.clone();
        tokio::spawn(async move { codes.claim("demo", Pool::Entry, &format!("ent_{i}")).await.unwrap() })
    });
    let results: Vec<Claim> = futures_join(claims).await;
    let given: Vec<&str> = results.iter().filter(|c| matches!(c, Claim::Assigned { .. })).map(code_of).collect();
    assert_eq!(given.len(), 10);
    assert_eq!(given.iter().collect::<HashSet<_>>().len(), 10, "no code twice");
    assert_eq!(results.iter().filter(|c| **c == Claim::AwaitingCode).count(), 10);
    assert_eq!(counts(&f, Pool::Entry).await, PoolCounts { available: 0, assigned: 10, awaiting: 10 });
}

pub async fn concurrent_claims_for_one_owed_item_get_one_code(f: Fixture) {
    let codes = f.backends.codes.clone();
    codes.import("demo", Pool::Winner, &numbered("W", 5)).await.unwrap();
    let claims = (0..8).map(|_| {
        let codes = codes.clone();
        tokio::spawn(async move { codes.claim("demo", Pool::Winner, "win_1").await.unwrap() })
    });
    let results: Vec<Claim> = futures_join(claims).await;
    assert!(results.iter().all(|c| *c == results[0]), "every redelivery sees the same code");
    assert_eq!(code_of(&results[0]), "W-001");
    assert_eq!(counts(&f, Pool::Winner).await, PoolCounts { available: 4, assigned: 1, awaiting: 0 });
}

pub async fn waiting_items_are_filled_in_order_after_an_import(f: Fixture) {
    let codes = &f.backends.codes;
    assert_eq!(codes.claim("demo", Pool::Friend, "cr_a").await.unwrap(), Claim::AwaitingCode, "no pool yet");
    codes.import("demo", Pool::Friend, &lines(&["F-1"])).await.unwrap();
    for owed in ["cr_b", "cr_c"] {
        assert_eq!(codes.claim("demo", Pool::Friend, owed).await.unwrap(), Claim::AwaitingCode, "{owed} queues");
    }
    assert_eq!(codes.claim("demo", Pool::Friend, "cr_a").await.unwrap(), Claim::AwaitingCode, "still waiting");
    assert_eq!(counts(&f, Pool::Friend).await, PoolCounts { available: 1, assigned: 0, awaiting: 3 });

    let filled = codes.fill_awaiting("demo", Pool::Friend).await.unwrap();
    assert_eq!(filled.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(), ["cr_a"]);
    codes.import("demo", Pool::Friend, &lines(&["F-2", "F-3", "F-4"])).await.unwrap();
    let filled = codes.fill_awaiting("demo", Pool::Friend).await.unwrap();
    assert_eq!(filled.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(), ["cr_b", "cr_c"]);
    assert_eq!(codes.fill_awaiting("demo", Pool::Friend).await.unwrap(), vec![], "nothing left to fill");

    let b = codes.claim("demo", Pool::Friend, "cr_b").await.unwrap();
    assert_eq!(code_of(&b), "F-2");
    let Claim::Assigned { code_id, .. } = &b else { unreachable!() };
    assert_eq!(code_id, &filled[0].1);
    assert_eq!(codes.assigned("demo", Pool::Friend, "cr_a").await.unwrap().unwrap().1, "F-1");
    assert_eq!(codes.assigned("demo", Pool::Friend, "cr_c").await.unwrap().unwrap().1, "F-3");
    assert_eq!(code_of(&codes.claim("demo", Pool::Friend, "cr_d").await.unwrap()), "F-4", "the line is empty");
    assert_eq!(counts(&f, Pool::Friend).await, PoolCounts { available: 0, assigned: 4, awaiting: 0 });
}

pub async fn filled_items_stay_undelivered_until_their_delivery_is_recorded(f: Fixture) {
    let codes = &f.backends.codes;
    codes.import("demo", Pool::Entry, &lines(&["E-1"])).await.unwrap();
    code_of(&codes.claim("demo", Pool::Entry, "ent_now").await.unwrap());
    for owed in ["ent_a", "ent_b", "ent_c"] {
        assert_eq!(codes.claim("demo", Pool::Entry, owed).await.unwrap(), Claim::AwaitingCode);
    }
    assert_eq!(codes.undelivered("demo", Pool::Entry).await.unwrap(), vec![], "a claim delivers by itself");
    codes.import("demo", Pool::Entry, &lines(&["E-2", "E-3", "E-4"])).await.unwrap();
    let filled = codes.fill_awaiting("demo", Pool::Entry).await.unwrap();
    // A crash here (after the fill, before any mail) loses nothing: the list is in the store.
    assert_eq!(codes.undelivered("demo", Pool::Entry).await.unwrap(), filled);
    assert_eq!(filled.iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(), ["ent_a", "ent_b", "ent_c"]);
    codes.delivered("demo", Pool::Entry, "ent_a").await.unwrap();
    codes.delivered("demo", Pool::Entry, "ent_c").await.unwrap();
    codes.delivered("demo", Pool::Entry, "ent_c").await.unwrap();
    codes.delivered("demo", Pool::Entry, "ent_now").await.unwrap();
    assert_eq!(codes.undelivered("demo", Pool::Entry).await.unwrap(), vec![filled[1].clone()]);
    assert_eq!(codes.undelivered("demo", Pool::Winner).await.unwrap(), vec![], "pools are apart");
    codes.delivered("demo", Pool::Entry, "ent_b").await.unwrap();
    assert_eq!(codes.undelivered("demo", Pool::Entry).await.unwrap(), vec![]);
    assert_eq!(
        codes.claim("demo", Pool::Entry, "ent_b").await.unwrap(),
        Claim::Assigned { code_id: filled[1].1.clone(), code: "E-3".into() }
    );
}

pub async fn a_raw_read_of_the_store_does_not_show_a_code(f: Fixture) {
    let codes = &f.backends.codes;
    codes.import("demo", Pool::Entry, &lines(&["SECRET-UNCLAIMED-7731", "SECRET-CLAIMED-1234"])).await.unwrap();
    codes.claim("demo", Pool::Entry, "ent_1").await.unwrap();
    let Some((code_id, _)) = codes.assigned("demo", Pool::Entry, "ent_1").await.unwrap() else { panic!("no code") };
    let raw = f.raw_store().await;
    assert!(raw.contains(&code_id), "the raw read sees the stored codes");
    for secret in ["SECRET-UNCLAIMED-7731", "SECRET-CLAIMED-1234"] {
        assert!(!raw.contains(secret), "{secret} is readable at rest");
        let encoded = base64_of(secret);
        assert!(!raw.contains(&encoded[..encoded.len() - 4]), "{secret} is at rest in base64");
    }
}

fn base64_of(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn futures_join<T: Send + 'static>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for t in tasks.collect::<Vec<_>>() {
        out.push(t.await.unwrap());
    }
    out
}
