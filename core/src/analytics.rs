//! The campaign funnel: the events pages and the server report, the rules a batch of them must
//! pass, and how counters become a report. Events carry a random per-tab session id and nothing
//! else about the shopper: no e-mail, no name, no cookie.

use serde::{Deserialize, Serialize};

use crate::age::CivilDate;

/// The most events one `POST /v1/events` may carry; a page flushes before it has more.
pub const MAX_BATCH_EVENTS: usize = 50;
/// The largest request body `POST /v1/events` reads.
pub const MAX_BATCH_BYTES: usize = 16 * 1024;
/// Clocks of shoppers' devices drift: an event up to this far ahead of the server is taken.
pub const MAX_FUTURE_SKEW_MS: i64 = 5 * 60_000;
/// A page sends within seconds; older events are refused so a replayed batch cannot rewrite the
/// history of earlier days.
pub const MAX_EVENT_AGE_MS: i64 = 24 * 3_600_000;
/// How long a store remembers a counted batch id and a counted session: longer than any
/// redelivery (SQS keeps a message 14 days at most, and an event may be `MAX_EVENT_AGE_MS` old
/// when it is sent), so forgetting them never lets a batch or a session count twice.
pub const MARKER_KEEP_MS: i64 = 16 * 86_400_000;

/// Every event the funnel counts. The first eight come from pages, the rest from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Impression,
    FormStart,
    UploadStarted,
    UploadDone,
    Submit,
    PanelOpen,
    Share,
    LinkLanding,
    EntryAccepted,
    EntryConfirmed,
    EntryRejected,
    Join,
    Conversion,
    CreditApproved,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::Impression,
        EventKind::FormStart,
        EventKind::UploadStarted,
        EventKind::UploadDone,
        EventKind::Submit,
        EventKind::PanelOpen,
        EventKind::Share,
        EventKind::LinkLanding,
        EventKind::EntryAccepted,
        EventKind::EntryConfirmed,
        EventKind::EntryRejected,
        EventKind::Join,
        EventKind::Conversion,
        EventKind::CreditApproved,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Impression => "impression",
            EventKind::FormStart => "form_start",
            EventKind::UploadStarted => "upload_started",
            EventKind::UploadDone => "upload_done",
            EventKind::Submit => "submit",
            EventKind::PanelOpen => "panel_open",
            EventKind::Share => "share",
            EventKind::LinkLanding => "link_landing",
            EventKind::EntryAccepted => "entry_accepted",
            EventKind::EntryConfirmed => "entry_confirmed",
            EventKind::EntryRejected => "entry_rejected",
            EventKind::Join => "join",
            EventKind::Conversion => "conversion",
            EventKind::CreditApproved => "credit_approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Pages may report only these; the others are facts only the server knows.
    pub const fn from_page(self) -> bool {
        matches!(
            self,
            EventKind::Impression
                | EventKind::FormStart
                | EventKind::UploadStarted
                | EventKind::UploadDone
                | EventKind::Submit
                | EventKind::PanelOpen
                | EventKind::Share
                | EventKind::LinkLanding
        )
    }
}

/// Where a referrer shared their link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Copy,
    Email,
    Whatsapp,
    Facebook,
    X,
    Sms,
    Webshare,
    Qr,
}

impl Channel {
    pub const ALL: [Channel; 8] = [
        Channel::Copy,
        Channel::Email,
        Channel::Whatsapp,
        Channel::Facebook,
        Channel::X,
        Channel::Sms,
        Channel::Webshare,
        Channel::Qr,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Copy => "copy",
            Channel::Email => "email",
            Channel::Whatsapp => "whatsapp",
            Channel::Facebook => "facebook",
            Channel::X => "x",
            Channel::Sms => "sms",
            Channel::Webshare => "webshare",
            Channel::Qr => "qr",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// `POST /v1/events`, as a page sends it (`text/plain` JSON, so no CORS preflight). Types and
/// channels are strings here so an unknown one is answered with its index, not a parse error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBatchRequest {
    pub campaign: String,
    /// Random, chosen by the page per batch: a batch is counted once however often it arrives.
    pub batch: String,
    /// Random, kept in the tab's `sessionStorage`: counts unique sessions, joined to nothing.
    pub session: String,
    pub events: Vec<PageEvent>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageEvent {
    #[serde(rename = "type")]
    pub kind: String,
    /// For `share` only: copy, email, whatsapp, facebook, x, sms, webshare or qr.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// When it happened on the page, Unix milliseconds.
    pub at: i64,
}

/// Counted events of one kind, detail and day: `detail` is the share channel, the rejection
/// reason code, or empty; `at_ms` the first one's time. [`validate`] folds a page's events into
/// one each, so the lane carries a few counts rather than 50 copies of the same words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub at_ms: i64,
    /// Absent (one) in messages queued before events were folded, and for a single event.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u64,
}

fn one() -> u64 {
    1
}

fn is_one(n: &u64) -> bool {
    *n == 1
}

impl Event {
    pub fn one(kind: EventKind, detail: impl Into<String>, at_ms: i64) -> Self {
        Self { kind, detail: detail.into(), at_ms, count: 1 }
    }
}

/// Folds events of the same kind, detail and UTC day into one, in the order they first came.
fn fold(events: Vec<Event>) -> Vec<Event> {
    let mut folded: Vec<Event> = Vec::with_capacity(events.len());
    // The UTC day as a number: the same day as `day_of`, without making its text per comparison.
    let day = |ms: i64| ms.div_euclid(86_400_000);
    for e in events {
        match folded.iter_mut().find(|f| f.kind == e.kind && f.detail == e.detail && day(f.at_ms) == day(e.at_ms)) {
            Some(f) => f.count += e.count,
            None => folded.push(e),
        }
    }
    folded
}

/// A batch that passed [`validate`], or one the server made: what the events lane carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidBatch {
    pub campaign: String,
    /// Unique per campaign; the store counts a batch id once.
    pub batch_id: String,
    /// `None` for the server's events: they count events, not sessions.
    pub session: Option<String>,
    pub events: Vec<Event>,
}

