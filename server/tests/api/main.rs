#![allow(unreachable_pub)] // test helpers are `pub` for the sibling modules

//! Black-box tests of the BFF and worker over real HTTP, a real SQLite file and the in-process S3
//! store. Each test gets its own server on port 0 and its own data folder.

#[path = "../support/mod.rs"]
mod support;

mod amounts;
mod aws;
mod entries;
mod helpers;
mod outage;
mod pages;
mod protection;
mod public;
mod referrals;
mod uploads;
mod worker;
