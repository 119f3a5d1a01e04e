//! `vouch entries list` and `vouch entries counts`: one page of a campaign's entries, newest first,
//! and its counts by status, through the same functions as the console's.

use crate::backends::entry_search::EntrySearch;
use crate::campaigns::Campaigns;
use crate::entries::search::{counts, search, EntryFilter};

#[derive(clap::Args)]
pub struct ListArgs {
    /// The campaign (may be left out when only one is configured).
    #[arg(long)]
    pub campaign: Option<String>,
    /// An e-mail address (whole, any case) or the start of a first or last name.
    #[arg(long)]
    pub q: Option<String>,
    /// confirmed, pending_review, approved or rejected.
    #[arg(long)]
    pub status: Option<String>,
    /// Accepted at or after this RFC 3339 time or date.
    #[arg(long)]
    pub from: Option<String>,
    /// Accepted before this RFC 3339 time, or on or before this date.
    #[arg(long)]
    pub to: Option<String>,
    /// Entries per page (default 50, at most 500).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Where to go on from: the `next_cursor` the page before printed.
    #[arg(long)]
    pub cursor: Option<String>,
    /// Print the page as JSON (`{"entries": […], "next_cursor": …}`).
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct CountsArgs {
    /// The campaign (may be left out when only one is configured).
    #[arg(long)]
    pub campaign: Option<String>,
}

/// `vouch entries counts`: the campaign's entries by status, as JSON.
pub async fn print_counts(store: &dyn EntrySearch, campaigns: &Campaigns, args: CountsArgs) -> anyhow::Result<()> {
    let campaign = campaign(args.campaign, campaigns)?;
    println!("{}", serde_json::to_string_pretty(&counts(store, &campaign).await?)?);
    Ok(())
}

/// The campaign asked for, or the only one configured.
fn campaign(asked: Option<String>, campaigns: &Campaigns) -> anyhow::Result<String> {
    if let Some(id) = asked {
        return Ok(id);
    }
    let ids: Vec<&str> = campaigns.ids().collect();
    match ids.as_slice() {
        [only] => Ok(only.to_string()),
        _ => anyhow::bail!("which campaign? --campaign one of: {}", ids.join(", ")),
    }
}

pub async fn list(store: &dyn EntrySearch, campaigns: &Campaigns, args: ListArgs) -> anyhow::Result<()> {
    let campaign = campaign(args.campaign, campaigns)?;
    let filter = EntryFilter { q: args.q, status: args.status, from: args.from, to: args.to };
    let page = search(store, &campaign, &filter, args.cursor.as_deref(), args.limit).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&page)?);
        return Ok(());
    }
    for e in &page.entries {
        let reason = e.reason.map(|r| r.code()).unwrap_or("");
        let status = e.status.as_str();
        println!(
            "{}  {status:<9} {reason:<24} {} {}  {}",
            e.entry_id, e.entrant.first_name, e.entrant.last_name, e.entrant.email
        );
    }
    if let Some(next) = &page.next_cursor {
        // On standard error, so the rows alone can be piped on.
        eprintln!("more: --cursor {next}");
    }
    Ok(())
}
