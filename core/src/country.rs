//! Countries as ISO 3166-1 alpha-2 codes, and a campaign's allow-list of them, checked against
//! the country of the entrant's postal address.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::FieldCode;

/// Every officially assigned ISO 3166-1 alpha-2 code (249), sorted, for a binary search.
const ISO_3166_1: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ \
UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An assigned ISO 3166-1 alpha-2 code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// `de`, ` DE ` → `DE`; codes not assigned by ISO 3166-1 (`XX`, `UK`, `DEU`) → `None`.
    pub fn parse(input: &str) -> Option<Self> {
        let code = input.trim().to_ascii_uppercase();
        let b: [u8; 2] = code.as_bytes().try_into().ok()?;
        let assigned = (0..=ISO_3166_1.len() / 3).any(|i| ISO_3166_1.as_bytes().get(i * 3..i * 3 + 2) == Some(&b));
        assigned.then_some(Self(b))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters from the list above get in.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let expected = &"an ISO 3166-1 alpha-2 country code (such as \"DE\")";
        Country::parse(&s).ok_or_else(|| serde::de::Error::invalid_value(serde::de::Unexpected::Str(&s), expected))
    }
}

/// The entrant's country checked against a campaign's allow-list (empty: every country).
pub fn check_country(input: &str, allowed: &[Country]) -> Result<Option<Country>, FieldCode> {
    if allowed.is_empty() {
        return Ok(None);
    }
    if input.trim().is_empty() {
        return Err(FieldCode::Required);
    }
    match Country::parse(input) {
        Some(c) if allowed.contains(&c) => Ok(Some(c)),
        _ => Err(FieldCode::CountryNotEligible),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_each_assigned_code_once_in_order() {
        let codes: Vec<&str> = ISO_3166_1.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        assert!(codes.iter().all(|c| Country::parse(c).is_some_and(|p| p.as_str() == *c)));
    }

    #[test]
    fn codes_are_case_insensitive_and_unassigned_ones_are_refused() {
        assert_eq!(Country::parse(" de ").map(|c| c.as_str().to_string()), Some("DE".into()));
        assert_eq!(Country::parse("AD").map(|c| c.as_str().to_string()), Some("AD".into()));
        assert_eq!(Country::parse("zw").map(|c| c.as_str().to_string()), Some("ZW".into()));
        for bad in ["XX", "UK", "EU", "DEU", "D", "", "Dé", " A"] {
            assert_eq!(Country::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_campaign_file_with_an_unknown_code_does_not_load() {
        let ok: Vec<Country> = serde_json::from_str(r#"["DE","at"]"#).unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"["DE","AT"]"#);
        let err = serde_json::from_str::<Vec<Country>>(r#"["DE","UK"]"#).unwrap_err().to_string();
        assert!(err.contains("\"UK\", expected an ISO 3166-1 alpha-2 country code"), "{err}");
    }

    #[test]
    fn only_listed_countries_may_enter() {
        let dach: Vec<Country> = ["DE", "AT", "CH"].iter().filter_map(|c| Country::parse(c)).collect();
        assert_eq!(check_country("at", &dach), Ok(Country::parse("AT")));
        assert_eq!(check_country("FR", &dach), Err(FieldCode::CountryNotEligible));
        assert_eq!(check_country("XX", &dach), Err(FieldCode::CountryNotEligible));
        assert_eq!(check_country("", &dach), Err(FieldCode::Required));
        assert_eq!(check_country("FR", &[]), Ok(None), "no list: every country");
    }
}
