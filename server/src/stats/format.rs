//! The report as `vouch stats` prints it: a table for people, CSV for spreadsheets (one tidy row
//! per number), or the admin API's JSON.

use std::io::Write;

use vouch_core::analytics::EventKind;
use vouch_core::funnel::{fraction, percent, Stats, Step, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

pub fn write(stats: &Stats, format: Format, out: &mut impl Write) -> anyhow::Result<()> {
    match format {
        Format::Table => table(stats, out)?,
        Format::Csv => csv(stats, out)?,
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(stats)?)?,
    }
    Ok(())
}

fn steps(title: &str, steps: &[Step], out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "{title:<20} {:>10}  {:<8}  {:>7}", "count", "unit", "rate")?;
    for s in steps {
        let first = s.event == steps[0].event;
        let rate = if first { String::new() } else { percent(s.rate_permille) };
        writeln!(out, "{:<20} {:>10}  {:<8}  {:>7}", s.event.as_str(), s.count, s.unit.as_str(), rate)?;
    }
    writeln!(out)
}

fn table(s: &Stats, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "Campaign {}, {} to {} (UTC days, both included)", s.campaign, s.from, s.to)?;
    writeln!(out, "Page steps count unique sessions per day; server steps count events.")?;
    writeln!(out, "The rate is each step's count over the step before.")?;
    writeln!(out)?;
    steps("Giveaway funnel", &s.giveaway, out)?;
    writeln!(out, "{:<20} {:>10}", "Entries rejected", "count")?;
    if s.rejections.is_empty() {
        writeln!(out, "{:<20} {:>10}", "(none)", 0)?;
    }
    for r in &s.rejections {
        writeln!(out, "{:<20} {:>10}", r.reason, r.count)?;
    }
    writeln!(out)?;
    steps("Referral funnel", &s.referral, out)?;
    writeln!(out, "{:<20} {:>10}  {:>8}", "Shares by channel", "shares", "sessions")?;
    for c in &s.shares {
        writeln!(out, "{:<20} {:>10}  {:>8}", c.channel.as_str(), c.shares, c.sessions)?;
    }
    writeln!(out)?;
    write!(out, "{:<10}", "Daily")?;
    for e in EventKind::ALL {
        write!(out, " {:>w$}", e.as_str(), w = e.as_str().len().max(4))?;
    }
    writeln!(out)?;
    for d in &s.daily {
        write!(out, "{:<10}", d.day)?;
        for e in EventKind::ALL {
            let n = d.counts.get(&e).copied().unwrap_or(0);
            write!(out, " {:>w$}", n, w = e.as_str().len().max(4))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `section,day,event,detail,unit,count,rate`: the funnels, rejections, shares and every day's
/// every event, each number on its own row (the rate as a fraction, blank when there is none).
fn csv(s: &Stats, out: &mut impl Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["section", "day", "event", "detail", "unit", "count", "rate"])?;
    for (section, funnel) in [("giveaway", &s.giveaway), ("referral", &s.referral)] {
        for step in funnel.iter() {
            let rate = fraction(step.rate_permille);
            let count = step.count.to_string();
            w.write_record([section, "", step.event.as_str(), "", step.unit.as_str(), &count, &rate])?;
        }
    }
    for r in &s.rejections {
        let count = r.count.to_string();
        w.write_record(["rejections", "", EventKind::EntryRejected.as_str(), &r.reason, "events", &count, ""])?;
    }
    for c in &s.shares {
        let share = EventKind::Share.as_str();
        for (unit, n) in [("events", c.shares), ("sessions", c.sessions)] {
            w.write_record(["shares", "", share, c.channel.as_str(), unit, &n.to_string(), ""])?;
        }
    }
    for d in &s.daily {
        for e in EventKind::ALL {
            let n = d.counts.get(&e).copied().unwrap_or(0).to_string();
            w.write_record(["daily", &d.day, e.as_str(), "", Unit::of(e).as_str(), &n, ""])?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use vouch_core::age::CivilDate;
    use vouch_core::analytics::Counter;
    use vouch_core::funnel::{build, DayRange};

    use super::*;

    fn sample() -> Stats {
        let today = CivilDate::parse("2026-11-30").unwrap();
        let range = DayRange::parse(Some("2026-11-29"), None, today).unwrap();
        let c = |day: &str, event, detail: &str, events, sessions| Counter {
            day: day.into(),
            event,
            detail: detail.into(),
            events,
            sessions,
        };
        let counters = [
            c("2026-11-29", EventKind::Impression, "", 9, 8),
            c("2026-11-30", EventKind::FormStart, "", 3, 2),
            c("2026-11-30", EventKind::EntryRejected, "duplicate_receipt", 1, 0),
            c("2026-11-30", EventKind::Share, "sms", 4, 3),
        ];
        build("demo", &range, &counters)
    }

    fn text(format: Format) -> String {
        let mut out = Vec::new();
        write(&sample(), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_table_shows_counts_units_and_rates() {
        let t = text(Format::Table);
        assert!(t.contains("Campaign demo, 2026-11-29 to 2026-11-30"), "{t}");
        let line = |start: &str| t.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start}: {t}"));
        let words = |l: &str| l.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(line("impression")), ["impression", "8", "sessions"]);
        assert_eq!(words(line("form_start")), ["form_start", "2", "sessions", "25.0%"]);
        assert_eq!(words(line("upload_started")), ["upload_started", "0", "sessions", "0.0%"]);
        assert_eq!(words(line("upload_done")), ["upload_done", "0", "sessions", "–"]);
        assert_eq!(words(line("duplicate_receipt")), ["duplicate_receipt", "1"]);
        assert_eq!(words(line("sms")), ["sms", "4", "3"]);
        assert_eq!(words(line("2026-11-29"))[1..3], ["8", "0"]);
    }

    #[test]
    fn the_csv_has_one_row_per_number() {
        let t = text(Format::Csv);
        let rows: Vec<&str> = t.lines().collect();
        assert_eq!(rows[0], "section,day,event,detail,unit,count,rate");
        assert!(rows.contains(&"giveaway,,form_start,,sessions,2,0.250"), "{t}");
        assert!(rows.contains(&"giveaway,,impression,,sessions,8,"));
        assert!(rows.contains(&"rejections,,entry_rejected,duplicate_receipt,events,1,"));
        assert!(rows.contains(&"shares,,share,sms,events,4,"));
        assert!(rows.contains(&"shares,,share,sms,sessions,3,"));
        assert!(rows.contains(&"daily,2026-11-30,form_start,,sessions,2,"));
        // 7 + 6 steps, 1 reason, 8 channels twice, 2 days of 14 events, and the header.
        assert_eq!(rows.len(), 1 + 13 + 1 + 16 + 28);
    }

    #[test]
    fn the_json_is_the_report() {
        let back: Stats = serde_json::from_str(&text(Format::Json)).unwrap();
        assert_eq!(back, sample());
    }
}
