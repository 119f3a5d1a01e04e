use proptest::prelude::*;

use super::*;

fn today() -> CivilDate {
    CivilDate::parse("2026-11-30").unwrap()
}

fn counter(day: &str, event: EventKind, detail: &str, events: u64, sessions: u64) -> Counter {
    Counter { day: day.into(), event, detail: detail.into(), events, sessions }
}

fn range(from: &str, to: &str) -> DayRange {
    DayRange::parse(Some(from), Some(to), today()).unwrap()
}

#[test]
fn without_dates_the_range_is_the_last_30_days_to_today() {
    let r = DayRange::parse(None, None, today()).unwrap();
    assert_eq!((r.from().as_str(), r.to().as_str(), r.len()), ("2026-11-01", "2026-11-30", 30));
    let r = DayRange::parse(Some(" "), Some("2026-03-01"), today()).unwrap();
    assert_eq!((r.from().as_str(), r.to().as_str()), ("2026-01-31", "2026-03-01"));
    let r = DayRange::parse(Some("2026-11-30"), None, today()).unwrap();
    assert_eq!(r.days(), vec!["2026-11-30"]);
}

#[test]
fn bad_ranges_are_refused_naming_the_parameter() {
    let parse = |from, to| DayRange::parse(from, to, today());
    assert_eq!(parse(Some("2026-02-30"), None), Err(RangeError::Malformed("from")));
    assert_eq!(parse(None, Some("30.11.2026")), Err(RangeError::Malformed("to")));
    assert_eq!(parse(Some("2026-12-01"), None), Err(RangeError::Reversed));
    assert_eq!(parse(Some("2024-01-01"), Some("2024-12-31")).map(|r| r.len()), Ok(366));
    assert_eq!(parse(Some("2024-01-01"), Some("2025-01-01")), Err(RangeError::TooLong));
    for e in [RangeError::Malformed("to"), RangeError::Reversed, RangeError::TooLong] {
        assert!(e.to_string().starts_with(e.param()), "{e}");
    }
}

#[test]
fn the_report_counts_page_steps_in_sessions_and_server_steps_in_events() {
    let counters = vec![
        counter("2026-11-02", EventKind::Impression, "", 12, 10),
        counter("2026-11-03", EventKind::Impression, "", 11, 10),
        counter("2026-11-02", EventKind::FormStart, "", 9, 5),
        counter("2026-11-02", EventKind::Submit, "", 4, 4),
        counter("2026-11-02", EventKind::EntryAccepted, "", 3, 0),
        counter("2026-11-03", EventKind::EntryRejected, "duplicate_receipt", 2, 0),
        counter("2026-11-03", EventKind::EntryRejected, "unreadable", 1, 0),
        counter("2026-11-03", EventKind::EntryRejected, "", 2, 0),
        counter("2026-11-02", EventKind::Share, "whatsapp", 3, 2),
        counter("2026-11-03", EventKind::Share, "qr", 1, 1),
        counter("2026-10-01", EventKind::Impression, "", 99, 99),
    ];
    let s = build("demo", &range("2026-11-01", "2026-11-03"), &counters);
    let g: Vec<(EventKind, u64, Option<u64>)> =
        s.giveaway.iter().map(|s| (s.event, s.count, s.rate_permille)).collect();
    assert_eq!(
        g,
        vec![
            (EventKind::Impression, 20, None),
            (EventKind::FormStart, 5, Some(250)),
            (EventKind::UploadStarted, 0, Some(0)),
            (EventKind::UploadDone, 0, None),
            (EventKind::Submit, 4, None),
            (EventKind::EntryAccepted, 3, Some(750)),
            (EventKind::EntryConfirmed, 0, Some(0)),
        ]
    );
    assert_eq!(s.giveaway[0].unit, Unit::Sessions);
    assert_eq!(s.giveaway[5].unit, Unit::Events);
    let rejections: Vec<(&str, u64)> = s.rejections.iter().map(|r| (r.reason.as_str(), r.count)).collect();
    assert_eq!(rejections, vec![("duplicate_receipt", 2), ("unspecified", 2), ("unreadable", 1)]);
    assert_eq!(s.shares.len(), 8);
    let whatsapp = s.shares.iter().find(|c| c.channel == Channel::Whatsapp).unwrap();
    assert_eq!((whatsapp.shares, whatsapp.sessions), (3, 2));
    assert_eq!(s.shares.iter().find(|c| c.channel == Channel::Email).unwrap().shares, 0);
    assert_eq!(s.referral[2].count, 3, "share sessions summed over channels");
    let days: Vec<&str> = s.daily.iter().map(|d| d.day.as_str()).collect();
    assert_eq!(days, vec!["2026-11-01", "2026-11-02", "2026-11-03"]);
    assert_eq!(s.daily[0].counts.len(), EventKind::ALL.len());
    assert_eq!(s.daily[0].counts[&EventKind::Impression], 0);
    assert_eq!(s.daily[2].counts[&EventKind::Impression], 10);
    assert_eq!(s.daily[2].counts[&EventKind::EntryRejected], 5);
}

