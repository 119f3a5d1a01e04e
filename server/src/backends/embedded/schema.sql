-- Idempotency records: one row per (campaign, Idempotency-Key), written in the same transaction
-- as the queue row, so a 202 always means "queued exactly once".
CREATE TABLE IF NOT EXISTS submissions (
    campaign    TEXT    NOT NULL,
    idem_key    TEXT    NOT NULL,
    body_hash   BLOB    NOT NULL,
    entry_id    TEXT    NOT NULL UNIQUE,
    -- The upload this submission claimed: the orphan sweep leaves it alone.
    receipt_key TEXT,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (campaign, idem_key)
) WITHOUT ROWID;
-- Partial: most entries have no receipt, and NULL keys would still cost an index insert each.
DROP INDEX IF EXISTS submissions_by_receipt;
CREATE INDEX IF NOT EXISTS submissions_receipts ON submissions (receipt_key) WHERE receipt_key IS NOT NULL;

-- Uploads the orphan sweep is deleting or deleted: written in the sweep's transaction before the
-- file goes, so an entry racing the sweep is refused instead of accepted without its receipt.
CREATE TABLE IF NOT EXISTS swept_uploads (
    receipt_key TEXT    PRIMARY KEY,
    swept_ms    INTEGER NOT NULL
) WITHOUT ROWID;

