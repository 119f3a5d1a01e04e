//! Vouch's shared domain: the validation rules both the widget (wasm) and the server apply, and the
//! JSON shapes of the public API. Nothing here does I/O, so every rule is testable as a plain function.

pub mod admin;
pub mod age;
pub mod analytics;
pub mod campaign;
pub mod codes;
pub mod consent;
pub mod conversion;
pub mod country;
pub mod draw;
pub mod duplicates;
pub mod eligibility;
pub mod email;
pub mod error_code;
pub mod field;
pub mod form;
pub mod form_markup;
pub mod funnel;
pub mod i18n;
pub mod idempotency;
pub mod moderation;
pub mod money;
pub mod name;
pub mod payouts;
pub mod phone;
pub mod postal;
pub mod referral;
pub mod retention;
pub mod rewards;
pub mod schedule;
pub mod upload;
pub mod wire;

pub use error_code::ErrorCode;
pub use field::{Field, FieldCode, FieldError};
