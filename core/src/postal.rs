//! Postal codes by country. A campaign names its country; `Any` accepts the shapes used worldwide
//! (letters, digits, one inner space or hyphen).

use serde::{Deserialize, Serialize};

use crate::FieldCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum PostalCountry {
    Us,
    De,
    Gb,
    Nl,
    Fr,
    #[default]
    Any,
}

/// An upper-cased postal code in its country's canonical spacing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(input: &str, country: PostalCountry) -> Result<Self, FieldCode> {
        // ASCII on purpose: every supported format is ASCII, so anything else is refused anyway.
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(FieldCode::Required);
        }
        let valid = match country {
            PostalCountry::Us => is_us(&code),
            PostalCountry::De | PostalCountry::Fr => is_digits(&code, 5),
            PostalCountry::Gb => return parse_gb(&code).map(Self),
            PostalCountry::Nl => return parse_nl(&code).map(Self),
            PostalCountry::Any => is_any(&code),
        };
        if valid {
            Ok(Self(code))
        } else {
            Err(FieldCode::InvalidPostalCode)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_us(s: &str) -> bool {
    match s.split_once('-') {
        Some((zip, plus4)) => is_digits(zip, 5) && is_digits(plus4, 4),
        None => is_digits(s, 5),
    }
}

/// UK postcodes: an outward code (A9, A99, AA9, AA99, A9A, AA9A) and an inward code (9AA).
fn parse_gb(s: &str) -> Result<String, FieldCode> {
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return Err(FieldCode::InvalidPostalCode);
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = inward.as_bytes()[0].is_ascii_digit() && inward[1..].bytes().all(|b| b.is_ascii_alphabetic());
    let o = outward.as_bytes();
    let outward_ok =
        o[0].is_ascii_alphabetic() && o.iter().all(u8::is_ascii_alphanumeric) && o.iter().any(u8::is_ascii_digit);
    if inward_ok && outward_ok {
        Ok(format!("{outward} {inward}"))
    } else {
        Err(FieldCode::InvalidPostalCode)
    }
}

fn parse_nl(s: &str) -> Result<String, FieldCode> {
    let compact: String = s.chars().filter(|c| *c != ' ').collect();
    let ok = compact.len() == 6
        && compact.is_ascii()
        && is_digits(&compact[..4], 4)
        && !compact.starts_with('0')
        && compact[4..].bytes().all(|b| b.is_ascii_alphabetic());
    if ok {
        Ok(format!("{} {}", &compact[..4], &compact[4..]))
    } else {
        Err(FieldCode::InvalidPostalCode)
    }
}

fn is_any(s: &str) -> bool {
    let alnum = s.chars().filter(char::is_ascii_alphanumeric).count();
    (2..=10).contains(&alnum)
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && !s.starts_with([' ', '-'])
        && !s.ends_with([' ', '-'])
        && !s.contains("  ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostalCountry::*;

    fn parse(s: &str, c: PostalCountry) -> Result<String, FieldCode> {
        PostalCode::parse(s, c).map(PostalCode::into_inner)
    }

    #[test]
    fn us_zip_codes_with_and_without_plus_four_are_accepted() {
        assert_eq!(parse("94107", Us), Ok("94107".into()));
        assert_eq!(parse("94107-1234", Us), Ok("94107-1234".into()));
        assert_eq!(parse("9410", Us), Err(FieldCode::InvalidPostalCode));
        assert_eq!(parse("94107-12", Us), Err(FieldCode::InvalidPostalCode));
    }

    #[test]
    fn german_codes_have_exactly_five_digits() {
        assert_eq!(parse("10115", De), Ok("10115".into()));
        assert_eq!(parse("1011", De), Err(FieldCode::InvalidPostalCode));
        assert_eq!(parse("1011A", De), Err(FieldCode::InvalidPostalCode));
    }

    #[test]
    fn uk_postcodes_are_uppercased_and_spaced() {
        assert_eq!(parse("sw1a1aa", Gb), Ok("SW1A 1AA".into()));
        assert_eq!(parse("M1 1AE", Gb), Ok("M1 1AE".into()));
        assert_eq!(parse("EC1A 1BB", Gb), Ok("EC1A 1BB".into()));
        assert_eq!(parse("1A1 1AA", Gb), Err(FieldCode::InvalidPostalCode));
        assert_eq!(parse("SW1A 1A", Gb), Err(FieldCode::InvalidPostalCode));
        assert_eq!(parse("ÄW1A 1AA", Gb), Err(FieldCode::InvalidPostalCode));
    }

    #[test]
    fn dutch_codes_are_four_digits_and_two_letters() {
        assert_eq!(parse("1012ab", Nl), Ok("1012 AB".into()));
        assert_eq!(parse("0123 AB", Nl), Err(FieldCode::InvalidPostalCode));
    }

    #[test]
    fn any_country_accepts_common_shapes_and_refuses_junk() {
        for ok in ["75008", "SW1A 1AA", "100-0001", "K1A 0B1", "1010"] {
            assert!(parse(ok, Any).is_ok(), "{ok}");
        }
        for bad in ["1", "12345678901", "12_34", "-1234", "12  34", "<b>"] {
            assert_eq!(parse(bad, Any), Err(FieldCode::InvalidPostalCode), "{bad}");
        }
    }

    #[test]
    fn an_empty_code_is_required() {
        assert_eq!(parse("", Any), Err(FieldCode::Required));
    }
}
