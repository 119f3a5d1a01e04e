//! The confirmation e-mail, one template for every mail backend, in the shopper's language.

use vouch_core::i18n::{confirmation_mail, fill, Locale};

use crate::backends::{Mail, StoredEntry};
use crate::campaigns::Campaign;

pub fn confirmation(campaign: &Campaign, entry: &StoredEntry, locale: Locale) -> Mail {
    let (subject, greeting) = confirmation_mail(locale);
    let name = &campaign.public.name;
    let greeting = fill(greeting, &[&entry.entrant.first_name, name, &entry.entry_id]);
    Mail {
        to: entry.entrant.email.clone(),
        subject: fill(subject, &[name]),
        text: format!("{greeting}\n\n{}\n", campaign.copy_in(locale).confirmed),
    }
}