-- Entries per person (normalised mailbox) and period, for campaigns that limit them: counted in
-- the intake's transaction, so concurrent entries cannot pass the limit together.
CREATE TABLE IF NOT EXISTS entry_counts (
    campaign TEXT    NOT NULL,
    identity TEXT    NOT NULL,
    period   TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (campaign, identity, period)
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

-- Operator switches: a paused queue is not drained until it is resumed.
CREATE TABLE IF NOT EXISTS queue_control (
    topic  TEXT    PRIMARY KEY,
    paused INTEGER NOT NULL
);

-- Entries as the worker decided them; the keys make a redelivered message a no-op.
CREATE TABLE IF NOT EXISTS entries (
    entry_id          TEXT    PRIMARY KEY,
    campaign          TEXT    NOT NULL,
    idem_key          TEXT    NOT NULL,
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
    processed_ms      INTEGER NOT NULL,
    locale            TEXT,
    UNIQUE (campaign, idem_key)
);
-- The console's search, newest first by (accepted_ms, entry_id): every filter has an index that
-- reads only the page it answers. Names and e-mails are compared folded (see entry_search.rs).
DROP INDEX IF EXISTS entries_by_campaign;
CREATE INDEX IF NOT EXISTS entries_by_time ON entries (campaign, accepted_ms, entry_id);
CREATE INDEX IF NOT EXISTS entries_by_status ON entries (campaign, status, accepted_ms, entry_id);
CREATE INDEX IF NOT EXISTS entries_by_email ON entries (campaign, lower(email), accepted_ms, entry_id);
CREATE INDEX IF NOT EXISTS entries_by_first_name ON entries (campaign, first_name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS entries_by_last_name ON entries (campaign, last_name COLLATE NOCASE);

-- Outgoing mail; `dedup_key` makes sending a mail twice impossible.
CREATE TABLE IF NOT EXISTS outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key   TEXT    NOT NULL UNIQUE,
    to_addr     TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);

-- Referral program ------------------------------------------------------------------------------

-- One referrer per mailbox identity (see core::referral::identity_email) per campaign.
CREATE TABLE IF NOT EXISTS referrers (
    referrer_id       TEXT    PRIMARY KEY,
    campaign          TEXT    NOT NULL,
    code              TEXT    NOT NULL,
    identity          TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    first_name        TEXT    NOT NULL,
    marketing_consent INTEGER NOT NULL,
    join_client       TEXT    NOT NULL,
    join_flagged      INTEGER NOT NULL,
    created_ms        INTEGER NOT NULL,
    UNIQUE (campaign, identity),
    UNIQUE (campaign, code)
);
CREATE INDEX IF NOT EXISTS referrers_by_code ON referrers (code);
CREATE INDEX IF NOT EXISTS referrers_by_client ON referrers (campaign, join_client, created_ms);

-- Progress tokens, stored as SHA-256 so a database leak does not hand them out.
CREATE TABLE IF NOT EXISTS referrer_tokens (
    token_hash  TEXT    PRIMARY KEY,
    referrer_id TEXT    NOT NULL REFERENCES referrers (referrer_id),
    created_ms  INTEGER NOT NULL
);

-- Distinct friend devices that landed on a referrer's link.
CREATE TABLE IF NOT EXISTS referral_visits (
    referrer_id  TEXT    NOT NULL,
    visitor_hash TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    PRIMARY KEY (referrer_id, visitor_hash)
) WITHOUT ROWID;

-- Conversions the merchant's back end reported, idempotent by (campaign, order_id).
CREATE TABLE IF NOT EXISTS conversions (
    conversion_id   TEXT    NOT NULL UNIQUE,
    campaign        TEXT    NOT NULL,
    order_id        TEXT    NOT NULL,
    body_hash       BLOB    NOT NULL,
    code            TEXT    NOT NULL,
    client          TEXT    NOT NULL,
    created_ms      INTEGER NOT NULL,
    PRIMARY KEY (campaign, order_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversions_by_code ON conversions (code, created_ms);
CREATE INDEX IF NOT EXISTS conversions_by_client ON conversions (campaign, client, created_ms);
-- Conversions a shopper's browser reported (unverified), under a key of their own so that they
-- never block the merchant's authoritative report of the same order.
CREATE TABLE IF NOT EXISTS browser_conversions (
    conversion_id   TEXT    NOT NULL UNIQUE,
    campaign        TEXT    NOT NULL,
    order_id        TEXT    NOT NULL,
    body_hash       BLOB    NOT NULL,
    code            TEXT    NOT NULL,
    client          TEXT    NOT NULL,
    created_ms      INTEGER NOT NULL,
    PRIMARY KEY (campaign, order_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS browser_conversions_by_code ON browser_conversions (code, created_ms);
CREATE INDEX IF NOT EXISTS browser_conversions_by_client ON browser_conversions (campaign, client, created_ms);

-- The rewards ledger: one credit per (conversion, side), inserted once; its state only moves
-- pending → approved | denied, and every move is appended to credit_changes.
CREATE TABLE IF NOT EXISTS credits (
    credit_id     TEXT    PRIMARY KEY,
    conversion_id TEXT    NOT NULL,
    side          TEXT    NOT NULL,
    campaign      TEXT    NOT NULL,
    referrer_id   TEXT    NOT NULL,
    recipient     TEXT    NOT NULL,
    reward        TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    reason        TEXT,
    created_ms    INTEGER NOT NULL,
    from_browser  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (conversion_id, side)
);
CREATE INDEX IF NOT EXISTS credits_by_referrer ON credits (referrer_id);
CREATE TABLE IF NOT EXISTS credit_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    credit_id  TEXT    NOT NULL REFERENCES credits (credit_id),
    state      TEXT    NOT NULL,
    reason     TEXT,
    actor      TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
);

-- Merchant secrets (for POST /v1/conversions), stored as SHA-256; webhook signing secrets.
CREATE TABLE IF NOT EXISTS merchant_secrets (
    campaign    TEXT    NOT NULL,
    secret_hash TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (campaign, secret_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webhook_secrets (
    campaign   TEXT    PRIMARY KEY,
    secret     TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
);

-- Receipt fingerprints (duplicate receipts). One entry per exact receipt (SHA-256 of the stored
-- bytes) per campaign: the primary key makes the claim race-free.
CREATE TABLE IF NOT EXISTS receipt_exact (
    campaign TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (campaign, sha256)
) WITHOUT ROWID;
-- Perceptual hashes by band (see vouch_core::duplicates): a lookup reads a few bands, never the
-- whole campaign. `hash` is the 64-bit hash's bits as a signed integer.
CREATE TABLE IF NOT EXISTS receipt_bands (
    campaign    TEXT    NOT NULL,
    band        TEXT    NOT NULL,
    entry_id    TEXT    NOT NULL,
    hash        INTEGER NOT NULL,
    accepted_ms INTEGER NOT NULL,
    PRIMARY KEY (campaign, band, entry_id)
) WITHOUT ROWID;

-- Entries waiting for a person: why, and the shopper's language for the outcome's e-mail.
CREATE TABLE IF NOT EXISTS review_cases (
    campaign     TEXT    NOT NULL,
    entry_id     TEXT    NOT NULL,
    locale       TEXT    NOT NULL,
    signals      TEXT    NOT NULL,
    duplicate_of TEXT,
    opened_ms    INTEGER NOT NULL,
    PRIMARY KEY (campaign, entry_id)
) WITHOUT ROWID;

-- Who did what, when and why: written in the same transaction as the change it records.
CREATE TABLE IF NOT EXISTS audit_log (
    id       TEXT    PRIMARY KEY,
    campaign TEXT    NOT NULL,
    at_ms    INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    subject  TEXT    NOT NULL,
    detail   TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_by_campaign ON audit_log (campaign, at_ms, id);
-- Prize draws, each written once as a JSON record (inputs, seed, outcome, forfeits). The
-- (campaign, sequence) key makes two racing draws of one campaign commit one at a time.
CREATE TABLE IF NOT EXISTS draws (
    draw_id    TEXT    PRIMARY KEY,
    campaign   TEXT    NOT NULL,
    sequence   INTEGER NOT NULL,
    record     TEXT    NOT NULL,
    UNIQUE (campaign, sequence)
);
