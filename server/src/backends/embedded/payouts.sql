-- Payouts by hand: one row per paid credit, written once (the first payout stands).
CREATE TABLE IF NOT EXISTS payouts (
    credit_id TEXT    PRIMARY KEY REFERENCES credits (credit_id),
    campaign  TEXT    NOT NULL,
    reference TEXT    NOT NULL,
    paid_by   TEXT    NOT NULL,
    paid_ms   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS payouts_by_campaign ON payouts (campaign);
