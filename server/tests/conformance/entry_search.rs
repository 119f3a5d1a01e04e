//! The console's entry search and counts: newest first, filters, keyset pages that hold still
//! while entries arrive, and nothing of another campaign.

use std::collections::HashSet;

use vouch_core::form::Entrant;
use vouch_core::wire::{EntryStatus, RejectReason};
use vouch_server::backends::entry_search::{Cursor, EntryQuery, EntrySearch, TextMatch};
use vouch_server::backends::review::AuditRecord;
use vouch_server::backends::StoredEntry;

use crate::fixture::Fixture;
use crate::support::entrant;

fn entry(campaign: &str, id: &str, status: EntryStatus, ms: i64, name: (&str, &str), email: &str) -> StoredEntry {
    StoredEntry {
        entry_id: id.into(),
        campaign: campaign.into(),
        idempotency_key: format!("key-{id}"),
        entrant: Entrant { first_name: name.0.into(), last_name: name.1.into(), email: email.into(), ..entrant() },
        receipt_key: None,
        status,
        reason: (status == EntryStatus::Rejected).then_some(RejectReason::ReceiptUnreadable),
        accepted_at_ms: ms,
        processed_at_ms: ms + 5,
        locale: None,
    }
}

/// Every page of `query` with `limit`, as entry ids in the order they came.
async fn all_pages(search: &dyn EntrySearch, campaign: &str, query: &EntryQuery, limit: u32) -> Vec<String> {
    let (mut ids, mut cursor) = (Vec::new(), None::<Cursor>);
    for _ in 0..1000 {
        let page = search.search_entries(campaign, query, cursor.as_ref(), limit).await.unwrap();
        assert!(page.entries.len() <= limit as usize, "a page longer than its limit");
        ids.extend(page.entries.into_iter().map(|e| e.entry_id));
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::decode(&next).expect("the cursor the store handed out")),
            None => return ids,
        }
    }
    panic!("paging never ended");
}

/// 23 entries of `demo` (some accepted in the same millisecond) and 5 of `other`, recorded in a
/// shuffled order; the ids of `demo`'s newest first.
async fn seed(f: &Fixture) -> Vec<String> {
    let mut all = Vec::new();
    for i in 0..23i64 {
        let status = [EntryStatus::Confirmed, EntryStatus::PendingReview, EntryStatus::Rejected][i as usize % 3];
        let name = if i % 4 == 0 { ("Anna", "Berg") } else { ("Max", "Annett") };
        all.push(entry(
            "demo",
            &format!("ent_{i:02}"),
            status,
            1_000 + (i / 2) * 10,
            name,
            &format!("p{i}@Example.com"),
        ));
    }
    for i in 0..5i64 {
        all.push(entry(
            "other",
            &format!("oth_{i}"),
            EntryStatus::Confirmed,
            1_000 + i,
            ("Anna", "Berg"),
            "p0@Example.com",
        ));
    }
    all.reverse();
    all.swap(3, 17);
    for e in &all {
        assert!(f.backends.store.record_entry(e).await.unwrap());
    }
    let mut demo: Vec<&StoredEntry> = all.iter().filter(|e| e.campaign == "demo").collect();
    demo.sort_by(|a, b| (b.accepted_at_ms, &b.entry_id).cmp(&(a.accepted_at_ms, &a.entry_id)));
    demo.into_iter().map(|e| e.entry_id.clone()).collect()
}

pub async fn entries_page_newest_first_through_every_entry_of_the_campaign(f: Fixture) {
    let newest_first = seed(&f).await;
    let search = f.backends.search.as_ref();
    let first = search.search_entries("demo", &EntryQuery::default(), None, 5).await.unwrap();
    assert_eq!(first.entries.iter().map(|e| e.entry_id.as_str()).collect::<Vec<_>>(), newest_first[..5]);
    assert_eq!(first.entries[0].entrant.email, "p22@Example.com", "rows carry their fields");
    for limit in [1, 4, 23, 50] {
        assert_eq!(all_pages(search, "demo", &EntryQuery::default(), limit).await, newest_first, "limit {limit}");
    }
    assert_eq!(all_pages(search, "other", &EntryQuery::default(), 2).await.len(), 5);
    assert!(all_pages(search, "nobody", &EntryQuery::default(), 2).await.is_empty());
}

pub async fn entries_page_oldest_first_when_asked(f: Fixture) {
    let oldest_first: Vec<String> = seed(&f).await.into_iter().rev().collect();
    let search = f.backends.search.as_ref();
    let all = EntryQuery { oldest_first: true, ..Default::default() };
    for limit in [1, 4, 50] {
        assert_eq!(all_pages(search, "demo", &all, limit).await, oldest_first, "limit {limit}");
    }
    // The review queue: waiting entries, oldest first, within a time window too.
    let pending = EntryQuery { status: Some(EntryStatus::PendingReview), ..all.clone() };
    let waiting: Vec<String> =
        oldest_first.iter().filter(|id| id[4..].parse::<i64>().unwrap() % 3 == 1).cloned().collect();
    assert_eq!(all_pages(search, "demo", &pending, 3).await, waiting);
    let window = EntryQuery { from_ms: Some(1_040), to_ms: Some(1_080), ..pending.clone() };
    let inside: Vec<String> =
        waiting.iter().filter(|id| (8..16).contains(&id[4..].parse::<i64>().unwrap())).cloned().collect();
    assert_eq!(all_pages(search, "demo", &window, 1).await, inside);
}

