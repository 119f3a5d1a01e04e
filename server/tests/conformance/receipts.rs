use vouch_core::duplicates::band_keys;
use vouch_server::backends::receipts::Perceptual;

use crate::fixture::Fixture;

pub async fn a_receipt_is_claimed_by_one_entry_per_campaign(f: Fixture) {
    let r = &f.backends.receipts;
    assert_eq!(r.claim_exact("demo", "aa11", "ent_a").await.unwrap(), "ent_a");
    // The same entry again (a redelivered message) still holds it.
    assert_eq!(r.claim_exact("demo", "aa11", "ent_a").await.unwrap(), "ent_a");
    assert_eq!(r.claim_exact("demo", "aa11", "ent_b").await.unwrap(), "ent_a", "another entry sees the first");
    assert_eq!(r.claim_exact("demo", "bb22", "ent_b").await.unwrap(), "ent_b");
    assert_eq!(r.claim_exact("other", "aa11", "ent_c").await.unwrap(), "ent_c", "campaigns do not share receipts");
}

pub async fn concurrent_claims_on_one_receipt_have_one_winner(f: Fixture) {
    let claims = (0..6).map(|i| {
        let r = f.backends.receipts.clone();
        tokio::spawn(async move { r.claim_exact("demo", "cc33", &format!("ent_{i}")).await.unwrap() })
    });
    let mut holders = Vec::new();
    for c in claims {
        holders.push(c.await.unwrap());
    }
    holders.dedup();
    assert_eq!(holders.len(), 1, "every claim names the same holder: {holders:?}");
}

pub async fn near_hashes_are_found_by_their_bands_and_far_ones_are_not(f: Fixture) {
    let r = &f.backends.receipts;
    let t = 10;
    let first = Perceptual { entry_id: "ent_a".into(), hash: 0x0123_4567_89ab_cdef, accepted_at_ms: 1_000 };
    let far = Perceptual { entry_id: "ent_far".into(), hash: !first.hash, accepted_at_ms: 2_000 };
    for p in [&first, &far] {
        r.index_perceptual("demo", p, &band_keys(p.hash, t)).await.unwrap();
    }
    // Indexing again changes nothing.
    r.index_perceptual("demo", &first, &band_keys(first.hash, t)).await.unwrap();
    r.index_perceptual("other", &Perceptual { entry_id: "ent_o".into(), ..first.clone() }, &band_keys(first.hash, t))
        .await
        .unwrap();

    // Ten bits flipped, spread over every band but one: still found, once.
    let near = first.hash ^ 0b1000_0100_0010_0001_0000_1000_0100_0010_0001_0000_1000_0100_0000_0000_0000_0000;
    let found = r.perceptual_candidates("demo", &band_keys(near, t)).await.unwrap();
    assert_eq!(found, vec![first.clone()]);
    assert_eq!(r.perceptual_candidates("demo", &band_keys(far.hash, t)).await.unwrap(), vec![far.clone()]);
    assert_eq!(r.perceptual_candidates("fresh", &band_keys(near, t)).await.unwrap(), vec![]);
}
