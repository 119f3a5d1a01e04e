//! Form fields and the reasons one can be refused. The codes are part of the public API (see
//! `shared/API.md`): the server sends them, the widget renders the message.

use serde::{Deserialize, Serialize};

/// Every input the entry form has, named as in the API's `fields[].field`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
        }
    }
}

/// Why a value was refused. `Display` is the English message shown to shoppers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum FieldCode {
    #[error("This field is required.")]
    Required,
    #[error("This is too long.")]
    TooLong,
    #[error("Please use letters only (spaces, hyphens and apostrophes are fine).")]
    InvalidName,
    #[error("Please enter a valid e-mail address, like name@example.com.")]
    InvalidEmail,
    #[error("Please enter a valid phone number (7 to 15 digits, an optional leading +).")]
    InvalidPhone,
    #[error("Please enter a valid postal code.")]
    InvalidPostalCode,
    #[error("Please accept the terms to take part.")]
    ConsentRequired,
    #[error("Please choose a JPEG, PNG or WebP photo.")]
    UnsupportedType,
    #[error("This file is too large.")]
    FileTooLarge,
    #[error("This file is empty.")]
    FileEmpty,
    #[error("Please upload a photo of your receipt.")]
    ReceiptRequired,
    #[error("The receipt upload was not found; please upload it again.")]
    UploadNotFound,
    #[error("The receipt upload has expired; please upload it again.")]
    UploadExpired,
    #[error("This referral code is not valid.")]
    InvalidReferralCode,
    #[error("The amount must be a number of zero or more.")]
    InvalidAmount,
    #[error("The currency must be a three-letter ISO 4217 code, like EUR.")]
    InvalidCurrency,
    #[error("This contains characters that are not allowed.")]
    InvalidCharacters,
}

/// One refused field, as it travels in an error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub code: FieldCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: Field, code: FieldCode) -> Self {
        Self { field, code, message: code.to_string() }
    }
}