/// Why a batch was refused. A batch is taken whole or not at all: one bad event refuses it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("A batch holds at least one event.")]
    Empty,
    #[error("A batch holds at most {MAX_BATCH_EVENTS} events.")]
    TooManyEvents,
    #[error("The batch id must be 8 to 64 letters, digits, '-' or '_'.")]
    InvalidBatchId,
    #[error("The session id must be 8 to 64 letters, digits, '-' or '_'.")]
    InvalidSession,
    #[error("Event {index}: unknown type.")]
    UnknownType { index: usize },
    #[error("Event {index}: only the server reports this type.")]
    ServerOnly { index: usize },
    #[error("Event {index}: unknown share channel.")]
    UnknownChannel { index: usize },
    #[error("Event {index}: a share needs its channel, and only a share has one.")]
    ChannelMisplaced { index: usize },
    #[error("Event {index}: its time is in the future.")]
    FromTheFuture { index: usize },
    #[error("Event {index}: its time is more than a day old.")]
    TooOld { index: usize },
}

fn token_ok(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks a page's batch at `now_ms`. The campaign and its origin are the caller's to check.
pub fn validate(req: &EventBatchRequest, now_ms: i64) -> Result<ValidBatch, BatchError> {
    if req.events.is_empty() {
        return Err(BatchError::Empty);
    }
    if req.events.len() > MAX_BATCH_EVENTS {
        return Err(BatchError::TooManyEvents);
    }
    if !token_ok(&req.batch) {
        return Err(BatchError::InvalidBatchId);
    }
    if !token_ok(&req.session) {
        return Err(BatchError::InvalidSession);
    }
    let mut events = Vec::with_capacity(req.events.len());
    for (index, e) in req.events.iter().enumerate() {
        let kind = EventKind::parse(&e.kind).ok_or(BatchError::UnknownType { index })?;
        if !kind.from_page() {
            return Err(BatchError::ServerOnly { index });
        }
        let detail = match (kind, e.channel.as_deref()) {
            (EventKind::Share, Some(c)) => Channel::parse(c).ok_or(BatchError::UnknownChannel { index })?.as_str(),
            (EventKind::Share, None) | (_, Some(_)) => return Err(BatchError::ChannelMisplaced { index }),
            (_, None) => "",
        };
        if e.at > now_ms + MAX_FUTURE_SKEW_MS {
            return Err(BatchError::FromTheFuture { index });
        }
        if e.at < now_ms - MAX_EVENT_AGE_MS {
            return Err(BatchError::TooOld { index });
        }
        events.push(Event::one(kind, detail, e.at));
    }
    let events = fold(events);
    Ok(ValidBatch {
        campaign: req.campaign.clone(),
        batch_id: req.batch.clone(),
        session: Some(req.session.clone()),
        events,
    })
}

/// One server fact as a batch of one, with an id derived from what it counts (`join:{referrer}`),
/// so reporting it again after a redelivery counts nothing more.
pub fn server_event(campaign: &str, kind: EventKind, detail: &str, subject: &str, at_ms: i64) -> ValidBatch {
    let batch_id = if detail.is_empty() {
        format!("{}:{subject}", kind.as_str())
    } else {
        format!("{}:{detail}:{subject}", kind.as_str())
    };
    ValidBatch {
        campaign: campaign.to_string(),
        batch_id,
        session: None,
        events: vec![Event::one(kind, detail, at_ms)],
    }
}

/// The UTC day of `ms` as `YYYY-MM-DD`: counters are kept per day.
pub fn day_of(ms: i64) -> String {
    let d = CivilDate::from_unix_ms(ms);
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// What one counter is about, within a campaign.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CounterKey {
    pub day: String,
    pub event: EventKind,
    pub detail: String,
}

/// The batch's events folded per counter: what the store adds, in one atomic step per batch.
pub fn tallies(batch: &ValidBatch) -> Vec<(CounterKey, u64)> {
    let mut out: std::collections::BTreeMap<CounterKey, u64> = Default::default();
    for e in &batch.events {
        *out.entry(CounterKey { day: day_of(e.at_ms), event: e.kind, detail: e.detail.clone() }).or_default() +=
            e.count;
    }
    out.into_iter().collect()
}

/// One stored counter: `events` counts every event, `sessions` each session once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counter {
    pub day: String,
    pub event: EventKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    pub events: u64,
    pub sessions: u64,
}

#[cfg(test)]
#[path = "analytics_tests.rs"]
mod tests;
