//! Crash tests: the real `vouch` binary is killed with SIGKILL while clients are sending, then
//! restarted on the same data folder. Nothing that got a 2xx may be lost or doubled.

mod bonus;
mod codes;
mod consents;
mod conversions;
mod decisions;
mod entries;
mod erase;
mod events;
mod limit;
mod operators;
mod person;
mod process;
mod redrive;
mod retention;
