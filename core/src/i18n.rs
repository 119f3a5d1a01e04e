//! The message catalogue: every string the widget shows and every validation message, in English,
//! German and Spanish. The server sends codes; whoever shows a message looks it up here, so the
//! two sides cannot word the same rule differently.

use serde::{Deserialize, Serialize};

use crate::wire::RejectReason;
use crate::{Field, FieldCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    De,
    Es,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::De, Locale::Es];

    /// `de`, `de-DE`, `de_AT`, `ES-419`… → the catalogue for that language, if we have one.
    pub fn parse(tag: &str) -> Option<Self> {
        let lang = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == lang)
    }

    pub const fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Es => "es",
        }
    }

    /// The first candidate we have a catalogue for, in order of preference; English otherwise.
    pub fn negotiate<'a>(candidates: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        candidates.into_iter().flatten().find_map(Self::parse).unwrap_or_default()
    }

    /// An `Accept-Language` header (`de-CH,de;q=0.9,en;q=0.8`), in the order the browser lists
    /// its languages (browsers send them by falling preference).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        header.split(',').filter_map(|part| part.split(';').next()).find_map(Self::parse)
    }

    fn table(self) -> &'static Catalogue {
        match self {
            Locale::En => &EN,
            Locale::De => &DE,
            Locale::Es => &ES,
        }
    }
}

/// Widget strings. `{0}`, `{1}` are filled with [`fill`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ui {
    Loading,
    Optional,
    FirstName,
    LastName,
    Email,
    Phone,
    PostalCode,
    Terms,
    ReceiptPhoto,
    ReferralCode,
    Order,
    ReceiptPreview,
    UploadProgress,
    Uploaded,
    RetryUpload,
    Sending,
    OneFieldNeedsAttention,
    FieldsNeedAttention,
    EntryReceived,
    CheckingReceipt,
    EntryConfirmed,
    EnterAnother,
    EntryNotAccepted,
    TryAnotherPhoto,
    EntryRefused,
    Unreachable,
    ServerError,
    ServerBusy,
    TryAgainIn,
    UploadInterrupted,
    UploadTooLarge,
    UploadExpired,
    UploadRefused,
    NoReferralProgram,
    GiveGet,
    ShareIntro,
    JoinIntro,
    ReferralTerms,
    GetMyLink,
    YourLink,
    CopyLink,
    Copied,
    CopyByHand,
    Share,
    QrCode,
    ShareMessage,
    YourProgress,
    FriendsVisited,
    Purchases,
    RewardsPending,
    RewardsEarned,
    Refresh,
    ProgressElsewhere,
    GaveYou,
    OpensOn,
    GiveawayEnded,
    EntryLimitReached,
    DateOfBirth,
    Age,
    AgeConfirmation,
    Country,
    BonusEntries,
    UnderReview,
}

/// Strings of the pages the server renders itself (hosted page, Facebook tab). Kept apart from
/// [`Ui`] so the widget does not carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageText {
    NoScript,
    TabUnverified,
    NoCampaign,
}

/// The confirmation e-mail: subject (`{0}` campaign name) and greeting (`{0}` first name,
/// `{1}` campaign name, `{2}` entry id); the merchant's `confirmed` copy follows.
pub fn confirmation_mail(locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => ("You're in: {0}", "Hi {0},\n\nthanks for taking part in {1}. Your entry {2} is confirmed."),
        Locale::De => {
            ("Sie sind dabei: {0}", "Hallo {0},\n\ndanke für Ihre Teilnahme an {1}. Ihre Teilnahme {2} ist bestätigt.")
        }
        Locale::Es => {
            ("Ya participas: {0}", "Hola {0}:\n\ngracias por participar en {1}. Tu participación {2} está confirmada.")
        }
    }
}

