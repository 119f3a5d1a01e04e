//! The embedded backends: intake, queue, entry store and mail outbox in one SQLite database.

mod analytics;
mod codes;
mod consents;
mod control;
pub mod db;
mod draws;
mod entry_search;
mod intake;
mod ledger;
mod leftovers;
pub mod objects;
mod operators;
mod outbox;
mod payouts;
mod privacy;
mod queue;
mod receipts;
mod referrals;
mod retention;
mod retention_notes;
mod review;
mod store;

pub use codes::SqliteCodes;
pub use outbox::{OutboxMail, SqliteOutbox};
pub use queue::SqliteQueue;

use std::path::Path;

use db::{Db, DbError};

pub const SCHEMA: &str = include_str!("schema.sql");
/// Code pools (`codes.rs`), in a file of their own.
const CODES_SCHEMA: &str = include_str!("codes.sql");
/// Payouts by hand (`payouts.rs`).
const PAYOUTS_SCHEMA: &str = include_str!("payouts.sql");
/// Operators of the admin API (`operators.rs`).
const OPERATORS_SCHEMA: &str = include_str!("operators.sql");
/// The funnel's counters (`analytics.rs`).
const ANALYTICS_SCHEMA: &str = include_str!("analytics.sql");
/// Consent records (`consents.rs`).
const CONSENTS_SCHEMA: &str = include_str!("consents.sql");
/// The erasure log (`privacy.rs`).
const PRIVACY_SCHEMA: &str = include_str!("privacy.sql");
/// The retention sweeps' progress (`retention.rs`).
const RETENTION_SCHEMA: &str = include_str!("retention.sql");

/// Columns added to a table after it first shipped (`schema.sql` has them too, for new databases),
/// and the indexes on them.
const ADDED_COLUMNS: &[&str] = &[
    "ALTER TABLE credits ADD COLUMN from_browser INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE entries ADD COLUMN locale TEXT",
    "ALTER TABLE stat_sessions ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0",
    // The funnel's markers are forgotten oldest first (`analytics.rs`); after the column above.
    "CREATE INDEX IF NOT EXISTS stat_batches_by_age ON stat_batches (created_ms)",
    "CREATE INDEX IF NOT EXISTS stat_sessions_by_age ON stat_sessions (created_ms)",
];

/// The embedded intake and store share the database with the queue.
#[derive(Debug, Clone)]
pub struct SqliteBackend {
    db: Db,
    /// Hashes the person of an entry to check the erasure log when recording it; without one (a
    /// backend opened by a test of something else) no erasure is checked.
    erasure: Option<crate::backends::privacy::ErasureKey>,
}

impl SqliteBackend {
    pub fn open(path: &Path) -> Result<Self, DbError> {
        Ok(Self {
            db: Db::open(
                path,
                &format!("{SCHEMA}{CODES_SCHEMA}{PAYOUTS_SCHEMA}{OPERATORS_SCHEMA}{ANALYTICS_SCHEMA}{CONSENTS_SCHEMA}{PRIVACY_SCHEMA}{RETENTION_SCHEMA}"),
                ADDED_COLUMNS,
            )?,
            erasure: None,
        })
    }

    /// Checks the erasure log, under this key, before recording an entry.
    pub fn with_erasure_key(mut self, key: crate::backends::privacy::ErasureKey) -> Self {
        self.erasure = Some(key);
        self
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn queue(&self, topic: &str, max_attempts: u32) -> SqliteQueue {
        SqliteQueue::new(self.db.clone(), topic, max_attempts)
    }

    pub fn codes(&self, keys: crate::backends::codes::CodeKeys) -> SqliteCodes {
        SqliteCodes::new(self.db.clone(), keys)
    }

    pub fn outbox(&self) -> SqliteOutbox {
        SqliteOutbox::new(self.db.clone())
    }
}
