//! The message catalogue: every string the widget shows and every validation message, in English,
//! German and Spanish. The server sends codes; whoever shows a message looks it up here, so the
//! two sides cannot word the same rule differently.

use serde::{Deserialize, Serialize};

use crate::wire::RejectReason;
use crate::{Field, FieldCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// `{0}`: the entry's code.
    YourCode,
    CodeFollows,
    RewardCodes,
    AddPhoto,
    ChangePhoto,
    TakePhoto,
    ChooseFile,
    DropPhoto,
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

/// A code in an e-mail: the line with the code (`{0}`), and the line instead of it while the
/// code pool is empty.
pub fn code_lines(locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => ("Your code: {0}", "Your code follows in a separate e-mail as soon as it is ready."),
        Locale::De => ("Ihr Code: {0}", "Ihr Code folgt in einer eigenen E-Mail, sobald er bereitsteht."),
        Locale::Es => ("Tu código: {0}", "Tu código te llegará en otro correo en cuanto esté listo."),
    }
}

/// The e-mail that hands over a code on its own (a reward, or a code that had to wait): subject
/// and text (`{0}` campaign name, `{1}` what the code is for, may be empty); the code line follows.
pub fn code_mail(locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::En => ("Your code from {0}", "Hello,\n\nhere is your code from {0}. {1}"),
        Locale::De => ("Ihr Code von {0}", "Hallo,\n\nhier ist Ihr Code von {0}. {1}"),
        Locale::Es => ("Tu código de {0}", "Hola:\n\naquí tienes tu código de {0}. {1}"),
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

const UI_COUNT: usize = Ui::DropPhoto as usize + 1;
const FIELD_CODES: usize = FieldCode::CountryNotEligible as usize + 1;
const REJECT_REASONS: usize = RejectReason::ReviewOther as usize + 1;

struct Catalogue {
    ui: [&'static str; UI_COUNT],
    field_codes: [&'static str; FIELD_CODES],
    reject_reasons: [&'static str; REJECT_REASONS],
}

pub mod consent;

// One file per language: a translator works in one, and each stays short.
mod de;
mod en;
mod es;
use de::DE;
use en::EN;
use es::ES;

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
