//! Money as integer minor units of an ISO 4217 currency: 49.90 EUR is 4990 cents, 1000 JPY is
//! 1000 yen. A float cannot hold 0.10 exactly and silently rounds large sums, so no amount is kept
//! as one past the API's edge.
//!
//! The minor-unit exponents are a small table rather than a currency crate: `core` also compiles
//! into the widget, which pays for every table byte, and the exponent is the only fact needed.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::FieldCode;

/// The largest amount in minor units: 2^53 − 1, so that every amount reads back exactly in a
/// receiver that parses JSON numbers as doubles (JavaScript).
pub const MAX_MINOR: u64 = (1 << 53) - 1;

/// Currencies without the default two minor digits (ISO 4217 list, 2024).
const EXPONENTS: [(&str, u32); 26] = [
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("CLF", 4),
    ("UYW", 4),
];

/// A three-letter currency code, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Currency(String);

impl Currency {
    /// Accepts any case and surrounding spaces; the shape is checked, not the ISO list, so a
    /// newly issued code works without a release.
    pub fn parse(input: &str) -> Result<Self, FieldCode> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(FieldCode::InvalidCurrency)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How many decimals the currency has (2 unless the table says otherwise).
    pub fn minor_digits(&self) -> u32 {
        EXPONENTS.iter().find(|(code, _)| *code == self.0).map_or(2, |(_, digits)| *digits)
    }
}

/// A non-negative amount in minor units of its currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: u64,
    currency: Currency,
}

impl Money {
    /// Reads a plain decimal (`49.9`, `49.90`, `1000`) with at most the currency's minor digits.
    /// Signs, exponents, spaces inside and other notations are refused: each could hide what
    /// the client meant.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, FieldCode> {
        let digits = currency.minor_digits();
        let text = amount.trim();
        if !is_plain_decimal(text) {
            return Err(FieldCode::InvalidAmount);
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if fraction.len() > digits as usize {
            return Err(FieldCode::AmountTooPrecise);
        }
        let padded = format!("{whole}{fraction:0<width$}", width = digits as usize);
        let significant = padded.trim_start_matches('0');
        // More than 16 digits is above MAX_MINOR whatever they are; this also keeps `u64` parsing in range.
        let minor = match significant {
            "" => 0,
            s if s.len() > 16 => return Err(FieldCode::AmountTooLarge),
            s => s.parse::<u64>().map_err(|_| FieldCode::InvalidAmount)?,
        };
        if minor > MAX_MINOR {
            return Err(FieldCode::AmountTooLarge);
        }
        Ok(Self { minor, currency })
    }

    /// An amount already in minor units (as stored), within the same bound as a parsed one.
    pub fn from_minor(minor: u64, currency: Currency) -> Result<Self, FieldCode> {
        if minor > MAX_MINOR {
            return Err(FieldCode::AmountTooLarge);
        }
        Ok(Self { minor, currency })
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// A stored amount for people to read (`49.90 EUR`, `500 JPY`): the currency's own number
    /// of decimals. Without a currency, or with one or an amount that could never be stored, the
    /// minor units as they are.
    pub fn display_minor(minor: i64, currency: Option<&str>) -> String {
        let money = currency
            .and_then(|code| Currency::parse(code).ok())
            .and_then(|cur| Self::from_minor(u64::try_from(minor).ok()?, cur).ok());
        money.map(|m| format!("{} {}", m.to_decimal(), m.currency.as_str())).unwrap_or_else(|| minor.to_string())
    }

    /// The amount as a plain decimal with all the currency's digits (`49.90`).
    pub fn to_decimal(&self) -> String {
        let digits = self.currency.minor_digits() as usize;
        if digits == 0 {
            return self.minor.to_string();
        }
        let padded = format!("{:0>width$}", self.minor, width = digits + 1);
        let (whole, fraction) = padded.split_at(padded.len() - digits);
        format!("{whole}.{fraction}")
    }

    /// The nearest double, for the webhook's `amount` field that older receivers read.
    pub fn to_f64(&self) -> f64 {
        self.to_decimal().parse().unwrap_or(f64::NAN)
    }
}

/// Digits, optionally a dot and more digits: the only notation an amount may come in.
fn is_plain_decimal(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(text),
    }
}

/// An `amount` as a client sent it, before it is checked against its currency: a JSON number
/// (kept as the shortest decimal that reads back to the same double, so `49.9` stays `49.9`) or
/// a decimal string. Any other JSON value is kept as `Other` so validation can refuse it as a
/// field error instead of the whole body failing to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountInput {
    Number(String),
    Text(String),
    Other,
}

impl AmountInput {
    pub fn parse(&self, currency: Currency) -> Result<Money, FieldCode> {
        match self {
            AmountInput::Number(text) | AmountInput::Text(text) => Money::parse(text, currency),
            AmountInput::Other => Err(FieldCode::InvalidAmount),
        }
    }

    /// What can be said without a currency: whether it is a plain, non-negative decimal.
    pub fn check_notation(&self) -> Result<(), FieldCode> {
        match self {
            AmountInput::Number(text) | AmountInput::Text(text) if is_plain_decimal(text.trim()) => Ok(()),
            _ => Err(FieldCode::InvalidAmount),
        }
    }
}

impl From<f64> for AmountInput {
    fn from(value: f64) -> Self {
        // `Display` for f64 is the shortest round-tripping decimal and never uses an exponent.
        if value.is_finite() {
            AmountInput::Number(value.to_string())
        } else {
            AmountInput::Other
        }
    }
}