/// The e-mail after a person reviewed an entry: subject (`{0}` campaign name) and text (`{0}` first
/// name, `{1}` campaign name, `{2}` entry id). A rejection's reason and note follow the text.
pub fn review_mail(locale: Locale, approved: bool) -> (&'static str, &'static str) {
    match (locale, approved) {
        (Locale::En, true) => ("Your receipt was approved: {0}", "Hi {0},\n\nwe checked your receipt for {1}. Your entry {2} is approved and takes part in the draw."),
        (Locale::En, false) => ("Your entry was not accepted: {0}", "Hi {0},\n\nwe checked your receipt for {1}. We could not accept your entry {2}."),
        (Locale::De, true) => ("Ihr Kassenbon wurde geprüft: {0}", "Hallo {0},\n\nwir haben Ihren Kassenbon für {1} geprüft. Ihre Teilnahme {2} ist bestätigt und nimmt an der Verlosung teil."),
        (Locale::De, false) => ("Ihre Teilnahme wurde nicht angenommen: {0}", "Hallo {0},\n\nwir haben Ihren Kassenbon für {1} geprüft. Wir konnten Ihre Teilnahme {2} leider nicht annehmen."),
        (Locale::Es, true) => ("Tu ticket ha sido aprobado: {0}", "Hola {0}:\n\nhemos revisado tu ticket para {1}. Tu participación {2} está aprobada y entra en el sorteo."),
        (Locale::Es, false) => ("Tu participación no ha sido aceptada: {0}", "Hola {0}:\n\nhemos revisado tu ticket para {1}. No hemos podido aceptar tu participación {2}."),
    }
}

/// The winner's e-mail after a draw: subject (`{0}` campaign name) and text (`{0}` first name,
/// `{1}` campaign name, `{2}` entry id, `{3}` the claim deadline as a date).
pub fn winner_mail(locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => (
            "You won: {0}",
            "Hi {0},\n\ncongratulations: your entry {2} was drawn as a winner of {1}.\n\nTo claim your prize, reply to this e-mail by {3}. After that date the prize goes to the next person drawn.",
        ),
        Locale::De => (
            "Sie haben gewonnen: {0}",
            "Hallo {0},\n\nherzlichen Glückwunsch: Ihre Teilnahme {2} wurde als Gewinn bei {1} gezogen.\n\nUm Ihren Preis zu erhalten, antworten Sie bitte bis zum {3} auf diese E-Mail. Danach geht der Preis an die nächste gezogene Person.",
        ),
        Locale::Es => (
            "Has ganado: {0}",
            "Hola {0}:\n\nenhorabuena: tu participación {2} ha sido elegida como ganadora de {1}.\n\nPara reclamar tu premio, responde a este correo antes del {3}. Después de esa fecha, el premio pasa a la siguiente persona sorteada.",
        ),
    }
}

pub fn page_text(key: PageText, locale: Locale) -> &'static str {
    let table: &[&str; 3] = match locale {
        Locale::En => &[
            "Please turn on JavaScript to take part.",
            "This page could not be verified. Please open it again from the Facebook page.",
            "There is no campaign on this page right now.",
        ],
        Locale::De => &[
            "Bitte aktivieren Sie JavaScript, um teilzunehmen.",
            "Diese Seite konnte nicht überprüft werden. Bitte öffnen Sie sie erneut über die Facebook-Seite.",
            "Auf dieser Seite läuft gerade keine Aktion.",
        ],
        Locale::Es => &[
            "Activa JavaScript para participar.",
            "No hemos podido verificar esta página. Vuelve a abrirla desde la página de Facebook.",
            "Ahora mismo no hay ninguna campaña en esta página.",
        ],
    };
    table[key as usize]
}

const UI_COUNT: usize = Ui::UnderReview as usize + 1;
const FIELD_CODES: usize = FieldCode::CountryNotEligible as usize + 1;
const REJECT_REASONS: usize = RejectReason::ReviewOther as usize + 1;

struct Catalogue {
    ui: [&'static str; UI_COUNT],
    field_codes: [&'static str; FIELD_CODES],
    reject_reasons: [&'static str; REJECT_REASONS],
}

pub fn ui(key: Ui, locale: Locale) -> &'static str {
    locale.table().ui[key as usize]
}

pub fn field_code(code: FieldCode, locale: Locale) -> &'static str {
    locale.table().field_codes[code as usize]
}

pub fn reject_reason(reason: RejectReason, locale: Locale) -> &'static str {
    locale.table().reject_reasons[reason as usize]
}

/// The label a field is shown with.
pub fn field_label(field: Field, locale: Locale) -> &'static str {
    let key = match field {
        Field::FirstName => Ui::FirstName,
        Field::LastName => Ui::LastName,
        Field::Email => Ui::Email,
        Field::Phone => Ui::Phone,
        Field::PostalCode => Ui::PostalCode,
        Field::Terms => Ui::Terms,
        Field::Receipt | Field::ContentType | Field::Size => Ui::ReceiptPhoto,
        Field::ReferralCode => Ui::ReferralCode,
        Field::OrderId | Field::Amount | Field::Currency => Ui::Order,
        Field::DateOfBirth => Ui::DateOfBirth,
        Field::AgeConfirmation => Ui::Age,
        Field::Country => Ui::Country,
    };
    ui(key, locale)
}

