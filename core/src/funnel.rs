//! The funnel report: counters of a day range folded into the giveaway and referral funnels with
//! the conversion rate between their steps, entry rejections by reason, shares by channel and a
//! daily series. `vouch stats`, the admin API and the console all show this one report.
//!
//! Units: a page's step counts unique sessions (a shopper reloading the form is one shopper), a
//! server's step counts events (each entry or conversion is a fact of its own). Sessions are unique
//! per day: over a range they are summed day by day, so a tab open across midnight counts on both
//! days, and a session sharing on two channels counts once per channel.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::age::CivilDate;
use crate::analytics::{day_of, Channel, Counter, EventKind};

/// The days a report covers when none are given: the last 30, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest range one report covers: a year, leap day included.
pub const MAX_DAYS: i64 = 366;

/// The giveaway form, from the widget being seen to the entry confirmed by e-mail.
pub const GIVEAWAY_STEPS: [EventKind; 7] = [
    EventKind::Impression,
    EventKind::FormStart,
    EventKind::UploadStarted,
    EventKind::UploadDone,
    EventKind::Submit,
    EventKind::EntryAccepted,
    EventKind::EntryConfirmed,
];

/// The referral program, from a referrer opening the panel to the friend's credit approved.
pub const REFERRAL_STEPS: [EventKind; 6] = [
    EventKind::PanelOpen,
    EventKind::Join,
    EventKind::Share,
    EventKind::LinkLanding,
    EventKind::Conversion,
    EventKind::CreditApproved,
];

/// What a step's count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Unique sessions per day, summed over the days: the page's events.
    Sessions,
    /// Every event: the server's.
    Events,
}

impl Unit {
    pub const fn of(kind: EventKind) -> Self {
        if kind.from_page() {
            Unit::Sessions
        } else {
            Unit::Events
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Unit::Sessions => "sessions",
            Unit::Events => "events",
        }
    }
}

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub event: EventKind,
    pub unit: Unit,
    pub count: u64,
    /// This step's count per thousand of the previous step's, rounded (250: a quarter went on).
    /// Absent for the first step and after a step that counted nothing. Above 1000 when more
    /// arrived than the step before saw (a lost beacon, or sessions meeting events). Whole
    /// numbers, so the console carries no float code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_permille: Option<u64>,
}

/// Entries refused for one reason (its reason code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejection {
    pub reason: String,
    pub count: u64,
}

/// Shares on one channel: every share, and the sessions that shared there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelShares {
    pub channel: Channel,
    pub shares: u64,
    pub sessions: u64,
}

/// One day of the series: every event, zeros included, in its step's unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Day {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub counts: BTreeMap<EventKind, u64>,
}

/// A campaign's funnel report over the days `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    pub campaign: String,
    /// First day, `YYYY-MM-DD` (UTC).
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// impression → form_start → upload_started → upload_done → submit → entry_accepted →
    /// entry_confirmed.
    pub giveaway: Vec<Step>,
    /// Entries refused, by reason, most first.
    pub rejections: Vec<Rejection>,
    /// panel_open → join → share → link_landing → conversion → credit_approved.
    pub referral: Vec<Step>,
    /// Every channel, in a fixed order, zeros included.
    pub shares: Vec<ChannelShares>,
    /// Every day of the range, oldest first.
    pub daily: Vec<Day>,
}

/// Why a range was refused; the message starts with the parameter at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("{0} must be a date, YYYY-MM-DD")]
    Malformed(&'static str),
    #[error("from must not be after to")]
    Reversed,
    #[error("from must be at most {MAX_DAYS} days before to, both included")]
    TooLong,
}

impl RangeError {
    /// The parameter at fault.
    pub fn param(self) -> &'static str {
        match self {
            RangeError::Malformed(param) => param,
            RangeError::Reversed | RangeError::TooLong => "from",
        }
    }
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`, the inverse of `from_unix_ms`).
fn days_from_civil(d: CivilDate) -> i64 {
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(d.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A checked range of UTC days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    first: i64,
    last: i64,
}

impl DayRange {
    /// The range `from..=to`; blank is absent. Without `to`, up to `today`; without `from`, the
    /// [`DEFAULT_DAYS`] ending with `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: CivilDate) -> Result<Self, RangeError> {
        let day = |text: Option<&str>, param| match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => CivilDate::parse(t).map(|d| Some(days_from_civil(d))).map_err(|_| RangeError::Malformed(param)),
        };
        let (from, to) = (day(from, "from")?, day(to, "to")?);
        let last = to.unwrap_or_else(|| days_from_civil(today));
        let first = from.unwrap_or(last - (DEFAULT_DAYS - 1));
        if first > last {
            return Err(RangeError::Reversed);
        }
        if last - first + 1 > MAX_DAYS {
            return Err(RangeError::TooLong);
        }
        Ok(Self { first, last })
    }

    /// How many days it covers.
    pub fn len(&self) -> usize {
        (self.last - self.first + 1) as usize
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every day, oldest first, as `YYYY-MM-DD`.
    pub fn days(&self) -> Vec<String> {
        (self.first..=self.last).map(|d| day_of(d * 86_400_000)).collect()
    }

    pub fn from(&self) -> String {
        day_of(self.first * 86_400_000)
    }

    pub fn to(&self) -> String {
        day_of(self.last * 86_400_000)
    }
}

