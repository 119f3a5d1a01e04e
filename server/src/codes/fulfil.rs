//! Handing owed items their codes and getting the codes to the shoppers. The flows (a confirmed
//! or approved entry, an approved credit, a draw's winners) claim the code and put it into the
//! mail they send anyway; an item that had to wait gets a mail of its own once an import filled
//! it. That mail's dedup key is per owed item, and the store keeps a filled item undelivered until
//! its mail is out, so a crash between the fill and the mail only delays it.

use std::sync::Arc;

use vouch_core::codes::Pool;
use vouch_core::i18n::{code_lines, code_mail, fill, Locale};

use super::watch::PoolWatch;
use crate::backends::codes::{Claim, Codes};
use crate::backends::referrals::{Credit, Referrals};
use crate::backends::{Mail, Mailer, Queue, Result, Store};
use crate::campaigns::{Campaign, Campaigns};

/// What an owed item holds after its claim.
#[derive(Clone, PartialEq, Eq)]
pub enum Handed {
    /// The campaign hands out no codes of this kind.
    Nothing,
    Code(String),
    /// The pool is empty: the code follows by e-mail after the next import.
    Awaiting,
}

impl std::fmt::Debug for Handed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Handed::Nothing => "Nothing",
            Handed::Code(_) => "Code(…)",
            Handed::Awaiting => "Awaiting",
        })
    }
}

impl Handed {
    /// The mail's line about the code, if the item is owed one.
    pub fn line(&self, locale: Locale) -> Option<String> {
        let (code, follows) = code_lines(locale);
        match self {
            Handed::Nothing => None,
            Handed::Code(c) => Some(fill(code, &[c])),
            Handed::Awaiting => Some(follows.to_string()),
        }
    }

    /// `text` with the code's line appended as a paragraph of its own.
    pub fn append_to(&self, text: &mut String, locale: Locale) {
        if let Some(line) = self.line(locale) {
            let trimmed = text.trim_end().len();
            text.truncate(trimmed);
            text.push_str("\n\n");
            text.push_str(&line);
            text.push('\n');
        }
    }
}

/// The code store and the watch over its pools, as every flow uses them.
#[derive(Clone)]
pub struct Fulfil {
    pub codes: Arc<dyn Codes>,
    pub watch: PoolWatch,
}

impl Fulfil {
    pub fn new(codes: Arc<dyn Codes>, watch: PoolWatch) -> Self {
        Self { codes, watch }
    }

    /// Claims `owed_id`'s code from `pool`: the same code on every call.
    pub async fn hand_out(&self, campaign: &Campaign, pool: Pool, owed_id: &str) -> Result<Handed> {
        Ok(match super::claim(self.codes.as_ref(), &self.watch, campaign, pool, owed_id).await? {
            None => Handed::Nothing,
            Some(Claim::Assigned { code, .. }) => Handed::Code(code),
            Some(Claim::AwaitingCode) => Handed::Awaiting,
        })
    }

    /// The code `owed_id` holds (to show it again), `Awaiting` while it waits for one.
    pub async fn shown(&self, campaign: &Campaign, pool: Pool, owed_id: &str) -> Result<Handed> {
        if !campaign.code_pools.contains_key(&pool) {
            return Ok(Handed::Nothing);
        }
        Ok(match self.codes.assigned(campaign.id(), pool, owed_id).await? {
            Some((_, code)) => Handed::Code(code),
            None => Handed::Awaiting,
        })
    }
}

/// How the owed ids of codes handed out at landing begin (`credits::landing_code`).
pub const LANDING_PREFIX: &str = "land_";

/// The dedup key of the mail that hands `owed_id` its code on its own.
pub fn code_mail_key(campaign: &str, pool: Pool, owed_id: &str) -> String {
    format!("code:{campaign}:{}:{owed_id}", pool.as_str())
}

/// The mail that hands over a code on its own; `about` says what it is for (may be empty).
pub fn own_mail(campaign: &Campaign, to: &str, locale: Locale, about: &str, handed: &Handed) -> Mail {
    let (subject, text) = code_mail(locale);
    let name = &campaign.public.name;
    let mut text = fill(text, &[name, about]);
    handed.append_to(&mut text, locale);
    Mail { to: to.to_string(), subject: fill(subject, &[name]), text }
}