/// Replaces `{0}`, `{1}`, … in `template` with `args`.
pub fn fill(template: &str, args: &[&str]) -> String {
    args.iter().enumerate().fold(template.to_string(), |text, (i, arg)| text.replace(&format!("{{{i}}}"), arg))
}

static EN: Catalogue = Catalogue {
    ui: [
        "Loading…",
        " (optional)",
        "First name",
        "Last name",
        "E-mail",
        "Phone",
        "Postal code",
        "Terms",
        "Receipt photo",
        "Referral code",
        "Order",
        "Preview of your receipt",
        "Upload progress",
        "Uploaded: ",
        "Retry upload",
        "Sending…",
        "1 field needs attention:",
        "{0} fields need attention:",
        "Entry received",
        "Thanks! We are checking your receipt now…",
        "Entry confirmed",
        "Enter another receipt",
        "Entry not accepted",
        "Try another photo",
        "Your entry could not be accepted.",
        "We could not reach the server. Check your connection and try again.",
        "The server answered with an error ({0}).",
        "The server is busy; please try again.",
        "Try again in {0} s.",
        "The upload was interrupted. Please try again.",
        "This photo is larger than allowed.",
        "The upload permission expired. Please try again.",
        "The upload was refused. Please try again.",
        "This campaign has no referral program.",
        "Give {0}, get {1}",
        "Share your link. When a friend buys, you both get your reward.",
        "Join to get your personal link.",
        "I accept the referral program terms.",
        "Get my link",
        "Your personal link",
        "Copy link",
        "Copied!",
        "Select the link and copy it.",
        "Share…",
        "QR code of your link",
        "Get {0} at {1} with my link:",
        "Your progress",
        "Friends who visited",
        "Purchases",
        "Rewards pending",
        "Rewards earned",
        "Refresh",
        "Your progress shows in the browser you first joined with.",
        " gave you ",
        "This giveaway opens on {0}.",
        "This giveaway has ended.",
        "You have already entered as many times as this giveaway allows.",
        "Date of birth",
        "Age",
        "I am at least {0} years old.",
        "Country",
        "Bonus entries in the draw",
        "We're checking your receipt. We'll e-mail you as soon as it's approved.",
    ],
    field_codes: [
        "This field is required.",
        "This is too long.",
        "Please use letters only (spaces, hyphens and apostrophes are fine).",
        "Please enter a valid e-mail address, like name@example.com.",
        "Please enter a valid phone number (7 to 15 digits, an optional leading +).",
        "Please enter a valid postal code.",
        "Please accept the terms to take part.",
        "Please choose a JPEG, PNG or WebP photo.",
        "This file is too large.",
        "This file is empty.",
        "Please upload a photo of your receipt.",
        "The receipt upload was not found; please upload it again.",
        "The receipt upload has expired; please upload it again.",
        "This referral code is not valid.",
        "The amount must be a number of zero or more.",
        "The currency must be a three-letter ISO 4217 code, like EUR.",
        "This contains characters that are not allowed.",
        "This receipt photo is already part of another entry; please upload your own.",
        "The amount has more decimals than its currency has.",
        "The amount is too large.",
        "Enter a real date (YYYY-MM-DD).",
        "This date is in the future.",
        "You are not old enough to take part.",
        "Please confirm your age.",
        "This giveaway is not open in your country.",
    ],
    reject_reasons: [
        "The receipt file is not a photo (JPEG, PNG or WebP).",
        "The receipt photo has too many pixels.",
        "The receipt photo could not be read.",
        "The receipt photo was not found.",
        "This receipt was already used for an entry.",
        "The receipt is not from a store taking part in this giveaway.",
        "The receipt's date is outside the giveaway's dates.",
        "Your entry was not accepted after review.",
    ],
};

