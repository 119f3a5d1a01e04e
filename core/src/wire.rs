//! JSON bodies of the public API (`shared/API.md`), shared by the server and the widget so the two
//! cannot drift apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::AmountInput;
use crate::{ErrorCode, FieldError};

/// The one error shape every route answers with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"content_type": "image/jpeg", "size": 482113})))]
pub struct UploadGrantRequest {
    pub content_type: String,
    pub size: u64,
}

/// A presigned POST: the browser sends `fields` plus the file (last) as multipart form data to `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadGrant {
    pub upload_id: String,
    pub method: String,
    pub url: String,
    pub fields: BTreeMap<String, String>,
    pub expires_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryFields {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub postal_code: String,
    /// `YYYY-MM-DD`, asked when the campaign has a `min_age` checked by date of birth. Left out of
    /// the JSON when empty, so the idempotency fingerprint of a form without it stays as it was.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date_of_birth: String,
    /// The postal address's country (ISO 3166-1 alpha-2), asked when the campaign has `countries`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Consents {
    #[serde(default)]
    pub terms: bool,
    #[serde(default)]
    pub marketing: bool,
    /// "I am at least {N} years old", when the campaign asks for its `min_age` that way.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub age_confirmed: bool,
    /// The page let Vouch keep the referral code in the browser (`vouch('consent', true)` where
    /// the merchant asks first). Left out when false, so older forms fingerprint as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub storage: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "fields": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "", "postal_code": "10115"},
    "consents": {"terms": true, "marketing": false},
    "receipt_upload_id": null,
    "referral_code": null
})))]
pub struct EntryRequest {
    #[serde(default)]
    pub fields: EntryFields,
    #[serde(default)]
    pub consents: Consents,
    #[serde(default)]
    pub receipt_upload_id: Option<String>,
    #[serde(default)]
    pub referral_code: Option<String>,
    /// The shopper's language (`de`), for the confirmation e-mail. Unknown languages mean English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Accepted,
    Confirmed,
    Rejected,
    /// Waiting for a person (moderation, or a duplicate receipt under `duplicates = "review"`).
    PendingReview,
    /// A person approved it after review.
    Approved,
}

impl EntryStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Accepted => "accepted",
            EntryStatus::Confirmed => "confirmed",
            EntryStatus::Rejected => "rejected",
            EntryStatus::PendingReview => "pending_review",
            EntryStatus::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Accepted, Self::Confirmed, Self::Rejected, Self::PendingReview, Self::Approved]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Why the worker refused an entry after it was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    ReceiptNotAnImage,
    ReceiptTooManyPixels,
    ReceiptUnreadable,
    ReceiptMissing,
    /// Another entry of the campaign sent the same receipt (the same file, or a near copy).
    ReceiptDuplicate,
    /// A reviewer found the receipt is from a store not taking part.
    ReceiptWrongStore,
    /// A reviewer found the receipt's date outside the campaign's.
    ReceiptOutsideDates,
    /// A reviewer rejected the entry for another reason (given in their note).
    ReviewOther,
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::i18n::reject_reason(*self, crate::i18n::Locale::En))
    }
}

impl std::error::Error for RejectReason {}

