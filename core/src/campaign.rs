//! What a campaign shows the public: `GET /v1/campaigns/{campaign}`. Server-only settings
//! (secrets, allowed origins, rate limits) live in the server's config, never here.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::form::FormRules;
use crate::i18n::Locale;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignPublic {
    pub id: String,
    pub name: String,
    pub copy: Copy,
    pub form: FormRules,
    /// Present when the campaign runs a referral program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralOffer>,
    /// The language every shopper sees, when the merchant wants one; otherwise the page's or the
    /// browser's language is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// The copy in other languages, by language code (`de`, `es`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, Copy>,
    #[serde(default)]
    pub theme: Theme,
}

impl CampaignPublic {
    /// The copy in `locale`, or the campaign's own.
    pub fn copy_in(&self, locale: Locale) -> &Copy {
        self.translations.get(locale.code()).unwrap_or(&self.copy)
    }
}

/// Colours, corner radius and font of the widget (CSS custom properties inside the shadow
/// root). Merchants can still override them from their page's CSS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Theme {
    pub accent: Option<String>,
    pub accent_text: Option<String>,
    pub text: Option<String>,
    pub background: Option<String>,
    pub border: Option<String>,
    pub error: Option<String>,
    pub radius: Option<String>,
    pub font: Option<String>,
}

impl Theme {
    /// `--vouch-accent: …; …` for the values set.
    pub fn css_variables(&self) -> String {
        let pairs = [
            ("accent", &self.accent),
            ("accent-text", &self.accent_text),
            ("text", &self.text),
            ("bg", &self.background),
            ("border", &self.border),
            ("error", &self.error),
            ("radius", &self.radius),
            ("font", &self.font),
        ];
        pairs
            .iter()
            .filter_map(|(name, v)| v.as_ref().map(|v| format!("--vouch-{name}: {v};")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A theme value may not break out of its declaration.
    pub fn is_safe_value(value: &str) -> bool {
        !value.is_empty()
            && value.len() <= 200
            && value.chars().all(|c| c.is_ascii_alphanumeric() || " #(),.%-_'\"/".contains(c))
    }
}

/// The public side of a referral program: what each side gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralOffer {
    /// What a referred friend gets, e.g. "10 % off your first order".
    pub friend_offer: String,
    /// What the referrer gets per converted friend.
    pub referrer_reward: String,
    /// How long a friend's browser remembers the code.
    pub attribution_days: u32,
}

/// The words a merchant chooses for the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Copy {
    pub title: String,
    pub intro: String,
    pub submit_label: String,
    pub confirmed: String,
    pub terms_label: String,
    pub marketing_label: String,
}

impl Default for Copy {
    fn default() -> Self {
        Self {
            title: "Enter the giveaway".into(),
            intro: "Upload a photo of your receipt to take part.".into(),
            submit_label: "Enter now".into(),
            confirmed: "You're in! We've sent you a confirmation e-mail.".into(),
            terms_label: "I accept the terms and conditions.".into(),
            marketing_label: "Send me news and offers (optional).".into(),
        }
    }
}

/// Campaign ids appear in URLs and object keys: lowercase letters, digits and hyphens.
pub fn is_valid_campaign_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_becomes_css_variables() {
        let theme = Theme { accent: Some("#0a7".into()), radius: Some("12px".into()), ..Theme::default() };
        assert_eq!(theme.css_variables(), "--vouch-accent: #0a7; --vouch-radius: 12px;");
        assert!(Theme::is_safe_value("\"Inter\", system-ui"));
        assert!(!Theme::is_safe_value("red; } body { display: none"));
        assert!(!Theme::is_safe_value("url(javascript:x)<"));
    }

    #[test]
    fn campaign_ids_are_url_and_key_safe() {
        assert!(is_valid_campaign_id("summer-2026"));
        assert!(!is_valid_campaign_id("Summer"));
        assert!(!is_valid_campaign_id("../etc"));
        assert!(!is_valid_campaign_id(""));
    }
}
