use proptest::prelude::*;

use super::*;

/// 2026-11-30T12:00:00Z.
const NOW: i64 = 1_796_040_000_000;

fn event(kind: &str, channel: Option<&str>, at: i64) -> PageEvent {
    PageEvent { kind: kind.into(), channel: channel.map(String::from), at }
}

fn batch(events: Vec<PageEvent>) -> EventBatchRequest {
    EventBatchRequest { campaign: "demo".into(), batch: "b-0123456789".into(), session: "s_abcdefgh".into(), events }
}

#[test]
fn a_valid_batch_keeps_its_ids_session_and_events_in_order() {
    let req = batch(vec![event("impression", None, NOW - 5), event("share", Some("whatsapp"), NOW)]);
    let valid = validate(&req, NOW).unwrap();
    assert_eq!(valid.campaign, "demo");
    assert_eq!(valid.batch_id, "b-0123456789");
    assert_eq!(valid.session.as_deref(), Some("s_abcdefgh"));
    assert_eq!(
        valid.events,
        vec![Event::one(EventKind::Impression, "", NOW - 5), Event::one(EventKind::Share, "whatsapp", NOW),]
    );
}

#[test]
fn events_of_one_kind_detail_and_day_travel_as_one_count() {
    let yesterday = NOW - 86_400_000;
    let req = batch(vec![
        event("impression", None, NOW - 5),
        event("share", Some("copy"), NOW - 4),
        event("impression", None, NOW - 3),
        event("share", Some("qr"), NOW - 2),
        event("share", Some("copy"), NOW - 1),
        event("impression", None, yesterday + 1),
    ]);
    let valid = validate(&req, NOW).unwrap();
    let folded = [
        Event { count: 2, ..Event::one(EventKind::Impression, "", NOW - 5) },
        Event { count: 2, ..Event::one(EventKind::Share, "copy", NOW - 4) },
        Event::one(EventKind::Share, "qr", NOW - 2),
        Event::one(EventKind::Impression, "", yesterday + 1),
    ];
    assert_eq!(valid.events, folded);
    let counted: u64 = tallies(&valid).iter().map(|(_, n)| n).sum();
    assert_eq!(counted, 6, "every event still counts");
}

#[test]
fn a_message_queued_before_folding_counts_each_event_once() {
    let old = r#"{"campaign":"demo","batch_id":"b-0123456789","session":"s_abcdefgh",
        "events":[{"kind":"impression","at_ms":1},{"kind":"impression","at_ms":2}]}"#;
    let batch: ValidBatch = serde_json::from_str(old).unwrap();
    assert_eq!(tallies(&batch).iter().map(|(_, n)| n).sum::<u64>(), 2);
}

#[test]
fn each_bad_batch_is_refused_with_its_reason_and_the_bad_events_index() {
    let ok = || event("form_start", None, NOW);
    let cases: Vec<(EventBatchRequest, BatchError)> = vec![
        (batch(vec![]), BatchError::Empty),
        (batch(vec![ok(); MAX_BATCH_EVENTS + 1]), BatchError::TooManyEvents),
        (EventBatchRequest { batch: "short".into(), ..batch(vec![ok()]) }, BatchError::InvalidBatchId),
        (EventBatchRequest { batch: "has space 123".into(), ..batch(vec![ok()]) }, BatchError::InvalidBatchId),
        (EventBatchRequest { session: "x".repeat(65), ..batch(vec![ok()]) }, BatchError::InvalidSession),
        (EventBatchRequest { session: "a@b.example".into(), ..batch(vec![ok()]) }, BatchError::InvalidSession),
        (batch(vec![ok(), event("page_view", None, NOW)]), BatchError::UnknownType { index: 1 }),
        (batch(vec![event("entry_confirmed", None, NOW)]), BatchError::ServerOnly { index: 0 }),
        (batch(vec![ok(), ok(), event("share", Some("myspace"), NOW)]), BatchError::UnknownChannel { index: 2 }),
        (batch(vec![event("share", None, NOW)]), BatchError::ChannelMisplaced { index: 0 }),
        (batch(vec![event("submit", Some("email"), NOW)]), BatchError::ChannelMisplaced { index: 0 }),
        (batch(vec![event("submit", None, NOW + MAX_FUTURE_SKEW_MS + 1)]), BatchError::FromTheFuture { index: 0 }),
        (batch(vec![ok(), event("submit", None, NOW - MAX_EVENT_AGE_MS - 1)]), BatchError::TooOld { index: 1 }),
    ];
    for (req, expected) in cases {
        assert_eq!(validate(&req, NOW), Err(expected.clone()), "{expected}");
    }
}

#[test]
fn the_edges_of_the_time_window_and_the_batch_size_are_taken() {
    let req =
        batch(vec![event("submit", None, NOW + MAX_FUTURE_SKEW_MS), event("submit", None, NOW - MAX_EVENT_AGE_MS)]);
    assert!(validate(&req, NOW).is_ok());
    assert!(validate(&batch(vec![event("impression", None, NOW); MAX_BATCH_EVENTS]), NOW).is_ok());
}

