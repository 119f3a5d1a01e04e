//! Consent records and the marketing double opt-in: what the accept path writes into the entry
//! message, what the worker stores and mails, the confirmation link, and the read by mailbox that
//! the export, the admin API and the console use.

pub mod optin;
pub mod records;

pub use records::{consents_of_mailbox, MailboxConsent};
