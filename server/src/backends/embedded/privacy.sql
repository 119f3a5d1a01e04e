-- The erasure log (`privacy.rs`): when, by whom and in which campaign ('*': all) a mailbox
-- identity was erased, by its keyed hash (`tag`), never the address. It is also the tombstone:
-- the worker does not record an entry of a tag accepted at or before an erasure of it.
CREATE TABLE IF NOT EXISTS erasures (
    id       TEXT    PRIMARY KEY,
    tag      TEXT    NOT NULL,
    campaign TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    at_ms    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS erasures_by_tag ON erasures (tag, campaign, at_ms);
