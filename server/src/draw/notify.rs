//! Winners' e-mails. Each goes out once per draw and entry (the mailer's dedup key), so sending
//! again after a crash, or after a forfeit promoted an alternate, mails only who was not mailed.

use vouch_core::i18n::{fill, winner_mail};

use super::{at, DrawFailure, DAY_MS};
use crate::app::wiring::Backends;
use crate::backends::draws::DrawRecord;
use crate::backends::Mail;
use crate::campaigns::{Campaign, Campaigns};
use crate::codes::fulfil::Fulfil;
use vouch_core::codes::Pool;

/// The winner's mail's dedup key: also how [`super::contacts`] finds whether and when it went.
pub(super) fn mail_key(draw_id: &str, entry_id: &str) -> String {
    format!("draw#{draw_id}#{entry_id}")
}

/// Mails the current winners of the stored draw `draw_id` who were not mailed yet (after an
/// interrupted run): `vouch draw notify` and the admin API.
pub async fn notify_draw(backends: &Backends, campaigns: &Campaigns, draw_id: &str) -> Result<DrawRecord, DrawFailure> {
    let draw = backends.draws.get_draw(draw_id).await?.ok_or_else(|| DrawFailure::UnknownDraw(draw_id.into()))?;
    let campaign = campaigns.get(&draw.campaign).ok_or_else(|| DrawFailure::UnknownCampaign(draw.campaign.clone()))?;
    notify(backends, &campaign, &draw).await?;
    Ok(draw)
}

/// Mails every current winner of `draw` who was not mailed yet.
pub async fn notify(backends: &Backends, campaign: &Campaign, draw: &DrawRecord) -> Result<(), DrawFailure> {
    for entry_id in draw.current_winners() {
        let Some(entry) = backends.store.get_entry(&draw.campaign, &entry_id).await? else {
            tracing::warn!(draw_id = %draw.draw_id, entry_id, "a winner's entry is gone; not mailed");
            continue;
        };
        // A promoted alternate gets the full claim period from its promotion.
        let promoted = draw.history.iter().find(|f| f.replaced_by.as_deref() == Some(entry_id.as_str()));
        let deadline = match promoted {
            Some(f) => draw.claim_deadline_ms.max(f.at_ms + i64::from(campaign.claim_days) * DAY_MS),
            None => draw.claim_deadline_ms,
        };
        let date = at(deadline).date().to_string();
        // The language the shopper entered in; the campaign's for entries stored before it was kept.
        let locale = entry.locale.unwrap_or_else(|| campaign.locale_for(None));
        let (subject, text) = winner_mail(locale);
        let name = &campaign.public.name;
        let mut text = fill(text, &[&entry.entrant.first_name, name, &entry_id, &date]) + "\n";
        // Claimed before the mail: notifying again after a crash mails the same code.
        let fulfil = Fulfil::new(backends.codes.clone(), backends.code_watch.clone());
        fulfil.hand_out(campaign, Pool::Winner, &entry_id).await?.append_to(&mut text, locale);
        let mail = Mail { to: entry.entrant.email.clone(), subject: fill(subject, &[name]), text };
        backends.mailer.send_once(&mail_key(&draw.draw_id, &entry_id), &mail).await?;
    }
    Ok(())
}
