#![allow(unreachable_pub)] // test helpers are `pub` for the sibling modules

//! Black-box tests of the BFF and worker over real HTTP, a real SQLite file and the in-process S3
//! store. Each test gets its own server on port 0 and its own data folder.

#[path = "../support/photos.rs"]
mod photos;
#[path = "../support/mod.rs"]
mod support;

mod admin_auth;
mod admin_campaigns;
mod admin_draws;
mod admin_entries;
mod admin_helpers;
mod admin_moderation;
mod admin_queues;
mod admin_rewards;
mod admin_shoppers;
mod admin_spec;
mod admin_stats;
mod amounts;
mod aws;
mod bonus;
mod cli;
mod code_pools;
mod consents;
mod console;
mod dead_letters;
mod draw;
mod draw_pool;
mod duplicates;
mod eligibility;
mod entrant_conditions;
mod entries;
mod entry_search;
mod erase_leftovers;
mod events;
mod first_paint;
mod fixtures;
mod fulfilment;
mod funnel;
mod funnel_priority;
mod helpers;
mod landing_codes;
mod logs;
mod moderation;
mod network;
mod openapi;
mod order_sources;
mod outage;
mod pages;
mod payouts;
mod protection;
mod proxy;
mod public;
mod redelivery;
mod referral_fraud;
mod referrals;
mod retention;
mod schedule;
mod shopper_privacy;
mod unknown_outcome;
mod uploads;
mod webhook_targets;
mod worker;
