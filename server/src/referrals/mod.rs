//! The referral program: its decisions (join, landing, progress, conversions, verdicts) and the
//! webhook events it announces them with.

pub mod bonus;
pub mod decisions;
pub mod webhooks;
