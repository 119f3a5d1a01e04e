//! The entry's consents, in the worker: recorded as the entry message carries them, and the
//! marketing opt-in mailed once. Both are keyed (record ids, the mail's dedup key), so a
//! redelivered message writes and sends nothing new.

use std::sync::Arc;

use vouch_core::consent::ConsentKind;
use vouch_core::referral::identity_email;

use crate::backends::consents::{ConsentRecord, ConsentStore};
use crate::backends::{BackendError, EntryMessage, Mailer};
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
    pub async fn record(&self, msg: &EntryMessage) -> Result<(), BackendError> {
        let source = Source {
            id: &msg.entry_id,
            campaign: &msg.campaign,
            email: &msg.entry.entrant.email,
            at_ms: msg.accepted_at_ms,
            origin: msg.origin.as_deref(),
        };
        self.store.record_consents(&records(&source, &msg.consents)).await
    }

    /// The opt-in mail for the entry's marketing consent, in the language the shopper saw the box
    /// in. None when the mailbox has confirmed marketing for this campaign already.
    pub async fn mail_optin(&self, msg: &EntryMessage, campaign: &Campaign) -> Result<(), BackendError> {
        let Some(shown) = msg.consents.iter().find(|c| c.kind == ConsentKind::Marketing) else {
            return Ok(());
        };
        let record_id = ConsentRecord::id(&msg.entry_id, ConsentKind::Marketing);
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
