//! The giveaway entry form: which fields a campaign asks for, and the one function that decides
//! whether a filled form is acceptable. The widget calls [`validate_field`] as the shopper types;
//! the server calls [`validate_entry`] on every submission.

use serde::{Deserialize, Serialize};

use crate::age::{check_date_of_birth, AgeCheck, CivilDate};
use crate::country::{check_country, Country};
use crate::email::Email;
use crate::i18n::Locale;
use crate::name::PersonName;
use crate::phone::Phone;
use crate::postal::{PostalCode, PostalCountry};
use crate::referral::ReferralCode;
use crate::upload::UploadLimits;
use crate::wire::EntryRequest;
use crate::{Field, FieldCode, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    #[default]
    Required,
    Optional,
    Hidden,
}

/// A campaign's form settings, public (they ship to the widget).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FormRules {
    pub phone: Requirement,
    pub postal_code: Requirement,
    pub postal_country: PostalCountry,
    pub upload: UploadLimits,
    /// Entrants must be at least this old on the day of entry; asked as `age_check` says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u8>,
    pub age_check: AgeCheck,
    /// The postal countries (ISO 3166-1 alpha-2) that may enter; empty: every country.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub countries: Vec<Country>,
}

impl FormRules {
    pub fn requirement(&self, field: Field) -> Requirement {
        match field {
            Field::Phone => self.phone,
            Field::PostalCode => self.postal_code,
            Field::Receipt if !self.upload.required => Requirement::Optional,
            Field::DateOfBirth if self.min_age.is_none() || self.age_check != AgeCheck::DateOfBirth => {
                Requirement::Hidden
            }
            Field::AgeConfirmation if self.min_age.is_none() || self.age_check != AgeCheck::Confirmation => {
                Requirement::Hidden
            }
            Field::Country if self.countries.is_empty() => Requirement::Hidden,
            _ => Requirement::Required,
        }
    }
}

/// Who entered, normalised: what is stored and exported of an entry, from the queue message to
/// the entries table. Plain strings, not the parsed newtypes: those are the proof that a value
/// passed its rule at the door, and a stored entry must read back even after a rule has changed
/// (a postal code's rule even depends on the campaign's country).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entrant {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postal_code: Option<String>,
    pub marketing_consent: bool,
    pub referral_code: Option<String>,
}

/// A form that passed every rule, normalised. Flattened, so the queue message keeps the shape it
/// had when these fields were written out here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidEntry {
    #[serde(flatten)]
    pub entrant: Entrant,
    pub receipt_upload_id: Option<String>,
    /// The language the confirmation is written in (entries queued before there was one: English).
    #[serde(default)]
    pub locale: Locale,
}

/// Checks one text field. `Ok(None)` means an optional field left empty.
pub fn validate_field(field: Field, value: &str, rules: &FormRules) -> Result<Option<String>, FieldCode> {
    let requirement = rules.requirement(field);
    if requirement == Requirement::Hidden || (requirement == Requirement::Optional && value.trim().is_empty()) {
        return Ok(None);
    }
    let normalised = match field {
        Field::FirstName | Field::LastName => PersonName::parse(value)?.into_inner(),
        Field::Email => Email::parse(value)?.into_inner(),
        Field::Phone => Phone::parse(value)?.into_inner(),
        Field::PostalCode => PostalCode::parse(value, rules.postal_country)?.into_inner(),
        Field::Receipt if value.trim().is_empty() => return Err(FieldCode::ReceiptRequired),
        // The format only: the age needs the day of entry, which [`check_eligibility`] is given.
        Field::DateOfBirth => CivilDate::parse(value).map(|_| value.trim().to_string())?,
        Field::Country => check_country(value, &rules.countries)?.map_or_else(String::new, |c| c.as_str().into()),
        _ => value.trim().to_string(),
    };
    Ok(Some(normalised))
}

