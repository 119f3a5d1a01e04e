//! Payouts by hand: the referrer credits a merchant still owes, and the record that one was paid
//! (with its audit record, in the same atomic write, so no payout is without its trace and none
//! is recorded twice).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use vouch_core::payouts::Unpayable;

use super::referrals::Credit;
use super::review::AuditRecord;
use super::Result;

/// The audit log's action for a recorded payout; its detail is the reference.
pub const PAID_ACTION: &str = "rewards.paid";

/// A credit paid out by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    pub credit_id: String,
    pub campaign: String,
    /// The operator's reference for the payment (a transfer's or a voucher's id).
    pub reference: String,
    pub paid_by: String,
    pub paid_at_ms: i64,
}

impl Payout {
    /// The audit record written with this payout.
    pub fn audit(&self) -> AuditRecord {
        AuditRecord::new(&self.campaign, &self.paid_by, PAID_ACTION, &self.credit_id, &self.reference, self.paid_at_ms)
    }
}

/// An approved referrer credit not yet paid, with whom to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub credit: Credit,
    pub first_name: String,
    /// When the credit was approved: its decision, or its creation when it was approved at once.
    pub approved_at_ms: i64,
}

/// What [`Payouts::mark_paid`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkPaid {
    /// Every credit is paid now: `paid` by this call (each with its audit record), `already` by
    /// an earlier or concurrent one (unchanged, with no second audit record).
    Done { paid: Vec<String>, already: Vec<Payout> },
    /// These credits cannot be paid; nothing was written.
    Refused(Vec<(String, Unpayable)>),
}

/// `ids` without repeats, in their first order: a credit named twice is paid once.
pub(crate) fn unique(ids: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().filter(|id| seen.insert(id.as_str())).cloned().collect()
}

#[async_trait]
pub trait Payouts: Send + Sync {
    /// The campaign's approved referrer credits without a payout, oldest first.
    async fn due(&self, campaign: &str) -> Result<Vec<Due>>;
    /// Records `reference` as the payout of each of `credit_ids` (by `paid_by`, at `paid_at_ms`),
    /// each with its audit record. All or nothing: when any credit is not an approved referrer
    /// credit of `campaign`, nothing is written. A credit paid before keeps its first payout.
    async fn mark_paid(
        &self,
        campaign: &str,
        credit_ids: &[String],
        reference: &str,
        paid_by: &str,
        paid_at_ms: i64,
    ) -> Result<MarkPaid>;
    /// The campaign's payouts, by credit id.
    async fn payouts(&self, campaign: &str) -> Result<Vec<Payout>>;
}