pub async fn entries_are_filtered_by_status_time_email_and_name(f: Fixture) {
    let newest_first = seed(&f).await;
    let search = f.backends.search.as_ref();
    let expect = |keep: &dyn Fn(i64) -> bool| -> Vec<String> {
        newest_first.iter().filter(|id| keep(id[4..].parse().unwrap())).cloned().collect()
    };
    let pending = EntryQuery { status: Some(EntryStatus::PendingReview), ..Default::default() };
    assert_eq!(all_pages(search, "demo", &pending, 3).await, expect(&|i| i % 3 == 1));
    // From 1040 up to (not including) 1080: entries 8 to 15.
    let window = EntryQuery { from_ms: Some(1_040), to_ms: Some(1_080), ..Default::default() };
    assert_eq!(all_pages(search, "demo", &window, 3).await, expect(&|i| (8..16).contains(&i)));
    let both = EntryQuery { status: Some(EntryStatus::Confirmed), ..window.clone() };
    assert_eq!(all_pages(search, "demo", &both, 2).await, expect(&|i| (8..16).contains(&i) && i % 3 == 0));
    // An e-mail matches whole, in any case, and only in this campaign.
    let mail = EntryQuery { text: TextMatch::parse(" P0@EXAMPLE.COM "), ..Default::default() };
    assert_eq!(all_pages(search, "demo", &mail, 3).await, ["ent_00"]);
    let mail_rejected = EntryQuery { status: Some(EntryStatus::Rejected), ..mail.clone() };
    assert!(all_pages(search, "demo", &mail_rejected, 3).await.is_empty());
    assert!(all_pages(search, "demo", &EntryQuery { text: TextMatch::parse("p0@example"), ..Default::default() }, 3)
        .await
        .is_empty());
    // A name matches by the start of the first or the last name, in any case.
    let ann = EntryQuery { text: TextMatch::parse("ann"), ..Default::default() };
    assert_eq!(all_pages(search, "demo", &ann, 4).await, newest_first);
    let anna = EntryQuery { text: TextMatch::parse("ANNA"), ..Default::default() };
    assert_eq!(all_pages(search, "demo", &anna, 2).await, expect(&|i| i % 4 == 0));
    let berg_pending = EntryQuery { text: TextMatch::parse("ber"), ..pending.clone() };
    assert_eq!(all_pages(search, "demo", &berg_pending, 2).await, expect(&|i| i % 4 == 0 && i % 3 == 1));
    assert!(all_pages(search, "demo", &EntryQuery { text: TextMatch::parse("nn"), ..Default::default() }, 2)
        .await
        .is_empty());
}

pub async fn entries_arriving_while_paging_neither_repeat_nor_hide_others(f: Fixture) {
    let newest_first = seed(&f).await;
    let search = f.backends.search.as_ref();
    let (mut seen, mut cursor, mut added) = (Vec::new(), None::<Cursor>, 0);
    loop {
        let page = search.search_entries("demo", &EntryQuery::default(), cursor.as_ref(), 4).await.unwrap();
        seen.extend(page.entries.into_iter().map(|e| e.entry_id));
        // Between pages: one entry newer than all, one as old as the oldest (the worker takes
        // them in late), one in the same millisecond as the page boundary.
        let boundary = seen.last().map(|id| id[4..].parse::<i64>().unwrap() / 2 * 10 + 1_000).unwrap_or(1_000);
        for ms in [5_000, 1_000, boundary] {
            let late =
                entry("demo", &format!("new_{added:02}"), EntryStatus::Confirmed, ms, ("Late", "Comer"), "l@x.io");
            assert!(f.backends.store.record_entry(&late).await.unwrap());
            added += 1;
        }
        match page.next_cursor {
            Some(next) => cursor = Cursor::decode(&next),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "an entry came twice: {seen:?}");
    let before: Vec<&String> = seen.iter().filter(|id| id.starts_with("ent_")).collect();
    assert_eq!(before, newest_first.iter().collect::<Vec<_>>(), "every earlier entry once, in order");
    let total = all_pages(search, "demo", &EntryQuery::default(), 100).await;
    assert_eq!(total.len(), 23 + added, "the late entries are all there on a fresh search");
}

pub async fn entries_are_counted_by_status_per_campaign(f: Fixture) {
    seed(&f).await;
    let counts = |c: &'static str| {
        let search = f.backends.search.clone();
        async move { search.entry_counts(c).await.unwrap() }
    };
    let demo = counts("demo").await;
    let expected = [("confirmed", 8), ("pending_review", 8), ("rejected", 7)];
    assert_eq!(demo.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), expected);
    assert_eq!(counts("other").await.get("confirmed"), Some(&5));
    assert!(counts("nobody").await.is_empty());
    // A redelivered verdict counts nothing; a decision moves one entry from review to approved.
    let again = entry("demo", "ent_00", EntryStatus::Confirmed, 1_000, ("Anna", "Berg"), "p0@Example.com");
    assert!(!f.backends.store.record_entry(&again).await.unwrap());
    let audit = AuditRecord::new("demo", "op@example.com", "review.approve", "ent_01", "", 9_000);
    f.backends.moderation.decide("demo", "ent_01", EntryStatus::Approved, None, &audit).await.unwrap();
    let after = counts("demo").await;
    assert_eq!((after["pending_review"], after["approved"], after["confirmed"]), (7, 1, 8));
    // The search follows the decision too.
    let approved = EntryQuery { status: Some(EntryStatus::Approved), ..Default::default() };
    assert_eq!(all_pages(f.backends.search.as_ref(), "demo", &approved, 5).await, ["ent_01"]);
    let pending = EntryQuery { status: Some(EntryStatus::PendingReview), ..Default::default() };
    assert_eq!(all_pages(f.backends.search.as_ref(), "demo", &pending, 5).await.len(), 7);
}
