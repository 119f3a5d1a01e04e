//! Vouch's backend-for-frontend, worker and operator commands.

pub mod backends;
pub mod campaigns;
pub mod clock;
pub mod config;
pub mod demo;
pub mod export;
pub mod facebook;
pub mod grant;
pub mod http;
pub mod janitor;
pub mod limiter;
pub mod mail;
pub mod page;
pub mod redact;
pub mod referrals;
pub mod secrets;
pub mod server;
pub mod submit;
pub mod upload_budget;
pub mod upload_id;
pub mod uploads;
pub mod webhooks;
pub mod worker;

#[cfg(test)]
mod parser_properties;
