//! A minimum age: the entrant's age on the day of entry, from a date of birth (`YYYY-MM-DD`).
//! Calendar arithmetic by hand (no date crate), as the widget carries this rule to the browser.

use serde::{Deserialize, Serialize};

use crate::FieldCode;

/// How a campaign with a `min_age` asks for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeCheck {
    /// A date of birth, checked against the day of entry.
    #[default]
    DateOfBirth,
    /// A required "I am at least {N} years old" checkbox.
    Confirmation,
}

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl CivilDate {
    /// A real date in `YYYY-MM-DD` form: 2023-02-29 and 2024-13-01 are refused.
    pub fn parse(input: &str) -> Result<Self, FieldCode> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldCode::Required);
        }
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            return Err(FieldCode::InvalidDate);
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<i32>().map_err(|_| FieldCode::InvalidDate);
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&month) || day < 1 || day > i32::from(days_in_month(year, month as u8)) {
            return Err(FieldCode::InvalidDate);
        }
        Ok(Self { year, month: month as u8, day: day as u8 })
    }

    /// The UTC day holding `ms` (Unix milliseconds): H. Hinnant's `civil_from_days`.
    pub fn from_unix_ms(ms: i64) -> Self {
        let z = ms.div_euclid(86_400_000) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// Completed years from `self` (a birthday) to `on`. Someone born on 29 February turns a year
    /// older on 1 March in common years: before it, the birthday has not come yet.
    pub fn age_on(self, on: CivilDate) -> i32 {
        let years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years - 1
        } else {
            years
        }
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether a date of birth lets its holder enter on `today` with a minimum age of `min_age`.
pub fn check_date_of_birth(input: &str, min_age: u8, today: CivilDate) -> Result<CivilDate, FieldCode> {
    let born = CivilDate::parse(input)?;
    if born > today {
        return Err(FieldCode::DateInFuture);
    }
    if born.age_on(today) < i32::from(min_age) {
        return Err(FieldCode::TooYoung);
    }
    Ok(born)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> CivilDate {
        CivilDate::parse(s).unwrap()
    }

    #[test]
    fn only_real_dates_parse() {
        assert_eq!(date("2008-02-29"), CivilDate { year: 2008, month: 2, day: 29 });
        for bad in [
            "2007-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "24-01-01",
            "2024/01/01",
            "2024-1-01",
        ] {
            assert_eq!(CivilDate::parse(bad), Err(FieldCode::InvalidDate), "{bad}");
        }
        assert_eq!(date("2000-02-29").day, 29, "2000 is a leap year (divisible by 400)");
        assert_eq!(CivilDate::parse(" "), Err(FieldCode::Required));
    }

    #[test]
    fn the_day_of_an_instant_is_its_utc_day() {
        assert_eq!(CivilDate::from_unix_ms(0), date("1970-01-01"));
        assert_eq!(CivilDate::from_unix_ms(-1), date("1969-12-31"));
        // 2026-11-30T00:00:00Z and the millisecond before it.
        assert_eq!(CivilDate::from_unix_ms(1_795_996_800_000), date("2026-11-30"));
        assert_eq!(CivilDate::from_unix_ms(1_795_996_799_999), date("2026-11-29"));
        assert_eq!(CivilDate::from_unix_ms(951_782_400_000), date("2000-02-29"));
    }

    #[test]
    fn a_birthday_counts_from_its_day() {
        let born = date("2008-06-15");
        assert_eq!(born.age_on(date("2026-06-14")), 17);
        assert_eq!(born.age_on(date("2026-06-15")), 18);
        assert_eq!(born.age_on(date("2026-12-31")), 18);
    }

    #[test]
    fn a_leap_day_birthday_comes_on_the_first_of_march_in_common_years() {
        let born = date("2008-02-29");
        assert_eq!(born.age_on(date("2026-02-28")), 17);
        assert_eq!(born.age_on(date("2026-03-01")), 18);
        assert_eq!(born.age_on(date("2028-02-29")), 20);
    }

    #[test]
    fn entrants_under_the_minimum_age_or_born_tomorrow_are_refused() {
        let today = date("2026-11-30");
        assert_eq!(check_date_of_birth("2008-11-30", 18, today), Ok(date("2008-11-30")));
        assert_eq!(check_date_of_birth("2008-12-01", 18, today), Err(FieldCode::TooYoung));
        assert_eq!(check_date_of_birth("2026-12-01", 0, today), Err(FieldCode::DateInFuture));
        assert_eq!(check_date_of_birth("2026-11-30", 0, today), Ok(today));
        assert_eq!(check_date_of_birth("30.11.2008", 18, today), Err(FieldCode::InvalidDate));
    }
}
