-- The retention sweep of each campaign (`retention.rs`): the step it is on and where in it, as
-- JSON, so a sweep killed midway resumes and a finished one is not run again.
CREATE TABLE IF NOT EXISTS retention_sweeps (
    campaign TEXT PRIMARY KEY,
    record   TEXT NOT NULL
) WITHOUT ROWID;
-- The sweep reads a campaign's consent records in pages.
CREATE INDEX IF NOT EXISTS consents_by_campaign ON consents (campaign, record_id);
-- And its credits.
CREATE INDEX IF NOT EXISTS credits_by_campaign ON credits (campaign, credit_id);
-- Anonymising a referrer deletes its progress tokens (by referrer, not by token).
CREATE INDEX IF NOT EXISTS referrer_tokens_by_referrer ON referrer_tokens (referrer_id);
-- And the reasons of its credits' changes, by credit.
CREATE INDEX IF NOT EXISTS credit_changes_by_credit ON credit_changes (credit_id);
