-- Operators of the admin API (`operators.rs`). Sessions and tokens are kept by their SHA-256.
CREATE TABLE IF NOT EXISTS operators (
    email         TEXT    PRIMARY KEY,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    campaigns     TEXT    NOT NULL,
    created_ms    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS operator_sessions (
    id_hash      TEXT    PRIMARY KEY,
    email        TEXT    NOT NULL REFERENCES operators (email) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS operator_sessions_by_email ON operator_sessions (email);
CREATE TABLE IF NOT EXISTS api_tokens (
    name       TEXT    PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,
    role       TEXT    NOT NULL,
    campaigns  TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS login_failures (
    key      TEXT    PRIMARY KEY,
    count    INTEGER NOT NULL,
    since_ms INTEGER NOT NULL
) WITHOUT ROWID;