static DE: Catalogue = Catalogue {
    ui: [
        "Wird geladen…",
        " (optional)",
        "Vorname",
        "Nachname",
        "E-Mail",
        "Telefon",
        "Postleitzahl",
        "Teilnahmebedingungen",
        "Foto des Kassenbons",
        "Empfehlungscode",
        "Bestellung",
        "Vorschau Ihres Kassenbons",
        "Fortschritt des Uploads",
        "Hochgeladen: ",
        "Upload wiederholen",
        "Wird gesendet…",
        "1 Feld braucht Ihre Aufmerksamkeit:",
        "{0} Felder brauchen Ihre Aufmerksamkeit:",
        "Teilnahme erhalten",
        "Danke! Wir prüfen jetzt Ihren Kassenbon…",
        "Teilnahme bestätigt",
        "Weiteren Kassenbon einreichen",
        "Teilnahme nicht angenommen",
        "Anderes Foto versuchen",
        "Ihre Teilnahme konnte nicht angenommen werden.",
        "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
        "Der Server hat mit einem Fehler geantwortet ({0}).",
        "Der Server ist ausgelastet; bitte versuchen Sie es erneut.",
        "Bitte in {0} s erneut versuchen.",
        "Der Upload wurde unterbrochen. Bitte versuchen Sie es erneut.",
        "Dieses Foto ist größer als erlaubt.",
        "Die Upload-Berechtigung ist abgelaufen. Bitte versuchen Sie es erneut.",
        "Der Upload wurde abgelehnt. Bitte versuchen Sie es erneut.",
        "Diese Kampagne hat kein Empfehlungsprogramm.",
        "Schenken Sie {0}, erhalten Sie {1}",
        "Teilen Sie Ihren Link. Wenn eine Freundin kauft, erhalten Sie beide Ihre Belohnung.",
        "Melden Sie sich an, um Ihren persönlichen Link zu erhalten.",
        "Ich akzeptiere die Bedingungen des Empfehlungsprogramms.",
        "Meinen Link holen",
        "Ihr persönlicher Link",
        "Link kopieren",
        "Kopiert!",
        "Markieren Sie den Link und kopieren Sie ihn.",
        "Teilen…",
        "QR-Code Ihres Links",
        "{0} bei {1} mit meinem Link:",
        "Ihr Fortschritt",
        "Besuche von Freunden",
        "Käufe",
        "Ausstehende Belohnungen",
        "Erhaltene Belohnungen",
        "Aktualisieren",
        "Ihr Fortschritt wird in dem Browser angezeigt, mit dem Sie sich angemeldet haben.",
        " schenkt Ihnen ",
        "Dieses Gewinnspiel beginnt am {0}.",
        "Dieses Gewinnspiel ist beendet.",
        "Sie haben schon so oft teilgenommen, wie dieses Gewinnspiel erlaubt.",
        "Geburtsdatum",
        "Alter",
        "Ich bin mindestens {0} Jahre alt.",
        "Land",
        "Zusätzliche Lose in der Verlosung",
        "Wir prüfen Ihren Kassenbon. Sobald er bestätigt ist, bekommen Sie eine E-Mail.",
    ],
    field_codes: [
        "Dieses Feld ist erforderlich.",
        "Das ist zu lang.",
        "Bitte nur Buchstaben verwenden (Leerzeichen, Bindestriche und Apostrophe sind erlaubt).",
        "Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.",
        "Bitte geben Sie eine gültige Telefonnummer ein (7 bis 15 Ziffern, optional mit +).",
        "Bitte geben Sie eine gültige Postleitzahl ein.",
        "Bitte akzeptieren Sie die Teilnahmebedingungen.",
        "Bitte wählen Sie ein JPEG-, PNG- oder WebP-Foto.",
        "Diese Datei ist zu groß.",
        "Diese Datei ist leer.",
        "Bitte laden Sie ein Foto Ihres Kassenbons hoch.",
        "Der hochgeladene Kassenbon wurde nicht gefunden; bitte laden Sie ihn erneut hoch.",
        "Der Upload ist abgelaufen; bitte laden Sie den Kassenbon erneut hoch.",
        "Dieser Empfehlungscode ist ungültig.",
        "Der Betrag muss eine Zahl ab null sein.",
        "Die Währung muss ein dreistelliger ISO-4217-Code sein, z. B. EUR.",
        "Dies enthält unerlaubte Zeichen.",
        "Dieses Kassenbon-Foto gehört schon zu einer anderen Teilnahme; bitte laden Sie Ihr eigenes hoch.",
        "Der Betrag hat mehr Nachkommastellen als seine Währung.",
        "Der Betrag ist zu groß.",
        "Bitte geben Sie ein gültiges Datum ein (JJJJ-MM-TT).",
        "Dieses Datum liegt in der Zukunft.",
        "Sie sind noch nicht alt genug, um teilzunehmen.",
        "Bitte bestätigen Sie Ihr Alter.",
        "Dieses Gewinnspiel ist in Ihrem Land nicht verfügbar.",
    ],
    reject_reasons: [
        "Die Datei ist kein Foto (JPEG, PNG oder WebP).",
        "Das Foto hat zu viele Pixel.",
        "Das Foto konnte nicht gelesen werden.",
        "Das Foto wurde nicht gefunden.",
        "Dieser Kassenbon wurde bereits für eine Teilnahme verwendet.",
        "Der Kassenbon stammt nicht aus einem teilnehmenden Geschäft.",
        "Das Datum des Kassenbons liegt außerhalb des Aktionszeitraums.",
        "Ihre Teilnahme wurde nach der Prüfung nicht angenommen.",
    ],
};

