//! The consent records' words: the storage consent's wording, the marketing opt-in e-mail and
//! the page its link opens. Kept apart from the widget's [`super::Ui`] table: the widget carries
//! none of it.

use super::Locale;

/// What a shopper agrees to when the page lets Vouch remember a referral code in the browser.
/// The merchant's banner has its own words; this is the purpose Vouch records.
pub fn storage_label(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "Remember my referral code in this browser so the referral counts.",
        Locale::De => "Meinen Empfehlungscode in diesem Browser speichern, damit die Empfehlung zählt.",
        Locale::Es => "Recordar mi código de recomendación en este navegador para que la recomendación cuente.",
    }
}

/// The opt-in e-mail: subject (`{0}` campaign name) and text (`{0}` first name, `{1}` campaign
/// name, `{2}` the link, `{3}` the days it works).
pub fn optin_mail(locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => (
            "Please confirm: news and offers from {0}",
            "Hi {0},\n\nyou asked for news and offers from {1}. Please confirm by opening this link:\n\n{2}\n\nThe link works for {3} days. If you did not ask for this, ignore this e-mail: you will get nothing more.",
        ),
        Locale::De => (
            "Bitte bestätigen: Neuigkeiten und Angebote von {0}",
            "Hallo {0},\n\nSie möchten Neuigkeiten und Angebote von {1} erhalten. Bitte bestätigen Sie das über diesen Link:\n\n{2}\n\nDer Link ist {3} Tage gültig. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Sie erhalten dann nichts weiter.",
        ),
        Locale::Es => (
            "Confírmalo: novedades y ofertas de {0}",
            "Hola {0}:\n\nhas pedido recibir novedades y ofertas de {1}. Confírmalo abriendo este enlace:\n\n{2}\n\nEl enlace es válido durante {3} días. Si no lo has pedido, ignora este correo: no recibirás nada más.",
        ),
    }
}

/// What the confirmation page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptInPage {
    /// The page's title.
    Title,
    Confirmed,
    AlreadyConfirmed,
    Expired,
    Invalid,
}

pub fn optin_page(key: OptInPage, locale: Locale) -> &'static str {
    let table: &[&str; 5] = match locale {
        Locale::En => &[
            "Your subscription",
            "Thank you: you will now get our news and offers.",
            "You had already confirmed: nothing has changed.",
            "This link has expired. Tick the box again on your next entry to get a new one.",
            "This link is not valid. Please open it exactly as it is in the e-mail.",
        ],
        Locale::De => &[
            "Ihr Abonnement",
            "Vielen Dank: Sie erhalten ab jetzt unsere Neuigkeiten und Angebote.",
            "Sie hatten bereits bestätigt: Es hat sich nichts geändert.",
            "Dieser Link ist abgelaufen. Setzen Sie bei Ihrer nächsten Teilnahme erneut das Häkchen, um einen neuen zu erhalten.",
            "Dieser Link ist ungültig. Bitte öffnen Sie ihn genau so, wie er in der E-Mail steht.",
        ],
        Locale::Es => &[
            "Tu suscripción",
            "Gracias: a partir de ahora recibirás nuestras novedades y ofertas.",
            "Ya lo habías confirmado: no ha cambiado nada.",
            "Este enlace ha caducado. Marca la casilla de nuevo en tu próxima participación para recibir otro.",
            "Este enlace no es válido. Ábrelo tal como aparece en el correo.",
        ],
    };
    table[key as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_the_link_and_its_days_in_the_mail() {
        for l in Locale::ALL {
            let (subject, text) = optin_mail(l);
            assert!(subject.contains("{0}"));
            for p in ["{0}", "{1}", "{2}", "{3}"] {
                assert!(text.contains(p), "{l:?} lacks {p}");
            }
            assert!(!optin_page(OptInPage::Expired, l).is_empty());
        }
    }
}
