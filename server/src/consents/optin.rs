//! The marketing double opt-in: a signed, expiring link mailed in the shopper's language, and the
//! mail that carries it. The link names the consent record and the language (for the page it
//! opens), never the mailbox: links end up in logs and browser histories.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use vouch_core::consent::optin_expired;
use vouch_core::i18n::consent::optin_mail;
use vouch_core::i18n::{fill, Locale};

use crate::backends::Mail;

/// The route the link opens (`http::consents`).
pub const CONFIRM_PATH: &str = "/v1/consents/confirm";

/// Signs and checks confirmation links.
#[derive(Clone)]
pub struct OptInLinks {
    key: Vec<u8>,
    /// How long a link works (`[mail] optin_days`).
    pub days: u32,
    /// Where shoppers reach the BFF (`public_url`).
    base: String,
}

impl std::fmt::Debug for OptInLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptInLinks").field("days", &self.days).field("base", &self.base).finish_non_exhaustive()
    }
}

/// What a good link names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptInLink {
    pub record_id: String,
    pub locale: Locale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the confirmation link is not valid")]
    Invalid,
    /// Signed by us, but past its days; the page still answers in the link's language.
    #[error("the confirmation link has expired")]
    Expired(Locale),
}

impl OptInLinks {
    pub fn new(key: &[u8], days: u32, base: &str) -> Self {
        Self { key: key.to_vec(), days, base: base.trim_end_matches('/').to_string() }
    }

    /// The same keys and days, links pointing at `base`.
    pub fn with_base(mut self, base: &str) -> Self {
        self.base = base.trim_end_matches('/').to_string();
        self
    }

    fn mac(&self) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC-SHA256 takes keys of any length");
        mac.update(b"vouch-optin-v1\n");
        mac
    }

    /// `{payload}.{mac}`, both base64url: the payload is `record_id`, the language and the time
    /// the link was issued.
    pub fn token(&self, record_id: &str, locale: Locale, issued_ms: i64) -> String {
        let payload = format!("{record_id}\n{}\n{issued_ms}", locale.code());
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        format!("{}.{}", B64.encode(payload), B64.encode(mac.finalize().into_bytes()))
    }

    pub fn url(&self, token: &str) -> String {
        format!("{}{CONFIRM_PATH}?token={token}", self.base)
    }

    /// The record and language a token names, if we signed it and it has not expired at `now_ms`.
    pub fn verify(&self, token: &str, now_ms: i64) -> Result<OptInLink, LinkError> {
        let (payload, sig) = token.split_once('.').ok_or(LinkError::Invalid)?;
        let (payload, sig) = (B64.decode(payload), B64.decode(sig));
        let (Ok(payload), Ok(sig)) = (payload, sig) else { return Err(LinkError::Invalid) };
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&sig).map_err(|_| LinkError::Invalid)?;
        let text = String::from_utf8(payload).map_err(|_| LinkError::Invalid)?;
        let mut parts = text.split('\n');
        let (Some(record_id), Some(locale), Some(issued), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(LinkError::Invalid);
        };
        let locale = Locale::parse(locale).ok_or(LinkError::Invalid)?;
        let issued: i64 = issued.parse().map_err(|_| LinkError::Invalid)?;
        if optin_expired(issued, now_ms, self.days) {
            return Err(LinkError::Expired(locale));
        }
        Ok(OptInLink { record_id: record_id.to_string(), locale })
    }

    /// The opt-in mail to `to`, in `locale`, with the link to confirm `record_id`.
    pub fn mail(
        &self,
        to: &str,
        first_name: &str,
        campaign_name: &str,
        record_id: &str,
        locale: Locale,
        issued_ms: i64,
    ) -> Mail {
        let (subject, text) = optin_mail(locale);
        let url = self.url(&self.token(record_id, locale, issued_ms));
        Mail {
            to: to.to_string(),
            subject: fill(subject, &[campaign_name]),
            text: format!("{}\n", fill(text, &[first_name, campaign_name, &url, &self.days.to_string()])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    #[test]
    fn a_link_names_its_record_and_language_until_it_expires() {
        let links = OptInLinks::new(b"k", 7, "https://vouch.example/");
        let token = links.token("ent_1.marketing", Locale::De, 1_000);
        let good = OptInLink { record_id: "ent_1.marketing".into(), locale: Locale::De };
        assert_eq!(links.verify(&token, 1_000 + 7 * DAY), Ok(good));
        assert_eq!(links.verify(&token, 1_001 + 7 * DAY), Err(LinkError::Expired(Locale::De)));
        assert!(links.url(&token).starts_with("https://vouch.example/v1/consents/confirm?token="));
    }

    #[test]
    fn an_altered_or_foreign_link_is_invalid() {
        let links = OptInLinks::new(b"k", 7, "");
        let token = links.token("ent_1.marketing", Locale::En, 1_000);
        let (payload, sig) = token.split_once('.').unwrap();
        let other = B64.encode("ent_2.marketing\nen\n1000");
        assert_eq!(links.verify(&format!("{other}.{sig}"), 2_000), Err(LinkError::Invalid));
        assert_eq!(links.verify(&format!("{payload}.{}", &sig[1..]), 2_000), Err(LinkError::Invalid));
        assert_eq!(links.verify("nonsense", 2_000), Err(LinkError::Invalid));
        let foreign = OptInLinks::new(b"other key", 7, "").token("ent_1.marketing", Locale::En, 1_000);
        assert_eq!(links.verify(&foreign, 2_000), Err(LinkError::Invalid));
    }
}