/// Where the code of an owed item goes: entries and winners by their entry, credits by their
/// recipient.
pub struct Recipients<'a> {
    pub store: &'a dyn Store,
    pub referrals: &'a dyn Referrals,
    /// Where a credit's `reward.fulfilled` event goes.
    pub webhooks: &'a Arc<dyn Queue>,
}

/// Who gets an owed item's code: `(mailbox, language, what it is for, the credit if it is one)`.
type Recipient = (String, Locale, String, Option<Credit>);

impl Recipients<'_> {
    /// `None` when the owed item is gone.
    async fn of(&self, campaign: &Campaign, pool: Pool, owed_id: &str) -> Result<Option<Recipient>> {
        match pool {
            Pool::Entry | Pool::Winner => Ok(self.store.get_entry(campaign.id(), owed_id).await?.map(|e| {
                (e.entrant.email, e.locale.unwrap_or_else(|| campaign.locale_for(None)), String::new(), None)
            })),
            Pool::Referrer | Pool::Friend => {
                let Some(conversion) = conversion_of(owed_id) else { return Ok(None) };
                let credits = self.referrals.credits_for_conversion(&conversion).await?;
                Ok(credits
                    .into_iter()
                    .find(|c| c.credit_id == owed_id)
                    .map(|c| (c.recipient.clone(), campaign.locale_for(None), c.reward.clone(), Some(c))))
            }
        }
    }
}

/// The conversion a credit id was derived from (`referrals::credit_id`).
pub(crate) fn conversion_of(credit_id: &str) -> Option<String> {
    let rest = credit_id.strip_prefix("cr_")?;
    let (conversion, _side) = rest.rsplit_once('_')?;
    Some(format!("cnv_{conversion}"))
}

/// Mails every filled item of every declared pool of `campaigns` whose delivery is not recorded
/// yet, then records it. Returns how many went out (or had gone out before a crash).
pub async fn deliver_filled(
    codes: &dyn Codes,
    mailer: &dyn Mailer,
    recipients: &Recipients<'_>,
    campaigns: &Campaigns,
) -> Result<usize> {
    let mut sent = 0;
    for id in campaigns.ids() {
        let Some(campaign) = campaigns.get(id) else { continue };
        for &pool in campaign.code_pools.keys() {
            for (owed_id, _code_id) in codes.undelivered(id, pool).await? {
                let Some((code_id, code)) = codes.assigned(id, pool, &owed_id).await? else { continue };
                match recipients.of(&campaign, pool, &owed_id).await? {
                    Some((to, locale, about, credit)) => {
                        let mail = own_mail(&campaign, &to, locale, &about, &Handed::Code(code));
                        mailer.send_once(&code_mail_key(id, pool, &owed_id), &mail).await?;
                        if let Some(credit) = credit {
                            super::credits::announce(codes, recipients.webhooks, &campaign, &credit, pool).await?;
                        }
                        sent += 1;
                        tracing::info!(campaign = id, pool = pool.as_str(), code_id, "filled code delivered");
                    }
                    // A friend's landing code has no mailbox: it shows on the friend's next visit.
                    None if owed_id.starts_with(LANDING_PREFIX) => {}
                    None => tracing::warn!(campaign = id, pool = pool.as_str(), code_id, "owed item gone; not mailed"),
                }
                codes.delivered(id, pool, &owed_id).await?;
            }
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_id_leads_back_to_its_conversion() {
        let id = crate::backends::referrals::credit_id("cnv_ab12", vouch_core::rewards::Side::Friend);
        assert_eq!(conversion_of(&id).as_deref(), Some("cnv_ab12"));
        assert_eq!(conversion_of("ent_1"), None);
    }

    #[test]
    fn the_code_line_shows_the_code_or_says_it_follows_and_debug_hides_it() {
        let mut text = "Hi Ada,\n\nyou are in.\n".to_string();
        Handed::Code("SAVE-10".into()).append_to(&mut text, Locale::De);
        assert_eq!(text, "Hi Ada,\n\nyou are in.\n\nIhr Code: SAVE-10\n");
        assert!(Handed::Awaiting.line(Locale::Es).unwrap().contains("otro correo"));
        assert_eq!(Handed::Nothing.line(Locale::En), None);
        assert!(!format!("{:?}", Handed::Code("SAVE-10".into())).contains("SAVE"));
    }
}
