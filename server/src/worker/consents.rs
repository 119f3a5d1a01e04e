//! The entry's consents, in the worker: recorded as the entry message carries them, and the
//! marketing opt-in mailed once. Both are keyed (record ids, the mail's dedup key), so a
//! redelivered message writes and sends nothing new.

use std::sync::Arc;

use vouch_core::consent::ConsentKind;
use vouch_core::referral::identity_email;

use crate::backends::consents::{ConsentRecord, ConsentStore};
use crate::backends::{BackendError, EntryMessage, Mailer, Store};
use crate::campaigns::Campaign;
use crate::consents::optin::OptInLinks;
use crate::consents::records::{records, Source};

#[derive(Clone)]
pub struct ConsentStep {
    pub store: Arc<dyn ConsentStore>,
    pub mailer: Arc<dyn Mailer>,
    pub links: OptInLinks,
}

impl ConsentStep {
    /// Records the entry's consents while the stored entry names its shopper. An erased shopper's
    /// entry is anonymised (or, erased in flight, absent): nothing is recorded, and records
    /// written while an erase ran (it reads them after anonymising the entries) are taken back.
    pub async fn record(&self, msg: &EntryMessage, entries: &dyn Store) -> Result<(), BackendError> {
        if msg.consents.is_empty() || !names_shopper(entries, msg).await? {
            return Ok(());
        }
        let source = Source {
            id: &msg.entry_id,
            campaign: &msg.campaign,
            email: &msg.entry.entrant.email,
            at_ms: msg.accepted_at_ms,
            origin: msg.origin.as_deref(),
        };
        let records = records(&source, &msg.consents);
        self.store.record_consents(&records).await?;
        if !names_shopper(entries, msg).await? {
            self.store.erase_consents(&records).await?;
        }
        Ok(())
    }

    /// The opt-in mail for the entry's marketing consent, in the language the shopper saw the box
    /// in. None when the mailbox has confirmed marketing for this campaign already.
    pub async fn mail_optin(&self, msg: &EntryMessage, campaign: &Campaign) -> Result<(), BackendError> {
        let Some(shown) = msg.consents.iter().find(|c| c.kind == ConsentKind::Marketing) else {
            return Ok(());
        };
        let record_id = ConsentRecord::id(&msg.entry_id, ConsentKind::Marketing);
        // No record (the shopper was erased): no mail to the address the message still carries.
        if self.store.consent(&record_id).await?.is_none() {
            return Ok(());
        }
        let identity = identity_email(&msg.entry.entrant.email);
        let earlier = self.store.consents_of(&identity, Some(&msg.campaign)).await?;
        if earlier.iter().any(|c| c.kind == ConsentKind::Marketing && c.confirmed_at_ms.is_some()) {
            return Ok(());
        }
        let entrant = &msg.entry.entrant;
        // Issued at acceptance: every delivery builds the same link.
        let mail = self.links.mail(
            &entrant.email,
            &entrant.first_name,
            &campaign.public.name,
            &record_id,
            shown.locale,
            msg.accepted_at_ms,
        );
        self.mailer.send_once(&format!("optin:{record_id}"), &mail).await
    }
}

/// Whether the stored entry of `msg` is there and still names the shopper (not anonymised).
async fn names_shopper(entries: &dyn Store, msg: &EntryMessage) -> Result<bool, BackendError> {
    let stored = entries.get_entry(&msg.campaign, &msg.entry_id).await?;
    Ok(stored.is_some_and(|e| e.entrant.email == msg.entry.entrant.email))
}
