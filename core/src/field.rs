//! Form fields and the reasons one can be refused. The codes are part of the public API (see
//! `shared/API.md`): the server sends them, the widget renders the message.

use serde::{Deserialize, Serialize};

/// Every input the entry form has, named as in the API's `fields[].field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    FirstName,
    LastName,
    Email,
    Phone,
    PostalCode,
    Terms,
    Receipt,
    ContentType,
    Size,
    ReferralCode,
    OrderId,
    Amount,
    Currency,
    DateOfBirth,
    AgeConfirmation,
    Country,
}

impl Field {
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::PostalCode => "postal_code",
            Field::Terms => "terms",
            Field::Receipt => "receipt",
            Field::ContentType => "content_type",
            Field::Size => "size",
            Field::ReferralCode => "referral_code",
            Field::OrderId => "order_id",
            Field::Amount => "amount",
            Field::Currency => "currency",
            Field::DateOfBirth => "date_of_birth",
            Field::AgeConfirmation => "age_confirmation",
            Field::Country => "country",
        }
    }
}

/// Why a value was refused. `Display` is the English message; other languages come from
/// [`crate::i18n::field_code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    Required,
    TooLong,
    InvalidName,
    InvalidEmail,
    InvalidPhone,
    InvalidPostalCode,
    ConsentRequired,
    UnsupportedType,
    FileTooLarge,
    FileEmpty,
    ReceiptRequired,
    UploadNotFound,
    UploadExpired,
    InvalidReferralCode,
    InvalidAmount,
    InvalidCurrency,
    InvalidCharacters,
    UploadAlreadyUsed,
    AmountTooPrecise,
    AmountTooLarge,
    InvalidDate,
    DateInFuture,
    TooYoung,
    AgeConfirmationRequired,
    CountryNotEligible,
}

impl std::fmt::Display for FieldCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::i18n::field_code(*self, crate::i18n::Locale::En))
    }
}

impl std::error::Error for FieldCode {}

/// One refused field, as it travels in an error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: Field,
    pub code: FieldCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: Field, code: FieldCode) -> Self {
        Self::localized(field, code, crate::i18n::Locale::En)
    }

    pub fn localized(field: Field, code: FieldCode, locale: crate::i18n::Locale) -> Self {
        Self { field, code, message: crate::i18n::field_code(code, locale).to_string() }
    }
}
