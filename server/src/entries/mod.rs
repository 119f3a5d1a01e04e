//! Giveaway entries: taking one in, the confirmation mail, and the operator's search and export.

pub mod cli;
pub mod export;
pub mod mail;
pub mod search;
pub mod submit;
