
-- The funnel (`analytics.rs`): counters per campaign, UTC day, event and detail (a share's
-- channel, a rejection's reason, a credit's side; '' for none).
CREATE TABLE IF NOT EXISTS stat_counters (
    campaign TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    event    TEXT    NOT NULL,
    detail   TEXT    NOT NULL,
    events   INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    PRIMARY KEY (campaign, day, event, detail)
) WITHOUT ROWID;
-- Batches counted: a redelivered batch finds its id here and counts nothing.
CREATE TABLE IF NOT EXISTS stat_batches (
    campaign   TEXT    NOT NULL,
    batch_id   TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (campaign, batch_id)
) WITHOUT ROWID;
-- Sessions counted per counter: a session counts once per campaign, day, event and detail.
-- Both kinds of marker are forgotten after `MARKER_KEEP_MS` (by `created_ms`, indexed in
-- `mod.rs`, after the column is added to older databases).
CREATE TABLE IF NOT EXISTS stat_sessions (
    campaign   TEXT    NOT NULL,
    day        TEXT    NOT NULL,
    event      TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    session    TEXT    NOT NULL,
    created_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, day, event, detail, session)
) WITHOUT ROWID;
