//! `vouch rewards payouts` and `vouch rewards mark-paid`: the referrer rewards a merchant pays by
//! hand, and the record that they were paid. Output names credits and references; the payee's
//! e-mail appears only in the list the operator asked for, never in a log line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use serde::Serialize;
use vouch_core::payouts::{check_reference, reward_amount, Unpayable};

use crate::backends::payouts::{MarkPaid, Payouts};
use crate::backends::referrals::{Credit, Referrals};
use crate::campaigns::Campaigns;
use crate::clock::now_ms;
use crate::entries::export::write_safe_csv;
use crate::review::cli::actor;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PayoutFormat {
    Csv,
    Json,
}

/// Approved referrer credits not yet paid.
#[derive(Debug, clap::Args)]
pub struct PayoutsArgs {
    #[arg(long)]
    pub campaign: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: PayoutFormat,
}

/// Records a payout reference on approved referrer credits: all of them or, if any cannot be
/// paid, none. Credits paid before keep their first payout.
#[derive(Debug, clap::Args)]
pub struct MarkPaidArgs {
    #[arg(long)]
    pub campaign: String,
    /// A file of credit ids: one per line, or the first column of `vouch rewards payouts`' CSV.
    #[arg(long, conflicts_with = "credit_ids", required_unless_present = "credit_ids")]
    pub file: Option<PathBuf>,
    /// Credit ids (`cr_…`, as `payouts` lists them), instead of `--file`.
    pub credit_ids: Vec<String>,
    /// The payment's reference (a transfer's or a voucher's id), at most 128 characters.
    #[arg(long)]
    pub reference: String,
    /// Who paid (for the audit log); default: $USER.
    #[arg(long)]
    pub by: Option<String>,
}

/// One line of the payouts list.
#[derive(Debug, Serialize)]
pub struct Row {
    credit_id: String,
    email: String,
    first_name: String,
    reward: String,
    /// The reward in minor units of `currency`, when its text names an amount (`5 EUR`).
    amount_minor: Option<u64>,
    currency: Option<String>,
    approved_at: String,
}

const COLUMNS: [&str; 7] = ["credit_id", "email", "first_name", "reward", "amount_minor", "currency", "approved_at"];

/// The campaign's approved referrer credits not yet paid, oldest first.
pub async fn due_rows(payouts: &dyn Payouts, campaign: &str) -> crate::backends::Result<Vec<Row>> {
    Ok(payouts
        .due(campaign)
        .await?
        .into_iter()
        .map(|d| {
            let amount = reward_amount(&d.credit.reward);
            Row {
                amount_minor: amount.as_ref().map(|m| m.minor()),
                currency: amount.map(|m| m.currency().as_str().to_string()),
                credit_id: d.credit.credit_id,
                email: d.credit.recipient,
                first_name: d.first_name,
                reward: d.credit.reward,
                approved_at: crate::crypto::format_iso8601_ms(d.approved_at_ms),
            }
        })
        .collect())
}

/// `rows` as CSV, every cell safe to open in a spreadsheet (no formulas).
pub fn write_csv(rows: &[Row], out: &mut dyn Write) -> csv::Result<()> {
    write_safe_csv(
        &mut *out,
        &COLUMNS,
        rows.iter().map(|r| {
            [
                r.credit_id.clone(),
                r.email.clone(),
                r.first_name.clone(),
                r.reward.clone(),
                r.amount_minor.map(|a| a.to_string()).unwrap_or_default(),
                r.currency.clone().unwrap_or_default(),
                r.approved_at.clone(),
            ]
        }),
    )
}

pub async fn list(
    payouts: &dyn Payouts,
    campaigns: &Campaigns,
    args: PayoutsArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    campaigns.get(&args.campaign).with_context(|| format!("no campaign {:?}", args.campaign))?;
    let rows = due_rows(payouts, &args.campaign).await?;
    match args.format {
        PayoutFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?,
        PayoutFormat::Csv => write_csv(&rows, out)?,
    }
    Ok(())
}

/// Credit ids from a file: one per line, or a CSV whose first column holds them (a header line
/// and blank lines are skipped).
fn ids_in(path: &PathBuf) -> anyhow::Result<Vec<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| anyhow::anyhow!("{}: not a text file", path.display()))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut ids = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("reading {}", path.display()))?;
        let id = record.get(0).unwrap_or("").trim();
        if !id.is_empty() && id != "credit_id" {
            ids.push(id.to_string());
        }
    }
    if ids.is_empty() {
        bail!("{}: no credit ids in the file; nothing was marked paid", path.display());
    }
    Ok(ids)
}

