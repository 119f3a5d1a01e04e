//! What a campaign shows the public: `GET /v1/campaigns/{campaign}`. Server-only settings
//! (secrets, allowed origins, rate limits) live in the server's config, never here.

use serde::{Deserialize, Serialize};

use crate::form::FormRules;
use crate::i18n::Locale;
use crate::schedule::ScheduleState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignPublic {
    pub id: String,
    pub name: String,
    pub copy: Copy,
    pub form: FormRules,
    /// Present when the campaign runs a referral program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralOffer>,
    /// The language of this answer: the server picks it (the campaign's, else the one the widget
    /// asked for) and translates `copy`; the widget speaks it too.
    #[serde(default)]
    pub locale: Locale,
    /// The campaign's theme as CSS custom-property declarations ([`Theme::css_variables`]), so
    /// the widget need not know the theme's shape.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub theme: String,
    /// The schedule (RFC 3339, as the campaign file gives it); absent means unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<String>,
    /// The IANA time zone dates are shown in, when the merchant names one (display only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Where the schedule stood when this answer was made.
    #[serde(default)]
    pub state: ScheduleState,
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
    fn pairs(&self) -> [(&'static str, &Option<String>); 8] {
        [
            ("accent", &self.accent),
            ("accent-text", &self.accent_text),
            ("text", &self.text),
            ("bg", &self.background),
            ("border", &self.border),
            ("error", &self.error),
            ("radius", &self.radius),
            ("font", &self.font),
        ]
    }

    /// `--vouch-accent: …; …` for the values set.
    pub fn css_variables(&self) -> String {
        let set = self.pairs().into_iter().filter_map(|(name, v)| v.as_ref().map(|v| format!("--vouch-{name}: {v};")));
        set.collect::<Vec<_>>().join(" ")
    }

    /// The first value that could break out of its declaration (`;`, `}`, `<`…), if any.
    pub fn unsafe_value(&self) -> Option<&str> {
        let safe = |v: &str| {
            !v.is_empty()
                && v.len() <= 200
                && v.chars().all(|c| c.is_ascii_alphanumeric() || " #(),.%-_'\"/".contains(c))
        };
        self.pairs().into_iter().filter_map(|(_, v)| v.as_deref()).find(|v| !safe(v))
    }
}

/// The public side of a referral program: what each side gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
        assert_eq!(theme.unsafe_value(), None);
        let font = Theme { font: Some("\"Inter\", system-ui".into()), ..Theme::default() };
        assert_eq!(font.unsafe_value(), None);
        let escape = Theme { text: Some("red; } body { display: none".into()), ..Theme::default() };
        assert_eq!(escape.unsafe_value(), Some("red; } body { display: none"));
        let markup = Theme { background: Some("url(javascript:x)<".into()), ..Theme::default() };
        assert!(markup.unsafe_value().is_some());
    }

    #[test]
    fn campaign_ids_are_url_and_key_safe() {
        assert!(is_valid_campaign_id("summer-2026"));
        assert!(!is_valid_campaign_id("Summer"));
        assert!(!is_valid_campaign_id("../etc"));
        assert!(!is_valid_campaign_id(""));
    }
}
