//! Joining a referral program and reporting a conversion: the checks both routes apply before
//! anything is stored.

use crate::email::Email;
use crate::money::{Currency, Money};
use crate::name::PersonName;
use crate::referral::{identity_email, ReferralCode};
use crate::wire::{ConversionRequest, JoinRequest};
use crate::{Field, FieldCode, FieldError};

const MAX_ORDER_ID: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidJoin {
    pub first_name: String,
    pub email: String,
    pub marketing_consent: bool,
}

impl ValidJoin {
    /// The mailbox identity one referrer per campaign is keyed by. A method, not a field: the
    /// widget validates joins too and should not carry the Unicode case tables it needs.
    pub fn identity(&self) -> String {
        identity_email(&self.email)
    }
}

pub fn validate_join(req: &JoinRequest) -> Result<ValidJoin, Vec<FieldError>> {
    let mut errors = Vec::new();
    let first_name =
        PersonName::parse(&req.first_name).map_err(|c| errors.push(FieldError::new(Field::FirstName, c))).ok();
    let email = Email::parse(&req.email).map_err(|c| errors.push(FieldError::new(Field::Email, c))).ok();
    if !req.consents.terms {
        errors.push(FieldError::new(Field::Terms, FieldCode::ConsentRequired));
    }
    match (first_name, email) {
        (Some(first_name), Some(email)) if errors.is_empty() => Ok(ValidJoin {
            first_name: first_name.into_inner(),
            email: email.into_inner(),
            marketing_consent: req.consents.marketing,
        }),
        _ => Err(errors),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidConversion {
    pub order_id: String,
    pub email: String,
    pub identity: String,
    pub domain: String,
    pub code: ReferralCode,
    pub amount: Option<Money>,
    pub currency: Option<String>,
}

pub fn validate_conversion(req: &ConversionRequest) -> Result<ValidConversion, Vec<FieldError>> {
    let mut errors = Vec::new();
    let order_id = req.order_id.trim();
    let order_check = match order_id {
        "" => Err(FieldCode::Required),
        id if id.chars().count() > MAX_ORDER_ID => Err(FieldCode::TooLong),
        id if id.chars().any(char::is_control) => Err(FieldCode::InvalidCharacters),
        _ => Ok(()),
    };
    if let Err(code) = order_check {
        errors.push(FieldError::new(Field::OrderId, code));
    }
    let email = Email::parse(&req.email).map_err(|c| errors.push(FieldError::new(Field::Email, c))).ok();
    let code = match req.referral_code.trim() {
        "" => Err(FieldCode::Required),
        c => ReferralCode::parse(c),
    }
    .map_err(|c| errors.push(FieldError::new(Field::ReferralCode, c)))
    .ok();
    let currency = req.currency.as_deref().map(Currency::parse);
    // Without a valid currency the number of decimals allowed is unknown: only the notation is checked.
    let amount = match (&req.amount, &currency) {
        (None, _) => Ok(None),
        (Some(amount), Some(Ok(currency))) => amount.parse(currency.clone()).map(Some),
        (Some(amount), _) => amount.check_notation().map(|()| None),
    }
    .map_err(|c| errors.push(FieldError::new(Field::Amount, c)))
    .ok()
    .flatten();
    match (&currency, &req.amount) {
        (Some(Err(code)), _) => errors.push(FieldError::new(Field::Currency, *code)),
        (None, Some(_)) => errors.push(FieldError::new(Field::Currency, FieldCode::Required)),
        _ => {}
    }
    match (email, code) {
        (Some(email), Some(code)) if errors.is_empty() => Ok(ValidConversion {
            order_id: order_id.to_string(),
            identity: identity_email(email.as_str()),
            domain: email.domain().to_string(),
            email: email.into_inner(),
            code,
            amount,
            currency: currency.and_then(Result::ok).map(|c| c.as_str().to_string()),
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Consents;

    fn conversion() -> ConversionRequest {
        ConversionRequest {
            campaign: "demo".into(),
            order_id: "A-1001".into(),
            email: "Ben.Friend+shop@Gmail.com".into(),
            referral_code: "ab3dk9mz".into(),
            amount: Some(49.9.into()),
            currency: Some("eur".into()),
            device_token: None,
        }
    }

    #[test]
    fn a_join_needs_a_name_a_mailbox_and_the_terms() {
        let ok = validate_join(&JoinRequest {
            first_name: "Anna".into(),
            email: "A.nna@gmail.com".into(),
            consents: Consents { terms: true, marketing: true, ..Consents::default() },
            ..JoinRequest::default()
        })
        .unwrap();
        assert_eq!(ok.identity(), "anna@gmail.com");
        let errors = validate_join(&JoinRequest::default()).unwrap_err();
        let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![Field::FirstName, Field::Email, Field::Terms]);
    }

    #[test]
    fn a_conversion_is_normalised() {
        let c = validate_conversion(&conversion()).unwrap();
        assert_eq!(c.code.as_str(), "AB3DK9MZ");
        assert_eq!(c.identity, "benfriend@gmail.com");
        assert_eq!(c.currency.as_deref(), Some("EUR"));
        assert_eq!(c.amount.map(|a| a.minor()), Some(4990));
    }

    #[test]
    fn an_amount_must_fit_its_currency() {
        let with = |amount: &str, currency: Option<&str>| {
            validate_conversion(&ConversionRequest {
                amount: Some(amount.into()),
                currency: currency.map(String::from),
                ..conversion()
            })
            .map(|c| c.amount.map(|a| a.minor()))
            .map_err(|e| e.iter().map(|e| (e.field, e.code)).collect::<Vec<_>>())
        };
        assert_eq!(with("49.90", Some("EUR")), Ok(Some(4990)));
        assert_eq!(with("1000", Some("JPY")), Ok(Some(1000)));
        assert_eq!(with("49.999", Some("EUR")), Err(vec![(Field::Amount, FieldCode::AmountTooPrecise)]));
        assert_eq!(with("1e3", Some("EUR")), Err(vec![(Field::Amount, FieldCode::InvalidAmount)]));
        assert_eq!(with("49.90", None), Err(vec![(Field::Currency, FieldCode::Required)]));
    }

    #[test]
    fn every_bad_conversion_field_is_reported() {
        let bad = ConversionRequest {
            order_id: "".into(),
            email: "x".into(),
            referral_code: "0000".into(),
            amount: Some((-1.0).into()),
            currency: Some("EURO".into()),
            ..conversion()
        };
        let codes: Vec<(Field, FieldCode)> =
            validate_conversion(&bad).unwrap_err().iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            vec![
                (Field::OrderId, FieldCode::Required),
                (Field::Email, FieldCode::InvalidEmail),
                (Field::ReferralCode, FieldCode::InvalidReferralCode),
                (Field::Amount, FieldCode::InvalidAmount),
                (Field::Currency, FieldCode::InvalidCurrency),
            ]
        );
    }

    #[test]
    fn an_order_id_with_control_characters_or_over_128_characters_is_refused() {
        let control = ConversionRequest { order_id: "A\u{0}1".into(), ..conversion() };
        assert_eq!(validate_conversion(&control).unwrap_err()[0].code, FieldCode::InvalidCharacters);
        let long = ConversionRequest { order_id: "x".repeat(129), ..conversion() };
        assert_eq!(validate_conversion(&long).unwrap_err()[0].code, FieldCode::TooLong);
    }

    #[test]
    fn amount_and_currency_may_be_left_out() {
        let c = validate_conversion(&ConversionRequest { amount: None, currency: None, ..conversion() }).unwrap();
        assert_eq!((c.amount, c.currency), (None, None));
    }
}