#[test]
fn the_report_reads_as_json_with_snake_case_names() {
    let s = build("demo", &range("2026-11-30", "2026-11-30"), &[counter("2026-11-30", EventKind::Join, "", 2, 0)]);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["referral"][1], serde_json::json!({"event": "join", "unit": "events", "count": 2}));
    assert_eq!(json["daily"][0]["counts"]["link_landing"], 0);
    assert_eq!(json["shares"][4]["channel"], "x");
    let back: Stats = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn rates_are_rounded_per_mille_and_read_as_percent_or_fraction() {
    assert_eq!(permille(5, 8), Some(625));
    assert_eq!(permille(1, 3), Some(333));
    assert_eq!(permille(2, 3), Some(667));
    assert_eq!(permille(3, 2), Some(1500));
    assert_eq!(permille(u64::MAX, 1), Some(u64::MAX), "saturates");
    assert_eq!(permille(7, 0), None);
    assert_eq!(percent(Some(625)), "62.5%");
    assert_eq!(percent(Some(1500)), "150.0%");
    assert_eq!(percent(None), "–");
    assert_eq!(
        (fraction(Some(625)), fraction(Some(1500)), fraction(Some(7))),
        ("0.625".into(), "1.500".into(), "0.007".into())
    );
    assert_eq!(fraction(None), "");
}

fn any_date() -> impl Strategy<Value = CivilDate> {
    // 1999-01-01 .. 2101-01-01: leap centuries on both sides.
    (10_592i64..47_482).prop_map(|d| CivilDate::from_unix_ms(d * 86_400_000))
}

proptest! {
    #[test]
    fn a_range_holds_every_day_once_in_order(from in any_date(), len in 1i64..=MAX_DAYS) {
        let first = format!("{:04}-{:02}-{:02}", from.year, from.month, from.day);
        let r = DayRange::parse(Some(&first), None, CivilDate::from_unix_ms((days_from_civil(from) + len - 1) * 86_400_000)).unwrap();
        let days = r.days();
        prop_assert_eq!(days.len() as i64, len);
        prop_assert_eq!(&days[0], &first);
        for pair in days.windows(2) {
            let (a, b) = (CivilDate::parse(&pair[0]).unwrap(), CivilDate::parse(&pair[1]).unwrap());
            prop_assert_eq!(days_from_civil(b) - days_from_civil(a), 1);
        }
        prop_assert_eq!(DayRange::parse(Some(&first), Some(&r.to()), from).unwrap(), r);
    }

    #[test]
    fn rates_are_none_only_after_zero_and_at_most_one_down_a_shrinking_funnel(
        counts in proptest::collection::vec(0u64..1_000_000, 7)
    ) {
        let mut shrinking = counts.clone();
        shrinking.sort_unstable_by(|a, b| b.cmp(a));
        for counts in [&counts, &shrinking] {
            let counters: Vec<Counter> = GIVEAWAY_STEPS
                .iter()
                .zip(counts.iter())
                .map(|(e, n)| counter("2026-11-30", *e, "", *n, *n))
                .collect();
            let s = build("c", &range("2026-11-30", "2026-11-30"), &counters);
            prop_assert_eq!(s.giveaway[0].rate_permille, None);
            for pair in s.giveaway.windows(2) {
                let (prev, step) = (&pair[0], &pair[1]);
                match step.rate_permille {
                    None => prop_assert_eq!(prev.count, 0),
                    Some(r) => {
                        // Rounded to the nearest thousandth: off by at most half of one.
                        let exact = u128::from(step.count) * 1000;
                        let got = u128::from(r) * u128::from(prev.count);
                        prop_assert!(got.abs_diff(exact) * 2 <= u128::from(prev.count), "{} of {}: {}", step.count, prev.count, r);
                        if counts == &shrinking { prop_assert!(r <= 1000); }
                    }
                }
            }
        }
    }

    #[test]
    fn the_daily_series_adds_up_to_the_funnels(
        raw in proptest::collection::vec((0usize..5, 0usize..14, 0usize..10, 0u64..1000, 0u64..1000), 0..60)
    ) {
        let r = range("2026-02-26", "2026-03-02");
        let days = r.days();
        let details = ["", "copy", "qr", "x", "bogus", "duplicate_receipt", "unreadable", "sms", "email", "webshare"];
        let counters: Vec<Counter> = raw
            .iter()
            .map(|(d, e, det, events, sessions)| counter(&days[*d], EventKind::ALL[*e], details[*det], *events, *sessions))
            .collect();
        let s = build("c", &r, &counters);
        prop_assert_eq!(s.daily.len(), 5);
        prop_assert_eq!(s.shares.len(), Channel::ALL.len());
        for step in s.giveaway.iter().chain(&s.referral) {
            let daily: u64 = s.daily.iter().map(|d| d.counts[&step.event]).sum();
            prop_assert_eq!(daily, step.count);
        }
        let shares: u64 = s.shares.iter().map(|c| c.shares).sum();
        let counted: u64 = counters.iter().filter(|c| c.event == EventKind::Share && Channel::parse(&c.detail).is_some()).map(|c| c.events).sum();
        prop_assert_eq!(shares, counted);
        let rejected: u64 = s.rejections.iter().map(|r| r.count).sum();
        prop_assert_eq!(rejected, s.daily.iter().map(|d| d.counts[&EventKind::EntryRejected]).sum::<u64>());
    }
}