/// A counter in its step's unit.
fn count(c: &Counter) -> u64 {
    match Unit::of(c.event) {
        Unit::Sessions => c.sessions,
        Unit::Events => c.events,
    }
}

/// `count` per thousand of `previous`, rounded half up; `None` when there is nothing to divide by.
pub fn permille(count: u64, previous: u64) -> Option<u64> {
    (previous > 0).then(|| {
        let p = (u128::from(count) * 1000 + u128::from(previous) / 2) / u128::from(previous);
        u64::try_from(p).unwrap_or(u64::MAX)
    })
}

fn funnel(steps: &[EventKind], totals: &BTreeMap<EventKind, u64>) -> Vec<Step> {
    let total = |e: &EventKind| totals.get(e).copied().unwrap_or(0);
    let mut previous = None;
    steps
        .iter()
        .map(|e| {
            let count = total(e);
            let rate_permille = previous.and_then(|p| permille(count, p));
            let step = Step { event: *e, unit: Unit::of(*e), count, rate_permille };
            previous = Some(count);
            step
        })
        .collect()
}

/// The report of `campaign` over `range` from its counters (counters of other days are left out).
pub fn build(campaign: &str, range: &DayRange, counters: &[Counter]) -> Stats {
    let days = range.days();
    let index: BTreeMap<&str, usize> = days.iter().enumerate().map(|(i, d)| (d.as_str(), i)).collect();
    let zeros: BTreeMap<EventKind, u64> = EventKind::ALL.iter().map(|e| (*e, 0)).collect();
    let mut daily: Vec<Day> = days.iter().map(|d| Day { day: d.clone(), counts: zeros.clone() }).collect();
    let mut totals = zeros.clone();
    let mut shares: BTreeMap<Channel, (u64, u64)> = BTreeMap::new();
    let mut rejections: BTreeMap<String, u64> = BTreeMap::new();
    for c in counters {
        let Some(&i) = index.get(c.day.as_str()) else { continue };
        let n = count(c);
        *daily[i].counts.entry(c.event).or_default() += n;
        *totals.entry(c.event).or_default() += n;
        match c.event {
            EventKind::Share => {
                if let Some(channel) = Channel::parse(&c.detail) {
                    let s = shares.entry(channel).or_default();
                    s.0 += c.events;
                    s.1 += c.sessions;
                }
            }
            EventKind::EntryRejected => {
                let reason = if c.detail.is_empty() { "unspecified" } else { c.detail.as_str() };
                *rejections.entry(reason.to_string()).or_default() += c.events;
            }
            _ => {}
        }
    }
    let mut rejections: Vec<Rejection> =
        rejections.into_iter().map(|(reason, count)| Rejection { reason, count }).collect();
    rejections.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Stats {
        campaign: campaign.to_string(),
        from: range.from(),
        to: range.to(),
        giveaway: funnel(&GIVEAWAY_STEPS, &totals),
        rejections,
        referral: funnel(&REFERRAL_STEPS, &totals),
        shares: Channel::ALL
            .iter()
            .map(|ch| {
                let (shares, sessions) = shares.get(ch).copied().unwrap_or_default();
                ChannelShares { channel: *ch, shares, sessions }
            })
            .collect(),
        daily,
    }
}

/// A rate as people read it: `62.5%`, or `–` when there is none.
pub fn percent(permille: Option<u64>) -> String {
    match permille {
        Some(p) => format!("{}.{}%", p / 10, p % 10),
        None => "–".to_string(),
    }
}

/// A rate as a fraction with three decimals (`0.625`), for spreadsheets; empty when there is none.
pub fn fraction(permille: Option<u64>) -> String {
    permille.map(|p| format!("{}.{:03}", p / 1000, p % 1000)).unwrap_or_default()
}

#[cfg(test)]
#[path = "funnel_tests.rs"]
mod tests;