static ES: Catalogue = Catalogue {
    ui: [
        "Cargando…",
        " (opcional)",
        "Nombre",
        "Apellidos",
        "Correo electrónico",
        "Teléfono",
        "Código postal",
        "Condiciones",
        "Foto del ticket",
        "Código de recomendación",
        "Pedido",
        "Vista previa de tu ticket",
        "Progreso de la subida",
        "Subido: ",
        "Reintentar la subida",
        "Enviando…",
        "1 campo necesita tu atención:",
        "{0} campos necesitan tu atención:",
        "Participación recibida",
        "¡Gracias! Estamos revisando tu ticket…",
        "Participación confirmada",
        "Enviar otro ticket",
        "Participación no aceptada",
        "Probar con otra foto",
        "No hemos podido aceptar tu participación.",
        "No hemos podido conectar con el servidor. Revisa tu conexión e inténtalo de nuevo.",
        "El servidor respondió con un error ({0}).",
        "El servidor está ocupado; inténtalo de nuevo.",
        "Vuelve a intentarlo en {0} s.",
        "La subida se interrumpió. Inténtalo de nuevo.",
        "Esta foto supera el tamaño permitido.",
        "El permiso de subida ha caducado. Inténtalo de nuevo.",
        "La subida fue rechazada. Inténtalo de nuevo.",
        "Esta campaña no tiene programa de recomendación.",
        "Regala {0}, recibe {1}",
        "Comparte tu enlace. Cuando una amistad compre, los dos recibiréis vuestra recompensa.",
        "Únete para obtener tu enlace personal.",
        "Acepto las condiciones del programa de recomendación.",
        "Obtener mi enlace",
        "Tu enlace personal",
        "Copiar enlace",
        "¡Copiado!",
        "Selecciona el enlace y cópialo.",
        "Compartir…",
        "Código QR de tu enlace",
        "Consigue {0} en {1} con mi enlace:",
        "Tu progreso",
        "Amistades que visitaron",
        "Compras",
        "Recompensas pendientes",
        "Recompensas obtenidas",
        "Actualizar",
        "Tu progreso se muestra en el navegador con el que te uniste.",
        " te regala ",
        "Este sorteo empieza el {0}.",
        "Este sorteo ha terminado.",
        "Ya has participado tantas veces como permite este sorteo.",
        "Fecha de nacimiento",
        "Edad",
        "Tengo al menos {0} años.",
        "País",
        "Participaciones extra en el sorteo",
        "Estamos revisando tu ticket. Te escribiremos en cuanto esté aprobado.",
    ],
    field_codes: [
        "Este campo es obligatorio.",
        "Es demasiado largo.",
        "Usa solo letras (se permiten espacios, guiones y apóstrofos).",
        "Introduce un correo electrónico válido, como nombre@example.com.",
        "Introduce un teléfono válido (de 7 a 15 dígitos, con + opcional).",
        "Introduce un código postal válido.",
        "Acepta las condiciones para participar.",
        "Elige una foto JPEG, PNG o WebP.",
        "Este archivo es demasiado grande.",
        "Este archivo está vacío.",
        "Sube una foto de tu ticket.",
        "No encontramos la foto subida; súbela de nuevo.",
        "La subida ha caducado; vuelve a subir el ticket.",
        "Este código de recomendación no es válido.",
        "El importe debe ser un número igual o mayor que cero.",
        "La moneda debe ser un código ISO 4217 de tres letras, como EUR.",
        "Contiene caracteres no permitidos.",
        "Esta foto del ticket ya forma parte de otra participación; sube la tuya.",
        "El importe tiene más decimales que su moneda.",
        "El importe es demasiado grande.",
        "Introduce una fecha válida (AAAA-MM-DD).",
        "Esta fecha está en el futuro.",
        "No tienes la edad mínima para participar.",
        "Confirma tu edad.",
        "Este sorteo no está disponible en tu país.",
    ],
    reject_reasons: [
        "El archivo no es una foto (JPEG, PNG o WebP).",
        "La foto tiene demasiados píxeles.",
        "No se pudo leer la foto.",
        "No se encontró la foto.",
        "Este ticket ya se usó para otra participación.",
        "El ticket no es de una tienda que participe en este sorteo.",
        "La fecha del ticket está fuera de las fechas del sorteo.",
        "Tu participación no ha sido aceptada tras la revisión.",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<usize> {
        (0..4).filter(|i| s.contains(&format!("{{{i}}}"))).collect()
    }

    #[test]
    fn language_tags_pick_a_catalogue() {
        assert_eq!(Locale::parse("de-DE"), Some(Locale::De));
        assert_eq!(Locale::parse("es_419"), Some(Locale::Es));
        assert_eq!(Locale::parse("EN"), Some(Locale::En));
        assert_eq!(Locale::parse("fr-FR"), None);
    }

    #[test]
    fn the_first_language_we_speak_wins_and_english_is_the_fallback() {
        assert_eq!(Locale::negotiate([None, Some("fr"), Some("de_DE"), Some("es")]), Locale::De);
        assert_eq!(Locale::negotiate([Some("fr"), None]), Locale::En);
        assert_eq!(Locale::from_accept_language("fr-CH, es;q=0.9, de;q=0.8"), Some(Locale::Es));
        assert_eq!(Locale::from_accept_language("*"), None);
    }

    #[test]
    fn every_translation_keeps_the_placeholders_of_the_english_text() {
        for locale in [Locale::De, Locale::Es] {
            for (en, other) in EN.ui.iter().zip(locale.table().ui.iter()) {
                assert_eq!(placeholders(en), placeholders(other), "{locale:?}: {en:?} vs {other:?}");
                assert!(!other.trim().is_empty());
            }
        }
    }

    #[test]
    fn translations_are_translated() {
        assert_eq!(field_label(Field::FirstName, Locale::De), "Vorname");
        assert_eq!(field_label(Field::FirstName, Locale::Es), "Nombre");
        assert_eq!(field_code(FieldCode::Required, Locale::De), "Dieses Feld ist erforderlich.");
        assert_eq!(reject_reason(RejectReason::ReceiptMissing, Locale::Es), "No se encontró la foto.");
        let differing = EN.ui.iter().zip(DE.ui.iter()).filter(|(a, b)| a != b).count();
        assert!(differing > UI_COUNT - 3, "only {differing} of {UI_COUNT} German strings differ from English");
    }

    #[test]
    fn server_page_texts_exist_in_every_language() {
        for key in [PageText::NoScript, PageText::TabUnverified, PageText::NoCampaign] {
            let texts: Vec<_> = Locale::ALL.iter().map(|l| page_text(key, *l)).collect();
            assert!(texts[0] != texts[1] && texts[1] != texts[2] && texts[0] != texts[2], "{key:?}: {texts:?}");
        }
    }

    #[test]
    fn templates_are_filled_in_order() {
        assert_eq!(fill(ui(Ui::GiveGet, Locale::En), &["10 %", "10 %"]), "Give 10 %, get 10 %");
        assert_eq!(fill(ui(Ui::FieldsNeedAttention, Locale::De), &["3"]), "3 Felder brauchen Ihre Aufmerksamkeit:");
    }

    #[test]
    fn english_validation_messages_are_what_the_codes_display() {
        assert_eq!(FieldCode::InvalidEmail.to_string(), field_code(FieldCode::InvalidEmail, Locale::En));
        assert_eq!(
            RejectReason::ReceiptUnreadable.to_string(),
            reject_reason(RejectReason::ReceiptUnreadable, Locale::En)
        );
    }
}
