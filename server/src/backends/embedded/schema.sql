-- Idempotency records: one row per (campaign, Idempotency-Key), written in the same transaction
-- as the queue row, so a 202 always means "queued exactly once".
CREATE TABLE IF NOT EXISTS submissions (
    campaign    TEXT    NOT NULL,
    idem_key    TEXT    NOT NULL,
    body_hash   BLOB    NOT NULL,
    entry_id    TEXT    NOT NULL UNIQUE,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (campaign, idem_key)
) WITHOUT ROWID;

-- A durable queue: `visible_ms` hides a message while a worker holds it; `attempts` counts
-- deliveries; `dead` messages wait for an operator.
CREATE TABLE IF NOT EXISTS queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    topic       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    visible_ms  INTEGER NOT NULL,
    dead        INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_ready ON queue (topic, dead, visible_ms);

-- Entries as the worker decided them; the primary key makes a redelivered message a no-op.
CREATE TABLE IF NOT EXISTS entries (
    entry_id          TEXT    PRIMARY KEY,
    campaign          TEXT    NOT NULL,
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    phone             TEXT,
    postal_code       TEXT,
    marketing_consent INTEGER NOT NULL,
    referral_code     TEXT,
    receipt_key       TEXT,
    status            TEXT    NOT NULL,
    reason            TEXT,
    accepted_ms       INTEGER NOT NULL,
    processed_ms      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_campaign ON entries (campaign, accepted_ms);

-- Outgoing mail; `dedup_key` makes sending a mail twice impossible.
CREATE TABLE IF NOT EXISTS outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key   TEXT    NOT NULL UNIQUE,
    to_addr     TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);