impl RejectReason {
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::ReceiptNotAnImage => "receipt_not_an_image",
            RejectReason::ReceiptTooManyPixels => "receipt_too_many_pixels",
            RejectReason::ReceiptUnreadable => "receipt_unreadable",
            RejectReason::ReceiptMissing => "receipt_missing",
            RejectReason::ReceiptDuplicate => "receipt_duplicate",
            RejectReason::ReceiptWrongStore => "receipt_wrong_store",
            RejectReason::ReceiptOutsideDates => "receipt_outside_dates",
            RejectReason::ReviewOther => "review_other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        use RejectReason::*;
        [
            ReceiptNotAnImage,
            ReceiptTooManyPixels,
            ReceiptUnreadable,
            ReceiptMissing,
            ReceiptDuplicate,
            ReceiptWrongStore,
            ReceiptOutsideDates,
            ReviewOther,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryAccepted {
    pub entry_id: String,
    pub status: EntryStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryStatusResponse {
    pub entry_id: String,
    pub status: EntryStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RejectReason>,
    /// The entry's code (the campaign's `entry` pool), once it is confirmed or approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The entry is owed a code but the pool is empty: it follows by e-mail.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub code_pending: bool,
}

/// `POST /v1/campaigns/{campaign}/referrers`: join as a referrer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"email": "sam@example.com", "first_name": "Sam", "consents": {"terms": true}})))]
#[serde(default)]
pub struct JoinRequest {
    pub first_name: String,
    pub email: String,
    pub consents: Consents,
    /// The language the form was shown in (`de`), for the consent records' words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JoinResponse {
    pub referral_code: String,
    pub share_url: String,
    pub friend_offer: String,
    pub reward: String,
    /// Lets this browser read the referrer's progress. Only handed out when the referrer is new;
    /// a repeat join (another device, or someone who knows the address) gets none.
    #[serde(default)]
    pub progress_token: Option<String>,
}

/// `GET …/referrers/{code}`: what a friend landing on a link sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferrerLanding {
    pub referral_code: String,
    pub first_name: String,
    pub friend_offer: String,
    /// The friend's code, when the campaign hands it out at landing (`?visitor=` asks for it; the
    /// same visitor gets the same code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friend_code: Option<String>,
    /// The friend's code waits for an import: it shows on a later visit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub friend_code_pending: bool,
}

/// `GET …/referrers/{code}/progress`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralProgress {
    pub referral_code: String,
    pub friends_joined: u64,
    pub conversions: u64,
    pub rewards_pending: u64,
    pub rewards_earned: u64,
    /// Extra draw entries earned from approved credits, when the campaign gives any; they count in
    /// the draw once the referrer has entered the giveaway with the same mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_entries: Option<u32>,
    /// The codes of the referrer's approved rewards (the campaign's `referrer` pool), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reward_codes: Vec<String>,
    /// Approved rewards whose code waits for an import; each follows by e-mail.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reward_codes_pending: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A friend's qualifying purchase, from the merchant's back end (`POST /v1/conversions`) or a
/// thank-you page (`POST /v1/campaigns/{campaign}/conversions`, where `campaign` is the path's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "campaign": "demo", "order_id": "A-1001", "email": "friend@example.com", "referral_code": "K7PQ2XWM",
    "amount": "49.90", "currency": "EUR"
})))]
#[serde(default)]
pub struct ConversionRequest {
    pub campaign: String,
    pub order_id: String,
    pub email: String,
    pub referral_code: String,
    /// A JSON number (`49.9`) or a decimal string (`"49.90"`) in `currency`; checked against the
    /// currency's minor digits by [`crate::conversion::validate_conversion`].
    pub amount: Option<AmountInput>,
    pub currency: Option<String>,
    /// The converting browser's own referrer token, if it has one (self-referral check).
    pub device_token: Option<String>,
}

/// What `POST …/conversions` answers: the report is durably queued for crediting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversionStatus {
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversionAccepted {
    pub conversion_id: String,
    pub status: ConversionStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_request_with_missing_parts_parses_to_empty_values() {
        let req: EntryRequest = serde_json::from_str(r#"{"fields":{"email":"a@b.co"}}"#).unwrap();
        assert_eq!(req.fields.email, "a@b.co");
        assert_eq!(req.fields.first_name, "");
        assert!(!req.consents.terms);
    }

    #[test]
    fn error_bodies_omit_fields_when_no_field_is_at_fault() {
        let body = ErrorBody { error: ErrorDetail { code: ErrorCode::NotFound, message: "x".into(), fields: vec![] } };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"error":{"code":"not_found","message":"x"}}"#);
    }

    #[test]
    fn reject_reasons_travel_as_their_codes() {
        let r = EntryStatusResponse {
            entry_id: "e".into(),
            status: EntryStatus::Rejected,
            reason: Some(RejectReason::ReceiptNotAnImage),
            code: None,
            code_pending: false,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"entry_id":"e","status":"rejected","reason":"receipt_not_an_image"}"#
        );
        assert_eq!(RejectReason::parse("receipt_not_an_image"), Some(RejectReason::ReceiptNotAnImage));
    }
}