/// Checks a whole submission and reports every refused field at once.
pub fn validate_entry(req: &EntryRequest, rules: &FormRules) -> Result<ValidEntry, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut check = |field: Field, value: &str| match validate_field(field, value, rules) {
        Ok(v) => v,
        Err(code) => {
            errors.push(FieldError::new(field, code));
            None
        }
    };
    let f = &req.fields;
    let first_name = check(Field::FirstName, &f.first_name);
    let last_name = check(Field::LastName, &f.last_name);
    let email = check(Field::Email, &f.email);
    let phone = check(Field::Phone, &f.phone);
    let postal_code = check(Field::PostalCode, &f.postal_code);
    let receipt = check(Field::Receipt, req.receipt_upload_id.as_deref().unwrap_or(""));
    if !req.consents.terms {
        errors.push(FieldError::new(Field::Terms, FieldCode::ConsentRequired));
    }
    // The code is optional, but what is given must be a code: it is stored and exported as is.
    let referral_code = match req.referral_code.as_deref().filter(|c| !c.trim().is_empty()) {
        None => None,
        Some(code) => ReferralCode::parse(code)
            .map(|c| c.as_str().to_string())
            .map_err(|c| errors.push(FieldError::new(Field::ReferralCode, c)))
            .ok(),
    };
    match (first_name, last_name, email) {
        (Some(first_name), Some(last_name), Some(email)) if errors.is_empty() => Ok(ValidEntry {
            entrant: Entrant {
                first_name,
                last_name,
                email,
                phone,
                postal_code,
                marketing_consent: req.consents.marketing,
                referral_code,
            },
            receipt_upload_id: receipt,
            locale: req.locale.as_deref().and_then(Locale::parse).unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

/// The campaign's entrant conditions: the minimum age on `today` (the day of entry, UTC) and the
/// allowed countries. Apart from [`validate_entry`] because only the caller knows the day.
pub fn check_eligibility(req: &EntryRequest, rules: &FormRules, today: CivilDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(min_age) = rules.min_age {
        let checked = match rules.age_check {
            AgeCheck::DateOfBirth => check_date_of_birth(&req.fields.date_of_birth, min_age, today)
                .map(drop)
                .map_err(|c| (Field::DateOfBirth, c)),
            AgeCheck::Confirmation if req.consents.age_confirmed => Ok(()),
            AgeCheck::Confirmation => Err((Field::AgeConfirmation, FieldCode::AgeConfirmationRequired)),
        };
        if let Err((field, code)) = checked {
            errors.push(FieldError::new(field, code));
        }
    }
    if let Err(code) = check_country(&req.fields.country, &rules.countries) {
        errors.push(FieldError::new(Field::Country, code));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Consents, EntryFields};

    fn request() -> EntryRequest {
        EntryRequest {
            fields: EntryFields {
                first_name: "Anna".into(),
                last_name: "Müller".into(),
                email: "Anna@Example.com".into(),
                phone: "+49 30 1234567".into(),
                postal_code: "10115".into(),
                ..EntryFields::default()
            },
            consents: Consents { terms: true, ..Consents::default() },
            receipt_upload_id: Some("up_1".into()),
            referral_code: None,
            locale: Some("de-AT".into()),
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(Field, FieldCode)> {
        errors.iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_complete_form_is_accepted_and_normalised() {
        let entry = validate_entry(&request(), &FormRules::default()).unwrap();
        assert_eq!(entry.entrant.email, "Anna@example.com");
        assert_eq!(entry.entrant.phone.as_deref(), Some("+49301234567"));
        assert_eq!(entry.locale, Locale::De, "de-AT is written in German");
        let unknown = EntryRequest { locale: Some("klingon".into()), ..request() };
        assert_eq!(validate_entry(&unknown, &FormRules::default()).unwrap().locale, Locale::En);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut req = request();
        req.fields.email = "nope".into();
        req.fields.first_name = "".into();
        req.consents.terms = false;
        let errors = validate_entry(&req, &FormRules::default()).unwrap_err();
        assert_eq!(
            codes(&errors),
            vec![
                (Field::FirstName, FieldCode::Required),
                (Field::Email, FieldCode::InvalidEmail),
                (Field::Terms, FieldCode::ConsentRequired)
            ]
        );
        assert_eq!(errors[1].message, FieldCode::InvalidEmail.to_string());
    }

    #[test]
    fn an_optional_phone_may_be_left_empty_but_not_filled_wrong() {
        let rules = FormRules { phone: Requirement::Optional, ..FormRules::default() };
        let mut req = request();
        req.fields.phone = " ".into();
        assert_eq!(validate_entry(&req, &rules).unwrap().entrant.phone, None);
        req.fields.phone = "12".into();
        assert_eq!(codes(&validate_entry(&req, &rules).unwrap_err()), vec![(Field::Phone, FieldCode::InvalidPhone)]);
    }

    #[test]
    fn a_hidden_field_is_ignored_whatever_it_holds() {
        let rules = FormRules { postal_code: Requirement::Hidden, ..FormRules::default() };
        let mut req = request();
        req.fields.postal_code = "<junk>".into();
        assert_eq!(validate_entry(&req, &rules).unwrap().entrant.postal_code, None);
    }

    #[test]
    fn a_missing_receipt_is_refused_when_the_campaign_requires_one() {
        let mut req = request();
        req.receipt_upload_id = None;
        assert_eq!(
            codes(&validate_entry(&req, &FormRules::default()).unwrap_err()),
            vec![(Field::Receipt, FieldCode::ReceiptRequired)]
        );
        let optional =
            FormRules { upload: UploadLimits { required: false, ..UploadLimits::default() }, ..FormRules::default() };
        assert_eq!(validate_entry(&req, &optional).unwrap().receipt_upload_id, None);
    }

    #[test]
    fn a_referral_code_is_normalised_and_anything_else_there_is_refused() {
        let with = |code: &str| {
            validate_entry(&EntryRequest { referral_code: Some(code.into()), ..request() }, &FormRules::default())
        };
        assert_eq!(with(" ab3dk9mz ").unwrap().entrant.referral_code.as_deref(), Some("AB3DK9MZ"));
        assert_eq!(with("  ").unwrap().entrant.referral_code, None);
        for bad in ["=1+2", "@SUM(A1)", "-AB3DK9M", "AB3DK9MZ+"] {
            let errors = with(bad).unwrap_err();
            assert_eq!(codes(&errors), vec![(Field::ReferralCode, FieldCode::InvalidReferralCode)], "{bad}");
            assert_eq!(errors[0].message, FieldCode::InvalidReferralCode.to_string());
        }
    }

    #[test]
    fn an_entry_keeps_its_flat_queue_shape_and_reads_what_older_code_wrote() {
        let entry = validate_entry(&request(), &FormRules::default()).unwrap();
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["first_name"], "Anna");
        assert_eq!(json["receipt_upload_id"], "up_1");
        assert!(json.get("entrant").is_none());
        let old = r#"{"first_name":"Anna","last_name":"Müller","email":"a@example.com","phone":null,
            "postal_code":"10115","marketing_consent":true,"receipt_upload_id":null,"referral_code":null}"#;
        let read: ValidEntry = serde_json::from_str(old).unwrap();
        assert_eq!((read.entrant.postal_code.as_deref(), read.locale), (Some("10115"), Locale::En));
        assert!(read.entrant.marketing_consent);
    }

    #[test]
    fn the_postal_code_follows_the_campaign_country() {
        let rules = FormRules { postal_country: PostalCountry::Us, ..FormRules::default() };
        let mut req = request();
        req.fields.postal_code = "1011".into();
        assert_eq!(
            codes(&validate_entry(&req, &rules).unwrap_err()),
            vec![(Field::PostalCode, FieldCode::InvalidPostalCode)]
        );
    }

    fn today() -> CivilDate {
        CivilDate::parse("2026-11-30").unwrap()
    }

    #[test]
    fn a_campaign_without_conditions_asks_for_no_age_or_country() {
        let rules = FormRules::default();
        assert!(check_eligibility(&request(), &rules, today()).is_empty());
        for field in [Field::DateOfBirth, Field::AgeConfirmation, Field::Country] {
            assert_eq!(rules.requirement(field), Requirement::Hidden);
        }
    }

    #[test]
    fn a_date_of_birth_must_show_the_minimum_age_on_the_day_of_entry() {
        let rules = FormRules { min_age: Some(18), ..FormRules::default() };
        assert_eq!(rules.requirement(Field::DateOfBirth), Requirement::Required);
        assert_eq!(rules.requirement(Field::AgeConfirmation), Requirement::Hidden);
        let with = |dob: &str| {
            let mut req = request();
            req.fields.date_of_birth = dob.into();
            codes(&check_eligibility(&req, &rules, today()))
        };
        assert_eq!(with("2008-11-30"), vec![]);
        assert_eq!(with("2008-12-01"), vec![(Field::DateOfBirth, FieldCode::TooYoung)]);
        assert_eq!(with(""), vec![(Field::DateOfBirth, FieldCode::Required)]);
        assert_eq!(with("2008-02-30"), vec![(Field::DateOfBirth, FieldCode::InvalidDate)]);
        assert_eq!(with("2027-01-01"), vec![(Field::DateOfBirth, FieldCode::DateInFuture)]);
        assert_eq!(validate_field(Field::DateOfBirth, "2008-02-30", &rules), Err(FieldCode::InvalidDate));
    }

    #[test]
    fn an_age_confirmation_must_be_ticked() {
        let rules = FormRules { min_age: Some(21), age_check: AgeCheck::Confirmation, ..FormRules::default() };
        assert_eq!(rules.requirement(Field::DateOfBirth), Requirement::Hidden);
        let mut req = request();
        assert_eq!(
            codes(&check_eligibility(&req, &rules, today())),
            vec![(Field::AgeConfirmation, FieldCode::AgeConfirmationRequired)]
        );
        req.consents.age_confirmed = true;
        assert!(check_eligibility(&req, &rules, today()).is_empty());
    }

    #[test]
    fn the_postal_country_must_be_on_the_campaign_list() {
        let countries = ["DE", "AT"].iter().filter_map(|c| Country::parse(c)).collect();
        let rules = FormRules { countries, ..FormRules::default() };
        let mut req = request();
        req.fields.country = "at".into();
        assert!(check_eligibility(&req, &rules, today()).is_empty());
        assert_eq!(validate_field(Field::Country, "at", &rules), Ok(Some("AT".into())));
        req.fields.country = "CH".into();
        assert_eq!(
            codes(&check_eligibility(&req, &rules, today())),
            vec![(Field::Country, FieldCode::CountryNotEligible)]
        );
    }

    #[test]
    fn new_fields_left_empty_keep_the_old_request_shape() {
        let json = serde_json::to_value(request()).unwrap();
        assert!(json["fields"].get("date_of_birth").is_none() && json["fields"].get("country").is_none());
        assert!(json["consents"].get("age_confirmed").is_none());
    }
}
