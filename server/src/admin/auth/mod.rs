//! Signing operators in and telling who is calling: sessions, CSRF, throttling, API tokens.

pub mod caller;
pub mod secrets;
pub mod session;
pub mod throttle;
