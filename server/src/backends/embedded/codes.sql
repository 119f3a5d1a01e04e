
-- Code pools. A code's row is keyed by the keyed hash of its text (never the text); the text is
-- sealed. `seq` orders a pool's codes by import; `owed_id` is set once, when the code is handed out.
CREATE TABLE IF NOT EXISTS codes (
    campaign    TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    pool        TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    code_id     TEXT    NOT NULL,
    sealed      BLOB    NOT NULL,
    owed_id     TEXT,
    assigned_ms INTEGER,
    PRIMARY KEY (campaign, hash)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS codes_by_seq ON codes (campaign, pool, seq);
CREATE UNIQUE INDEX IF NOT EXISTS codes_by_owed ON codes (campaign, pool, owed_id) WHERE owed_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS codes_available ON codes (campaign, pool, seq) WHERE owed_id IS NULL;
-- Owed items waiting for a code, in order of arrival.
CREATE TABLE IF NOT EXISTS code_waits (
    campaign   TEXT    NOT NULL,
    owed_id    TEXT    NOT NULL,
    pool       TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (campaign, pool, owed_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS code_waits_by_seq ON code_waits (campaign, pool, seq);
-- Waiting items a fill handed a code, until their code is delivered (a crash between the fill and
-- the mail must not lose the mail).
CREATE TABLE IF NOT EXISTS code_fills (
    campaign TEXT    NOT NULL,
    pool     TEXT    NOT NULL,
    owed_id  TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    code_id  TEXT    NOT NULL,
    PRIMARY KEY (campaign, pool, owed_id)
) WITHOUT ROWID;
