//! Vouch's backend-for-frontend, worker and operator commands, grouped by concern: `app` starts
//! and wires everything, `entries`, `uploads`, `referrals` and `pages` hold each concern's
//! decisions, `http` its routes, `worker` its queue handlers, and `backends` the storage traits
//! with their embedded (SQLite) and AWS implementations.

pub mod admin;
pub mod app;
pub mod backends;
pub mod campaigns;
pub mod clock;
pub mod codes;
pub mod config;
pub mod consents;
pub mod crypto;
pub mod draw;
pub mod entries;
pub mod funnel;
pub mod http;
pub mod limiter;
pub mod pages;
pub mod payouts;
pub mod privacy;
pub mod queues;
pub mod redact;
pub mod referrals;
pub mod review;
pub mod stats;
pub mod uploads;
pub mod worker;

#[cfg(test)]
mod parser_properties;
