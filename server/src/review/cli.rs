//! `vouch review …` and `vouch audit …`: thin over [`super::Reviews`] and the audit log.

use clap::Subcommand;
use vouch_core::moderation::Decision;

use super::Reviews;
use crate::app::wiring::Backends;
use crate::campaigns::Campaigns;

#[derive(Subcommand)]
pub enum ReviewCommand {
    /// Entries waiting for review, oldest first, with why each waits.
    List {
        #[arg(long)]
        campaign: String,
    },
    /// Approve an entry waiting for review; the shopper gets an e-mail.
    Approve {
        entry_id: String,
        /// Who decides (for the audit log); default: $USER.
        #[arg(long)]
        by: Option<String>,
    },
    /// Reject an entry waiting for review; the shopper gets an e-mail with the reason.
    Reject {
        entry_id: String,
        /// unreadable, wrong_store, outside_dates, duplicate or other (other needs --note).
        #[arg(long)]
        reason: String,
        /// Told to the shopper in the e-mail.
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        by: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// A campaign's audit log, oldest first: when, who, what, subject, why.
    List {
        #[arg(long)]
        campaign: String,
    },
}

fn rfc3339(ms: i64) -> String {
    crate::crypto::utc_from_ms(ms)
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| ms.to_string())
}

pub fn actor(by: Option<String>) -> String {
    by.or_else(|| std::env::var("USER").ok()).filter(|b| !b.trim().is_empty()).unwrap_or_else(|| "unknown".into())
}

pub async fn review(backends: &Backends, campaigns: &Campaigns, command: ReviewCommand) -> anyhow::Result<()> {
    let fulfil = crate::codes::fulfil::Fulfil::new(backends.codes.clone(), backends.code_watch.clone());
    let reviews = Reviews {
        store: backends.store.as_ref(),
        moderation: backends.moderation.as_ref(),
        mailer: backends.mailer.as_ref(),
        campaigns,
        fulfil: &fulfil,
    };
    let (entry_id, decision, by) = match command {
        ReviewCommand::List { campaign } => {
            for p in reviews.pending(backends.search.as_ref(), &campaign).await? {
                let case = p.case.unwrap_or_else(|| crate::backends::review::ReviewCase {
                    campaign: campaign.clone(),
                    entry_id: p.entry.entry_id.clone(),
                    locale: Default::default(),
                    signals: Vec::new(),
                    duplicate_of: None,
                    opened_at_ms: p.entry.processed_at_ms,
                });
                let signals = if case.signals.is_empty() { "-".to_string() } else { case.signals.join(",") };
                let copy_of = case.duplicate_of.map(|d| format!("  duplicate of {d}")).unwrap_or_default();
                let receipt = p.entry.receipt_key.as_deref().unwrap_or("-");
                println!("{}  signals {signals}  receipt {receipt}{copy_of}", p.entry.entry_id);
            }
            return Ok(());
        }
        ReviewCommand::Approve { entry_id, by } => (entry_id, Decision::Approve, by),
        ReviewCommand::Reject { entry_id, reason, note, by } => {
            (entry_id, Decision::reject(&reason, note.as_deref())?, by)
        }
    };
    let decided = reviews.decide(&entry_id, &decision, &actor(by)).await?;
    crate::funnel::Funnel::new(backends.events.clone()).reviewed(&decided).await;
    println!("{} is now {}", decided.entry_id, decided.status.as_str());
    Ok(())
}

pub async fn audit(backends: &Backends, command: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::List { campaign } = command;
    for r in backends.moderation.list_audit(&campaign).await? {
        let when = rfc3339(r.at_ms);
        println!("{when}  {}  {}  {}  {}", r.actor, r.action, r.subject, r.detail);
    }
    Ok(())
}
