-- Consent records (`consents.rs`): one row per consent given, looked up by mailbox identity.
CREATE TABLE IF NOT EXISTS consents (
    record_id    TEXT    PRIMARY KEY,
    identity     TEXT    NOT NULL,
    campaign     TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    given_ms     INTEGER NOT NULL,
    version      TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    locale       TEXT    NOT NULL,
    origin       TEXT,
    confirmed_ms INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS consents_by_identity ON consents (identity, campaign, given_ms, record_id);
