//! Store-level fixtures: a join and a submission as the stores receive them, for tests that call
//! a backend directly instead of going through HTTP.

use vouch_core::form::ValidEntry;
use vouch_server::backends::referrals::{NewReferrer, Referrer};
use vouch_server::backends::{EntryMessage, Submission};

/// A join as the store sees it, for the demo campaign: referrer `id` with `code` and mailbox `email`,
/// from one client, no webhook, flagged only past 100 joins an hour.
pub fn new_referrer(id: &str, code: &str, email: &str) -> NewReferrer {
    NewReferrer {
        referrer: Referrer {
            referrer_id: id.into(),
            campaign: "demo".into(),
            code: code.into(),
            email: email.into(),
            identity: email.into(),
            first_name: "R".into(),
            join_flagged: false,
            created_at_ms: vouch_server::clock::now_ms(),
        },
        marketing_consent: false,
        client: "203.0.113.9".into(),
        token_hash: format!("token-{id}"),
        joins_per_client_per_hour: 100,
        webhook: None,
    }
}

/// A submission as the intake gets it, citing the upload at `receipt_key` if any.
pub fn submission(campaign: &str, key: &str, receipt_key: Option<&str>) -> Submission {
    let entry = ValidEntry {
        entrant: crate::support::entrant(),
        receipt_upload_id: None,
        locale: vouch_core::i18n::Locale::En,
    };
    let entry_id = format!("ent_{key}");
    Submission {
        campaign: campaign.into(),
        idempotency_key: key.into(),
        body_hash: vec![7; 32],
        message: EntryMessage {
            entry_id,
            campaign: campaign.into(),
            idempotency_key: key.into(),
            entry,
            receipt_key: receipt_key.map(str::to_string),
            accepted_at_ms: 1_000,
            signals: Vec::new(),
            consents: Vec::new(),
            origin: None,
        },
        quota: None,
    }
}
