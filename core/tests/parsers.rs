//! Properties of every parser in `core`: none panics on any input, and what one accepts it
//! accepts again, unchanged, when given its own normalised output.
//!
//! Each parser gets arbitrary Unicode and, because arbitrary text is nearly always refused at the
//! first check, also input shaped like what it accepts, so the later checks and the normalisation
//! see cases too.

use proptest::prelude::*;
use vouch_core::conversion::validate_conversion;
use vouch_core::email::Email;
use vouch_core::form::{validate_entry, FormRules};
use vouch_core::i18n::Locale;
use vouch_core::idempotency::is_valid_key;
use vouch_core::money::{AmountInput, Currency, Money, MAX_MINOR};
use vouch_core::name::PersonName;
use vouch_core::phone::Phone;
use vouch_core::postal::{PostalCode, PostalCountry};
use vouch_core::referral::ReferralCode;
use vouch_core::wire::{Consents, ConversionRequest, EntryFields, EntryRequest};

const COUNTRIES: [PostalCountry; 6] =
    [PostalCountry::Us, PostalCountry::De, PostalCountry::Gb, PostalCountry::Nl, PostalCountry::Fr, PostalCountry::Any];

/// Arbitrary text, or text from `shaped`.
fn text_or(shaped: &'static str) -> BoxedStrategy<String> {
    prop_oneof![any::<String>(), shaped].boxed()
}

proptest! {
    #[test]
    fn an_email_parses_again_to_itself(input in text_or("[ \t]?[a-zA-Z0-9.+_=é-]{0,20}@[a-zA-Z0-9.Ü-]{0,20}[ ]?")) {
        if let Ok(email) = Email::parse(&input) {
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            prop_assert!(!email.domain().is_empty());
        }
    }

    #[test]
    fn a_name_parses_again_to_itself(input in text_or("[ \t\\p{L}\\p{M}'’.,0-9-]{0,40}")) {
        if let Ok(name) = PersonName::parse(&input) {
            prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
        }
    }

    #[test]
    fn a_phone_number_parses_again_to_itself(input in text_or("[ ]?[+]?[0-9 ().+/-]{0,24}")) {
        if let Ok(phone) = Phone::parse(&input) {
            prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone.clone()));
        }
    }

    #[test]
    fn a_postal_code_parses_again_to_itself(
        input in text_or("[ ]?[A-Za-z0-9 -]{0,10}[ ]?"),
        country in proptest::sample::select(COUNTRIES.to_vec()),
    ) {
        if let Ok(code) = PostalCode::parse(&input, country) {
            prop_assert_eq!(PostalCode::parse(code.as_str(), country), Ok(code.clone()));
        }
    }

    #[test]
    fn a_referral_code_parses_again_to_itself(input in text_or("[ ]?[0-9A-Za-z]{5,10}[ ]?")) {
        if let Ok(code) = ReferralCode::parse(&input) {
            prop_assert_eq!(ReferralCode::parse(code.as_str()), Ok(code.clone()));
        }
    }

    #[test]
    fn an_idempotency_key_is_valid_exactly_when_it_is_1_to_255_visible_ascii_characters(
        input in text_or("[!-~ ]{0,300}")
    ) {
        let expected = (1..=255).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_graphic());
        prop_assert_eq!(is_valid_key(&input), expected);
    }

    #[test]
    fn a_currency_parses_again_to_itself(input in text_or("[ ]?[a-zA-Z]{2,4}[ ]?")) {
        if let Ok(currency) = Currency::parse(&input) {
            prop_assert_eq!(Currency::parse(currency.as_str()), Ok(currency.clone()));
        }
    }

    #[test]
    fn an_amount_reads_back_from_its_decimal_to_the_same_minor_units(
        amount in text_or("[ ]?-?[0-9]{0,20}([.][0-9]{0,5})?([eE][0-9])?"),
        currency in text_or("EUR|JPY|KWD|CLF|usd"),
    ) {
        let Ok(currency) = Currency::parse(&currency) else { return Ok(()) };
        if let Ok(money) = Money::parse(&amount, currency.clone()) {
            prop_assert!(money.minor() <= MAX_MINOR);
            prop_assert_eq!(Money::parse(&money.to_decimal(), currency), Ok(money.clone()));
            let decimals = money.to_decimal().split_once('.').map_or(0, |(_, f)| f.len());
            prop_assert_eq!(decimals, money.currency().minor_digits() as usize);
        }
    }

    #[test]
    fn a_json_number_amount_is_exact_or_refused(number in any::<f64>(), currency in "EUR|JPY|KWD") {
        let currency = Currency::parse(&currency).unwrap();
        if let Ok(money) = AmountInput::from(number).parse(currency) {
            // Accepted means the client's number is the amount, to the last minor unit.
            prop_assert_eq!(money.to_f64(), number);
        }
    }

    #[test]
    fn any_json_amount_is_a_field_question_never_a_malformed_body(
        json in prop_oneof![
            any::<f64>().prop_filter("JSON has no NaN or infinities", |n| n.is_finite()).prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("true".to_string()), Just("[1, {\"a\": 2}]".to_string()), Just("{\"x\": [null]}".to_string()),
        ]
    ) {
        let body = format!("{{\"order_id\":\"o\",\"amount\":{json},\"currency\":\"EUR\"}}");
        let request: ConversionRequest = serde_json::from_str(&body).unwrap();
        let _ = validate_conversion(&request);
    }

    #[test]
    fn a_valid_entry_validates_again_to_itself(
        first_name in text_or("[\\p{L} '-]{0,12}"),
        email in text_or("[a-z0-9.+=-]{1,10}@[a-z]{1,8}[.][a-z]{2,3}"),
        phone in text_or("[+]?[0-9 ]{0,16}"),
        postal_code in text_or("[A-Z0-9 ]{0,8}"),
        referral_code in proptest::option::of(text_or("[0-9A-Za-z ]{6,10}")),
        country in proptest::sample::select(COUNTRIES.to_vec()),
    ) {
        let rules = FormRules { postal_country: country, ..FormRules::default() };
        let request = |fields: EntryFields, referral_code: Option<String>| EntryRequest {
            fields,
            consents: Consents { terms: true, ..Consents::default() },
            receipt_upload_id: Some("up_1".into()),
            referral_code,
            locale: None,
        };
        let first = request(
            EntryFields { first_name: first_name.clone(), last_name: first_name, email, phone, postal_code, ..EntryFields::default() },
            referral_code,
        );
        if let Ok(valid) = validate_entry(&first, &rules) {
            let fields = EntryFields {
                first_name: valid.entrant.first_name.clone(),
                last_name: valid.entrant.last_name.clone(),
                email: valid.entrant.email.clone(),
                phone: valid.entrant.phone.clone().unwrap_or_default(),
                postal_code: valid.entrant.postal_code.clone().unwrap_or_default(),
                ..EntryFields::default()
            };
            prop_assert_eq!(validate_entry(&request(fields, valid.entrant.referral_code.clone()), &rules), Ok(valid));
        }
    }

    #[test]
    fn a_language_tag_never_panics_and_names_a_catalogue_we_have(tag in text_or("[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,4})?")) {
        if let Some(locale) = Locale::parse(&tag) {
            prop_assert_eq!(Locale::parse(locale.code()), Some(locale));
        }
        let _ = Locale::from_accept_language(&tag);
    }
}
