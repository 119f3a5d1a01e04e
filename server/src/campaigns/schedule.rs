//! The campaign file's schedule settings: when entries open and close, the display time zone, and
//! how long after the close an entry citing an earlier grant is still taken.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vouch_core::schedule::Schedule;

const DEFAULT_GRACE_MINUTES: u32 = 15;

/// The schedule keys at the campaign file's top level.
#[derive(Debug, Default)]
pub(super) struct ScheduleFile {
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub timezone: Option<String>,
    pub close_grace_minutes: Option<u32>,
}

/// The checked schedule: the window in milliseconds, the grace, and the texts the public gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignSchedule {
    pub window: Schedule,
    pub close_grace_ms: i64,
}

impl ScheduleFile {
    pub(super) fn check(&self) -> Result<CampaignSchedule, String> {
        let opens = self.opens_at.as_deref().map(|t| instant("opens_at", t)).transpose()?;
        let closes = self.closes_at.as_deref().map(|t| instant("closes_at", t)).transpose()?;
        if let (Some(o), Some(c)) = (opens, closes) {
            if c <= o {
                return Err("closes_at must be after opens_at".into());
            }
        }
        if self.timezone.as_deref().is_some_and(|tz| !is_zone_name(tz)) {
            return Err("timezone must be an IANA time zone name such as \"Europe/Berlin\"".into());
        }
        let grace = self.close_grace_minutes.unwrap_or(DEFAULT_GRACE_MINUTES);
        Ok(CampaignSchedule {
            window: Schedule { opens_at_ms: opens, closes_at_ms: closes },
            close_grace_ms: i64::from(grace) * 60_000,
        })
    }
}

fn instant(key: &str, text: &str) -> Result<i64, String> {
    let t = OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        format!("{key} {text:?} is not an RFC 3339 time with an offset (e.g. 2026-12-01T09:00:00+01:00): {e}")
    })?;
    Ok((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// The shape of a tz database name (Area/Location, or UTC); the browser resolves it for display.
fn is_zone_name(tz: &str) -> bool {
    !tz.is_empty()
        && tz.len() <= 64
        && tz.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
        && !tz.starts_with('/')
        && !tz.ends_with('/')
}