#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    #[error("{0}; nothing was marked paid")]
    Reference(&'static str),
    #[error("no credit ids given; nothing was marked paid")]
    NoCredits,
    /// These credits cannot be paid; nothing was written.
    #[error("{} credit(s) cannot be paid; nothing was marked paid", .0.len())]
    Refused(Vec<(String, Unpayable)>),
    #[error(transparent)]
    Backend(#[from] crate::backends::BackendError),
}

impl PayoutError {
    /// The public error code, for the admin API's one error-to-HTTP mapping.
    pub fn code(&self) -> vouch_core::ErrorCode {
        use vouch_core::ErrorCode;
        match self {
            PayoutError::Reference(_) | PayoutError::NoCredits => ErrorCode::ValidationFailed,
            PayoutError::Refused(refused) if refused.iter().all(|(_, why)| *why == Unpayable::Unknown) => {
                ErrorCode::NotFound
            }
            PayoutError::Refused(_) => ErrorCode::Conflict,
            PayoutError::Backend(crate::backends::BackendError::Unavailable(..)) => ErrorCode::Unavailable,
            PayoutError::Backend(crate::backends::BackendError::Corrupt(_)) => ErrorCode::Internal,
        }
    }
}

/// Records `reference` as the payout of `credit_ids` of `campaign`, by `paid_by` (the store writes
/// each payout's audit record with it): all or nothing. Returns the credits paid now and those
/// paid before (which keep their first payout).
pub async fn record_paid(
    payouts: &dyn Payouts,
    campaign: &str,
    credit_ids: &[String],
    reference: &str,
    paid_by: &str,
) -> Result<(Vec<String>, Vec<crate::backends::payouts::Payout>), PayoutError> {
    check_reference(reference).map_err(PayoutError::Reference)?;
    if credit_ids.is_empty() {
        return Err(PayoutError::NoCredits);
    }
    match payouts.mark_paid(campaign, credit_ids, reference.trim(), paid_by, now_ms()).await? {
        MarkPaid::Refused(refused) => Err(PayoutError::Refused(refused)),
        MarkPaid::Done { paid, already } => {
            tracing::info!(campaign, paid = paid.len(), already = already.len(), "payouts recorded");
            Ok((paid, already))
        }
    }
}

pub async fn mark_paid(
    payouts: &dyn Payouts,
    campaigns: &Campaigns,
    args: MarkPaidArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    campaigns.get(&args.campaign).with_context(|| format!("no campaign {:?}", args.campaign))?;
    check_reference(&args.reference).map_err(|problem| anyhow::anyhow!("{problem}; nothing was marked paid"))?;
    let ids = match &args.file {
        Some(path) => ids_in(path)?,
        None => args.credit_ids.clone(),
    };
    let reference = args.reference.trim();
    match record_paid(payouts, &args.campaign, &ids, reference, &actor(args.by)).await {
        Err(PayoutError::Refused(refused)) => {
            for (id, why) in &refused {
                writeln!(out, "{id}: {why}")?;
            }
            bail!("{} credit(s) cannot be paid; nothing was marked paid", refused.len());
        }
        Err(e) => Err(e.into()),
        Ok((paid, already)) => {
            for id in &paid {
                writeln!(out, "{id}: paid ({reference})")?;
            }
            for p in &already {
                writeln!(out, "{}: already paid ({}, by {})", p.credit_id, p.reference, p.paid_by)?;
            }
            Ok(())
        }
    }
}

/// A credit as `vouch rewards list` shows it: with its payout once paid.
#[derive(Debug, Serialize)]
struct Listed {
    #[serde(flatten)]
    credit: Credit,
    paid_reference: Option<String>,
    paid_by: Option<String>,
    paid_at: Option<String>,
}

/// The campaign's credits, each with its payout once paid (`vouch rewards list`, the admin ledger).
pub async fn ledger(
    referrals: &dyn Referrals,
    payouts: &dyn Payouts,
    campaign: &str,
) -> crate::backends::Result<Vec<(Credit, Option<crate::backends::payouts::Payout>)>> {
    let mut paid: std::collections::HashMap<String, _> =
        payouts.payouts(campaign).await?.into_iter().map(|p| (p.credit_id.clone(), p)).collect();
    Ok(referrals
        .list_credits(campaign)
        .await?
        .into_iter()
        .map(|credit| {
            let payout = paid.remove(&credit.credit_id);
            (credit, payout)
        })
        .collect())
}

/// The campaign's credits with their payouts, as JSON.
pub async fn list_credits(
    referrals: &dyn Referrals,
    payouts: &dyn Payouts,
    campaign: &str,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let listed: Vec<Listed> = ledger(referrals, payouts, campaign)
        .await?
        .into_iter()
        .map(|(credit, payout)| Listed {
            paid_reference: payout.as_ref().map(|p| p.reference.clone()),
            paid_by: payout.as_ref().map(|p| p.paid_by.clone()),
            paid_at: payout.as_ref().map(|p| crate::crypto::format_iso8601_ms(p.paid_at_ms)),
            credit,
        })
        .collect();
    writeln!(out, "{}", serde_json::to_string_pretty(&listed)?)?;
    Ok(())
}
