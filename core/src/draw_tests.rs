use proptest::prelude::*;

use super::*;

/// The pool the README's Python check uses: ent_01 … ent_20, weights 1 + (i mod 3).
fn pinned_pool() -> Vec<Candidate> {
    (1..=20).map(|i| Candidate { entry_id: format!("ent_{i:02}"), weight: 1 + (i % 3) }).collect()
}

const BEACON: &str = "drand round 1234: 0f1e2d";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_fixed_pool_and_beacon_draw_the_pinned_winners() {
    // Pinned from the first run; docs/verify_draw.py, written from the README alone, agrees.
    let mut pool = pinned_pool();
    pool.reverse(); // the order entries arrive in does not matter
    let out = draw("demo", &mut pool, BEACON, 3, 2).unwrap();
    assert_eq!(hex(&out.inputs_digest), "6bf9a77a027382dda6bf60a3002861731feeb9f24b283a47f49a3ef9360de7d0");
    assert_eq!(hex(&out.seed), "9e31cd2809800c559b3f4e05d666bdddd61572f6c1e9a5aedc229cad53368258");
    assert_eq!(out.winners, ["ent_04", "ent_11", "ent_10"]);
    assert_eq!(out.alternates, ["ent_17", "ent_08"]);
}

#[test]
fn the_same_inputs_draw_the_same_winners() {
    let a = draw("demo", &mut pinned_pool(), BEACON, 5, 5).unwrap();
    let b = draw("demo", &mut pinned_pool(), BEACON, 5, 5).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_change_in_any_input_changes_the_seed() {
    let base = draw("demo", &mut pinned_pool(), BEACON, 1, 0).unwrap().seed;
    let other_campaign = draw("demo2", &mut pinned_pool(), BEACON, 1, 0).unwrap().seed;
    let other_beacon = draw("demo", &mut pinned_pool(), "drand round 1235: 0f1e2d", 1, 0).unwrap().seed;
    let mut heavier = pinned_pool();
    heavier[0].weight += 1;
    let other_weight = draw("demo", &mut heavier, BEACON, 1, 0).unwrap().seed;
    let mut fewer = pinned_pool();
    fewer.pop();
    let other_entries = draw("demo", &mut fewer, BEACON, 1, 0).unwrap().seed;
    let mut renamed = pinned_pool();
    renamed[0].entry_id = "ent_00".into();
    let other_id = draw("demo", &mut renamed, BEACON, 1, 0).unwrap().seed;
    let seeds = [base, other_campaign, other_beacon, other_weight, other_entries, other_id];
    for (i, a) in seeds.iter().enumerate() {
        for b in &seeds[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn length_prefixes_keep_shifted_boundaries_apart() {
    // "ab" + "c" and "a" + "bc" would hash alike without the prefixes.
    let a = seed("ab", &[0; 32], "c");
    let b = seed("a", &[0; 32], "bc");
    assert_ne!(a, b);
}

#[test]
fn more_winners_than_entries_is_refused() {
    let err = draw("demo", &mut pinned_pool(), BEACON, 21, 0).unwrap_err();
    assert_eq!(err, DrawError::TooFewEntries { eligible: 20, winners: 21 });
    assert_eq!(draw("demo", &mut pinned_pool(), BEACON, 0, 3).unwrap_err(), DrawError::NoWinners);
}

#[test]
fn alternates_stop_when_the_pool_runs_out() {
    let out = draw("demo", &mut pinned_pool(), BEACON, 18, 5).unwrap();
    assert_eq!((out.winners.len(), out.alternates.len()), (18, 2));
}

#[test]
fn a_duplicate_or_weightless_entry_is_refused() {
    let mut pool = pinned_pool();
    pool.push(pool[3].clone());
    assert!(matches!(draw("demo", &mut pool, BEACON, 1, 0), Err(DrawError::BadPool(_))));
    let mut pool = pinned_pool();
    pool[2].weight = 0;
    assert!(matches!(draw("demo", &mut pool, BEACON, 1, 0), Err(DrawError::BadPool(_))));
}

#[test]
fn only_confirmed_entries_are_drawable() {
    assert!(is_drawable(EntryStatus::Confirmed));
    assert!(is_drawable(EntryStatus::Approved));
    assert!(!is_drawable(EntryStatus::PendingReview));
    assert!(!is_drawable(EntryStatus::Accepted));
    assert!(!is_drawable(EntryStatus::Rejected));
}

#[test]
fn a_heavy_entry_wins_more_often_than_a_light_one() {
    // Over many beacons, weight 9 against weight 1 should win about 90% of the time.
    let wins = (0..400)
        .filter(|i| {
            let mut pool = vec![
                Candidate { entry_id: "heavy".into(), weight: 9 },
                Candidate { entry_id: "light".into(), weight: 1 },
            ];
            draw("demo", &mut pool, &format!("beacon {i}"), 1, 0).unwrap().winners[0] == "heavy"
        })
        .count();
    assert!((320..=390).contains(&wins), "heavy won {wins} of 400");
}

#[test]
fn the_walk_matches_a_linear_scan() {
    let weights = [3u64, 1, 4, 1, 5, 9, 2, 6];
    let mut tree = Fenwick::new(weights.iter().copied());
    let mut live = weights;
    for removed in [5usize, 0, 7] {
        for x in 0..tree.total {
            let mut rest = x;
            let expected = live.iter().position(|w| {
                if rest < *w {
                    return true;
                }
                rest -= w;
                false
            });
            assert_eq!(Some(tree.find(x)), expected, "x = {x}");
        }
        tree.remove(removed, live[removed]);
        live[removed] = 0;
    }
}

proptest! {
    #[test]
    fn no_entry_is_picked_twice(
        weights in proptest::collection::vec(1u32..50, 1..60),
        extra in 0usize..60,
        beacon in ".{0,20}",
    ) {
        let mut pool: Vec<Candidate> =
            weights.iter().enumerate().map(|(i, w)| Candidate { entry_id: format!("e{i}"), weight: *w }).collect();
        let winners = 1 + extra % pool.len();
        let out = draw("demo", &mut pool, &beacon, winners, extra).unwrap();
        let mut all: Vec<&String> = out.winners.iter().chain(&out.alternates).collect();
        prop_assert_eq!(out.winners.len(), winners);
        prop_assert_eq!(all.len(), (winners + extra).min(pool.len()));
        all.sort();
        all.dedup();
        prop_assert_eq!(all.len(), (winners + extra).min(pool.len()));
    }
}

#[test]
fn a_million_entries_draw_quickly() {
    let mut pool: Vec<Candidate> =
        (0..1_000_000).map(|i| Candidate { entry_id: format!("ent_{i:07}"), weight: 1 + (i % 4) }).collect();
    let started = std::time::Instant::now();
    let out = draw("demo", &mut pool, BEACON, 100, 100).unwrap();
    assert_eq!(out.winners.len() + out.alternates.len(), 200);
    // Generous for an unoptimised test build on a busy machine; the release benchmark is ~0.1 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn the_published_python_check_draws_the_same() {
    // docs/verify_draw.py is the README's recipe as a script; skip where there is no Python.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/verify_draw.py");
    let pool: String = pinned_pool().iter().map(|c| format!("{} {}\n", c.entry_id, c.weight)).collect();
    let child = std::process::Command::new("python3")
        .args([script, "demo", BEACON, "3", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("python3 not found; skipped");
        return;
    };
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(pool.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let ours = draw("demo", &mut pinned_pool(), BEACON, 3, 2).unwrap();
    let expected = format!(
        "inputs_digest {}\nseed {}\nwinners {}\nalternates {}\n",
        hex(&ours.inputs_digest),
        hex(&ours.seed),
        ours.winners.join(" "),
        ours.alternates.join(" ")
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}
