//! Giveaway entries: taking one in, the confirmation mail, and the operator's export.

pub mod export;
pub mod mail;
pub mod submit;