impl From<&str> for AmountInput {
    fn from(value: &str) -> Self {
        AmountInput::Text(value.to_string())
    }
}

/// Its schema says what a valid amount looks like; anything else still parses (see above).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AmountInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number).minimum(Some(0)))
            .item(ObjectBuilder::new().schema_type(Type::String).pattern(Some(r"^\s*[0-9]+(\.[0-9]+)?\s*$")))
            .description(Some("A JSON number or a decimal string, with at most the currency's minor digits."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AmountInput {}

impl Serialize for AmountInput {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AmountInput::Number(text) => s.serialize_f64(text.parse().unwrap_or(f64::NAN)),
            AmountInput::Text(text) => s.serialize_str(text),
            AmountInput::Other => s.serialize_unit(),
        }
    }
}

impl<'de> Deserialize<'de> for AmountInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AmountVisitor)
    }
}

struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = AmountInput;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AmountInput, E> {
        Ok(AmountInput::Number(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AmountInput, E> {
        Ok(AmountInput::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<AmountInput, E> {
        Ok(AmountInput::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<AmountInput, E> {
        Ok(AmountInput::Text(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<AmountInput, E> {
        Ok(AmountInput::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<AmountInput, E> {
        Ok(AmountInput::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AmountInput, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(AmountInput::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AmountInput, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(AmountInput::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(amount: &str, currency: &str) -> Result<u64, FieldCode> {
        Money::parse(amount, Currency::parse(currency).unwrap()).map(|m| m.minor())
    }

    #[test]
    fn amounts_become_minor_units_of_their_currency() {
        assert_eq!(money("49.9", "EUR"), Ok(4990));
        assert_eq!(money("49.90", "eur"), Ok(4990));
        assert_eq!(money("0.10", "USD"), Ok(10));
        assert_eq!(money("1000", "JPY"), Ok(1000));
        assert_eq!(money("1.234", "KWD"), Ok(1234));
        assert_eq!(money("0", "EUR"), Ok(0));
    }

    #[test]
    fn more_decimals_than_the_currency_has_are_refused() {
        assert_eq!(money("49.999", "EUR"), Err(FieldCode::AmountTooPrecise));
        assert_eq!(money("100.5", "JPY"), Err(FieldCode::AmountTooPrecise));
        assert_eq!(money("1.2345", "BHD"), Err(FieldCode::AmountTooPrecise));
    }

    #[test]
    fn signs_exponents_and_words_are_refused() {
        for bad in ["-1", "+1", "1e2", "4.99E1", "NaN", "inf", "", ".5", "5.", "1 000", "1,5", "0x10", "١٢"] {
            assert_eq!(money(bad, "EUR"), Err(FieldCode::InvalidAmount), "{bad}");
        }
    }

    #[test]
    fn amounts_beyond_exact_double_precision_are_refused() {
        assert_eq!(money("90071992547409.91", "EUR"), Ok(MAX_MINOR));
        assert_eq!(money("90071992547409.92", "EUR"), Err(FieldCode::AmountTooLarge));
        assert_eq!(money(&"9".repeat(400), "EUR"), Err(FieldCode::AmountTooLarge));
        assert_eq!(money(&format!("{}1", "0".repeat(400)), "JPY"), Ok(1));
    }

    #[test]
    fn json_numbers_keep_the_decimal_the_client_wrote() {
        let parse = |json: &str| serde_json::from_str::<AmountInput>(json).unwrap();
        assert_eq!(parse("49.9"), AmountInput::Number("49.9".into()));
        assert_eq!(parse("20.0"), AmountInput::Number("20".into()));
        assert_eq!(parse("1e-7"), AmountInput::Number("0.0000001".into()));
        assert_eq!(parse("\"49.90\""), AmountInput::Text("49.90".into()));
        assert_eq!(parse("true"), AmountInput::Other);
        assert_eq!(parse("{\"a\":[1]}"), AmountInput::Other);
        assert_eq!(parse("1e-7").parse(Currency::parse("EUR").unwrap()), Err(FieldCode::AmountTooPrecise));
        assert_eq!(parse("1e300").parse(Currency::parse("EUR").unwrap()), Err(FieldCode::AmountTooLarge));
    }

    #[test]
    fn an_amount_reads_back_as_a_decimal_with_all_its_digits() {
        let m = |a: &str, c: &str| Money::parse(a, Currency::parse(c).unwrap()).unwrap();
        assert_eq!(m("49.9", "EUR").to_decimal(), "49.90");
        assert_eq!(m("0.05", "EUR").to_decimal(), "0.05");
        assert_eq!(m("7", "JPY").to_decimal(), "7");
        assert_eq!(m("0.001", "KWD").to_decimal(), "0.001");
        assert_eq!(m("49.9", "EUR").to_f64(), 49.9);
    }

    #[test]
    fn currencies_are_three_letters() {
        assert_eq!(Currency::parse(" eur ").unwrap().as_str(), "EUR");
        for bad in ["EURO", "E1R", "", "€", "ÉUR"] {
            assert_eq!(Currency::parse(bad), Err(FieldCode::InvalidCurrency), "{bad}");
        }
    }

    #[test]
    fn stored_amounts_display_with_their_currencys_decimals() {
        assert_eq!(Money::display_minor(4990, Some("eur")), "49.90 EUR");
        assert_eq!(Money::display_minor(500, Some("JPY")), "500 JPY");
        assert_eq!(Money::display_minor(5, Some("EUR")), "0.05 EUR");
        assert_eq!(Money::display_minor(4990, None), "4990");
        assert_eq!(Money::display_minor(-1, Some("EUR")), "-1");
    }
}