#[test]
fn every_kind_and_channel_reads_back_from_its_name() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    for channel in Channel::ALL {
        assert_eq!(Channel::parse(channel.as_str()), Some(channel));
    }
    let from_page = EventKind::ALL.iter().filter(|k| k.from_page()).count();
    assert_eq!(from_page, 8);
}

#[test]
fn tallies_fold_events_per_day_kind_and_detail() {
    let day = 86_400_000;
    let req = batch(vec![
        event("share", Some("copy"), NOW),
        event("share", Some("copy"), NOW - 1),
        event("share", Some("qr"), NOW),
        event("impression", None, NOW),
        // Yesterday's, still within a day of now.
        event("impression", None, NOW - day / 2 - 1),
    ]);
    let tallies = tallies(&validate(&req, NOW).unwrap());
    let key = |day: &str, event, detail: &str| CounterKey { day: day.into(), event, detail: detail.into() };
    assert_eq!(
        tallies,
        vec![
            (key("2026-11-29", EventKind::Impression, ""), 1),
            (key("2026-11-30", EventKind::Impression, ""), 1),
            (key("2026-11-30", EventKind::Share, "copy"), 2),
            (key("2026-11-30", EventKind::Share, "qr"), 1),
        ]
    );
}

#[test]
fn days_are_utc() {
    assert_eq!(day_of(0), "1970-01-01");
    assert_eq!(day_of(1_795_996_800_000), "2026-11-30");
    assert_eq!(day_of(1_795_996_799_999), "2026-11-29");
}

#[test]
fn a_server_fact_has_one_id_per_subject_that_no_page_batch_can_take() {
    let a = server_event("demo", EventKind::EntryRejected, "receipt_missing", "ent_1", NOW);
    assert_eq!(a, server_event("demo", EventKind::EntryRejected, "receipt_missing", "ent_1", NOW));
    assert_eq!(a.session, None);
    assert_eq!(a.events, vec![Event::one(EventKind::EntryRejected, "receipt_missing", NOW)]);
    let ids = [
        a.batch_id.clone(),
        server_event("demo", EventKind::EntryRejected, "receipt_missing", "ent_2", NOW).batch_id,
        server_event("demo", EventKind::EntryAccepted, "", "ent_1", NOW).batch_id,
        server_event("demo", EventKind::EntryConfirmed, "", "ent_1", NOW).batch_id,
    ];
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), ids.len());
    // Pages' ids are letters, digits, '-' and '_' only, so they never collide with the server's.
    assert!(ids.iter().all(|id| !token_ok(id)));
}

fn page_event() -> impl Strategy<Value = PageEvent> {
    let kinds: Vec<EventKind> = EventKind::ALL.into_iter().filter(|k| k.from_page()).collect();
    (
        proptest::sample::select(kinds),
        proptest::sample::select(Channel::ALL.to_vec()),
        -MAX_EVENT_AGE_MS..=MAX_FUTURE_SKEW_MS,
    )
        .prop_map(|(kind, channel, offset)| PageEvent {
            kind: kind.as_str().into(),
            channel: (kind == EventKind::Share).then(|| channel.as_str().into()),
            at: NOW + offset,
        })
}

proptest! {
    #[test]
    fn any_valid_batchs_tallies_count_each_of_its_events_once(events in proptest::collection::vec(page_event(), 1..=MAX_BATCH_EVENTS)) {
        let valid = validate(&batch(events.clone()), NOW).unwrap();
        let tallies = tallies(&valid);
        prop_assert_eq!(tallies.iter().map(|(_, n)| n).sum::<u64>(), events.len() as u64);
        // One entry per counter, each naming a day the batch's events fall on.
        let keys: std::collections::BTreeSet<_> = tallies.iter().map(|(k, _)| k).collect();
        prop_assert_eq!(keys.len(), tallies.len());
        for (key, n) in &tallies {
            let matching = events.iter().filter(|e| {
                day_of(e.at) == key.day && e.kind == key.event.as_str() && e.channel.as_deref().unwrap_or("") == key.detail
            });
            prop_assert_eq!(matching.count() as u64, *n);
        }
        // Folded: the lane carries one event per counter.
        prop_assert_eq!(valid.events.len(), tallies.len());
    }

    #[test]
    fn a_batch_with_one_bad_event_is_refused_whole(
        events in proptest::collection::vec(page_event(), 1..MAX_BATCH_EVENTS),
        at in 0usize..MAX_BATCH_EVENTS,
        bad in prop_oneof![Just("nope"), Just("join"), Just("credit_approved")],
    ) {
        let mut events = events;
        let index = at.min(events.len());
        events.insert(index, event(bad, None, NOW));
        let refused = validate(&batch(events), NOW).unwrap_err();
        let at_index = matches!(refused, BatchError::UnknownType { index: i } | BatchError::ServerOnly { index: i } if i == index);
        prop_assert!(at_index, "{:?} at {}", refused, index);
    }

    #[test]
    fn batches_round_trip_through_the_queue_as_json(events in proptest::collection::vec(page_event(), 1..=MAX_BATCH_EVENTS)) {
        let valid = validate(&batch(events), NOW).unwrap();
        let json = serde_json::to_string(&valid).unwrap();
        prop_assert_eq!(serde_json::from_str::<ValidBatch>(&json).unwrap(), valid);
    }
}
