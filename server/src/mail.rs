//! The confirmation e-mail, one template for every mail backend.

use vouch_core::campaign::CampaignPublic;

use crate::backends::{Mail, StoredEntry};

pub fn confirmation(campaign: &CampaignPublic, entry: &StoredEntry) -> Mail {
    Mail {
        to: entry.email.clone(),
        subject: format!("You're in: {}", campaign.name),
        text: format!(
            "Hi {first},\n\nthanks for taking part in {name}. Your entry {id} is confirmed.\n\n{confirmed}\n",
            first = entry.first_name,
            name = campaign.name,
            id = entry.entry_id,
            confirmed = campaign.copy.confirmed,
        ),
    }
}
