//! What the stores hold about one shopper, found and erased kind by kind (GDPR Art. 15/17/20).
//! One read and one erase per kind of data, so a new kind (consent records, …) is one more pair.
//! A shopper is a mailbox identity (`vouch_core::referral::identity_email`), optionally within one
//! campaign. Erasing anonymises what must stay for the books (entries keep their status and times
//! for the counts, credits their amounts and states) and deletes the rest.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::referral::identity_email;

use super::referrals::{Credit, Referrer};
use super::{Result, StoredEntry};
use crate::crypto::hmac;

/// Keys the salted hash of a mailbox identity that erasure logs and tombstones hold in place of
/// the address. From the server secret `erasure_key`: without it, a copy of the store cannot be
/// matched against a list of addresses.
#[derive(Clone)]
pub struct ErasureKey(Vec<u8>);

impl std::fmt::Debug for ErasureKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErasureKey(..)")
    }
}

impl ErasureKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac(secret, b"vouch erasure: identity"))
    }

    /// The keyed hash (hex) of a normalised mailbox identity.
    pub fn tag(&self, identity: &str) -> String {
        hex::encode(hmac(&self.0, identity.as_bytes()))
    }

    /// The tag of the person an address belongs to.
    pub fn tag_of_email(&self, email: &str) -> String {
        self.tag(&identity_email(email))
    }
}

/// Whose data: one mailbox identity, in one campaign or in all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shopper {
    /// Normalised by `identity_email`.
    pub identity: String,
    pub campaign: Option<String>,
    /// [`ErasureKey::tag`] of `identity`.
    pub tag: String,
}

impl Shopper {
    pub fn new(email: &str, campaign: Option<&str>, key: &ErasureKey) -> Self {
        let identity = identity_email(email);
        Self { tag: key.tag(&identity), identity, campaign: campaign.map(str::to_string) }
    }

    /// Whether a row of `campaign` with address `email` is this shopper's.
    pub fn holds(&self, campaign: &str, email: &str) -> bool {
        self.in_scope(campaign) && identity_email(email) == self.identity
    }

    pub fn in_scope(&self, campaign: &str) -> bool {
        self.campaign.as_deref().is_none_or(|c| c == campaign)
    }

    /// The campaign an erasure applies to, `*` for all.
    pub fn scope(&self) -> &str {
        self.campaign.as_deref().unwrap_or(ALL_CAMPAIGNS)
    }
}

pub const ALL_CAMPAIGNS: &str = "*";

/// One erasure, as the erasure log keeps it: nothing personal, the identity only as its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub id: String,
    pub tag: String,
    /// The campaign erased in, `*` for all.
    pub campaign: String,
    pub actor: String,
    pub at_ms: i64,
}

/// A referrer record with the consent given at the join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldReferrer {
    #[serde(flatten)]
    pub referrer: Referrer,
    pub marketing_consent: bool,
}

/// A per-person entry counter (entry limits), keyed by the normalised mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaRow {
    pub campaign: String,
    pub period: String,
    pub count: u64,
}

/// A queued or dead-lettered message whose body names the shopper (embedded queue only: SQS
/// cannot be searched; the erasure tombstone stops those messages instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedMessage {
    pub id: String,
    pub topic: String,
    pub dead: bool,
    pub body: serde_json::Value,
}

impl Shopper {
    /// Whether a queued message's JSON body is this shopper's: in scope, and naming their
    /// mailbox in any of its address-like strings.
    pub fn named_in(&self, body: &serde_json::Value) -> bool {
        fn names(v: &serde_json::Value, who: &Shopper) -> bool {
            match v {
                serde_json::Value::String(s) => s.contains('@') && identity_email(s) == who.identity,
                serde_json::Value::Array(items) => items.iter().any(|v| names(v, who)),
                serde_json::Value::Object(map) => map.values().any(|v| names(v, who)),
                _ => false,
            }
        }
        body["campaign"].as_str().is_none_or(|c| self.in_scope(c)) && names(body, self)
    }
}

/// What an anonymised row holds in place of the person: a random id, one per erasure, that
/// links nothing to the mailbox.
pub fn anonymous_email(anon_id: &str) -> String {
    format!("{anon_id}{ANONYMOUS_DOMAIN}")
}

const ANONYMOUS_DOMAIN: &str = "@erased.invalid";

/// Whether `email` is an [`anonymous_email`]: an erased person's, with nobody to write to.
pub fn is_anonymous(email: &str) -> bool {
    email.ends_with(ANONYMOUS_DOMAIN)
}

/// With [`super::leftovers::Leftovers`]: what an erase reaches beyond the shopper's own rows.
#[async_trait]
pub trait Privacy: super::leftovers::Leftovers {
    /// Entries (fields and consents) of the shopper, recorded by the worker.
    async fn entries_of(&self, who: &Shopper) -> Result<Vec<StoredEntry>>;
    /// Replaces the person in these entries with `anon_id` (names, address, phone, postal code,
    /// referral code and receipt gone; status, reason and times kept for the counts) and drops
    /// their receipt fingerprints. Objects are the caller's: delete them first.
    async fn anonymise_entries(&self, entries: &[StoredEntry], anon_id: &str) -> Result<u64>;
    /// Original uploads the intake claimed for these entries (a crash may have left one behind).
    async fn claimed_uploads(&self, entries: &[StoredEntry]) -> Result<Vec<String>>;

    async fn referrers_of(&self, who: &Shopper) -> Result<Vec<HeldReferrer>>;
    /// Replaces the person in these referrer records with `anon_id` and removes their progress
    /// tokens and identity claims; the code stays, so the ledger's rows still point somewhere.
    async fn anonymise_referrers(&self, referrers: &[Referrer], anon_id: &str) -> Result<u64>;

    /// Credits the shopper earned as referrer (of `referrer_ids`) or as friend (recipient).
    async fn credits_of(&self, who: &Shopper, referrer_ids: &[String]) -> Result<Vec<Credit>>;
    /// Sets the recipient of these credits to [`anonymous_email`]`(anon_id)`; amounts, states and
    /// changes stay, so the ledger's totals do not move.
    async fn anonymise_credits(&self, credits: &[Credit], anon_id: &str) -> Result<u64>;

    async fn quota_of(&self, who: &Shopper) -> Result<Vec<QuotaRow>>;
    async fn erase_quota(&self, who: &Shopper) -> Result<u64>;

    async fn queued_of(&self, who: &Shopper) -> Result<Vec<QueuedMessage>>;
    async fn erase_queued(&self, messages: &[QueuedMessage]) -> Result<u64>;

    /// Logs the erasure and leaves its tombstone: from now on the store refuses to record an entry
    /// of this identity (in this scope) accepted at or before `at_ms` — an in-flight message
    /// cannot bring the data back. `true` when this identity was erased before (any scope).
    async fn record_erasure(&self, erasure: &Erasure) -> Result<bool>;
    /// The erasures of the identity with this tag, oldest first.
    async fn erasures(&self, tag: &str) -> Result<Vec<Erasure>>;
}
