//! Start-up and wiring: the only place that sees the concrete backends.

pub mod demo;
pub mod secrets;
pub mod start;
pub mod wiring;
