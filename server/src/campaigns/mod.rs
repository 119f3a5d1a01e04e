//! Campaign definitions, one TOML file per campaign in the campaigns folder. The public part goes
//! to the widget as is; allowed origins and rate limits stay on the server.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use vouch_core::campaign::{CampaignPublic, Copy};
use vouch_core::eligibility::EntriesPeriod;
use vouch_core::i18n::Locale;
use vouch_core::moderation::ModerationMode;
use vouch_core::rewards::VelocityLimits;

pub use codes::PoolConfig;
pub use schedule::CampaignSchedule;

pub mod codes;
pub use duplicates::DuplicateCheck;

mod duplicates;
mod file;
mod schedule;

pub use file::parse;

#[derive(Debug, Clone)]
pub struct Campaign {
    /// The public config in the campaign's own language (`[copy]`).
    pub public: CampaignPublic,
    /// The language every shopper gets, when the merchant fixes one.
    pub locale: Option<Locale>,
    /// `[copy]` and the referral offer in other languages.
    pub translations: HashMap<Locale, Translation>,
    pub allowed_origins: Vec<String>,
    pub limits: RateLimits,
    pub referral: Option<ReferralConfig>,
    /// The hosted page's share image (Open Graph), if any.
    pub image_url: Option<String>,
    /// Facebook pages whose fan-page tab shows this campaign.
    pub facebook_page_ids: Vec<String>,
    /// Upload grants may allow this many bytes that no entry claimed yet (`[uploads] max_pending_mb`).
    pub pending_upload_bytes: u64,
    /// When entries are taken, and the grace after the close for grants issued before it.
    pub schedule: CampaignSchedule,
    /// At most this many entries per person (mailbox identity) and period; `None`: no limit.
    pub entry_limit: Option<EntryLimit>,
    /// The code pools (`[codes.<pool>]`) the campaign hands codes out from.
    pub code_pools: BTreeMap<vouch_core::codes::Pool, PoolConfig>,
    /// What the worker does with a receipt another entry already sent; `None`: no check.
    pub duplicates: Option<DuplicateCheck>,
    /// Which entries wait for a person (`moderation = "none" | "flagged" | "all"`).
    pub moderation: ModerationMode,
    /// Days a drawn winner has to claim the prize (`[draw] claim_days`, 14 by default).
    pub claim_days: u32,
    /// How long personal data is kept after the close (`retention_days`, 90 by default).
    pub retention: vouch_core::retention::Retention,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryLimit {
    pub per_person: u32,
    pub period: EntriesPeriod,
}

/// A campaign's referral program, server side.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralConfig {
    /// Share links point here, with `?vouch_ref=CODE` appended. Defaults to the demo page.
    #[serde(default)]
    pub landing_url: String,
    pub friend_offer: String,
    pub referrer_reward: String,
    #[serde(default = "default_attribution_days")]
    pub attribution_days: u32,
    /// Where signed webhooks go (`referrer.joined`, `conversion.recorded`, `reward.approved`).
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Approve credits for conversions reported by a thank-you page without review.
    #[serde(default)]
    pub trust_browser_conversions: bool,
    #[serde(default)]
    pub velocity: VelocityLimits,
    /// Extra draw entries per approved referrer credit, for a referrer who also entered.
    #[serde(default)]
    pub bonus_entries_per_conversion: u32,
    /// The most bonus entries one referrer can earn; required with `bonus_entries_per_conversion`.
    #[serde(default)]
    pub max_bonus_entries: Option<u32>,
}

fn default_attribution_days() -> u32 {
    30
}

impl ReferralConfig {
    pub fn share_url(&self, code: &str) -> String {
        let sep = if self.landing_url.contains('?') { '&' } else { '?' };
        format!("{}{sep}vouch_ref={code}", self.landing_url)
    }
}

impl Campaign {
    pub fn id(&self) -> &str {
        &self.public.id
    }

    /// The language a shopper gets: the campaign's own when fixed, else the one asked for.
    pub fn locale_for(&self, asked: Option<Locale>) -> Locale {
        self.locale.or(asked).unwrap_or(self.public.locale)
    }

    /// `[copy]` in `locale`, or the campaign's own copy.
    pub fn copy_in(&self, locale: Locale) -> &Copy {
        self.translations.get(&locale).map_or(&self.public.copy, |t| &t.copy)
    }

    /// The public config as a shopper in `locale` gets it.
    pub fn public_in(&self, locale: Locale) -> CampaignPublic {
        let mut public = CampaignPublic { copy: self.copy_in(locale).clone(), locale, ..self.public.clone() };
        if let (Some(offer), Some(t)) = (public.referral.as_mut(), self.translations.get(&locale)) {
            offer.friend_offer = t.friend_offer.clone().unwrap_or(offer.friend_offer.clone());
            offer.referrer_reward = t.referrer_reward.clone().unwrap_or(offer.referrer_reward.clone());
        }
        public
    }

    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// Requests per minute, per client IP, for each write route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    pub entries_per_minute: u32,
    pub entries_burst: u32,
    pub uploads_per_minute: u32,
    pub uploads_burst: u32,
    /// Funnel event batches (`POST /v1/events`). A tab sends one every 5 s at most while things
    /// happen, and shoppers behind one address (an office, a mobile carrier) share the allowance.
    pub events_per_minute: u32,
    pub events_burst: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            entries_per_minute: 30,
            entries_burst: 10,
            uploads_per_minute: 60,
            uploads_burst: 20,
            events_per_minute: 120,
            events_burst: 60,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("cannot read campaigns from {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid campaign file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Default)]
pub struct Campaigns {
    by_id: HashMap<String, Arc<Campaign>>,
}

impl Campaigns {
    pub fn load_dir(dir: &Path) -> Result<Self, CampaignError> {
        let read_err = |source| CampaignError::Read { path: dir.into(), source };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let mut campaigns = Campaigns::default();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|source| CampaignError::Read { path: path.clone(), source })?;
            let campaign = parse(&text).map_err(|message| CampaignError::Invalid { path: path.clone(), message })?;
            campaigns.insert(campaign);
        }
        Ok(campaigns)
    }

    pub fn insert(&mut self, campaign: Campaign) {
        self.by_id.insert(campaign.public.id.clone(), Arc::new(campaign));
    }

    pub fn get(&self, id: &str) -> Option<Arc<Campaign>> {
        self.by_id.get(id).cloned()
    }

    /// The campaign a Facebook page's tab shows.
    pub fn for_facebook_page(&self, page_id: &str) -> Option<Arc<Campaign>> {
        self.by_id.values().find(|c| c.facebook_page_ids.iter().any(|p| p == page_id)).cloned()
    }

    /// Every campaign may be used from the BFF's own pages (hosted page, Facebook tab).
    pub fn allow_everywhere(&mut self, origin: &str) {
        for c in self.by_id.values_mut() {
            Arc::make_mut(c).allowed_origins.push(origin.to_string());
        }
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.keys().map(String::as_str)
    }

    /// Lets the demo merchant page (its own origin) embed `id`, and makes it the landing page of
    /// share links when the campaign names none.
    pub fn adopt_demo_origin(&mut self, id: &str, origins: &[String]) {
        if let Some(c) = self.by_id.get_mut(id) {
            let c = Arc::make_mut(c);
            c.allowed_origins.extend(origins.iter().cloned());
            if let (Some(r), Some(first)) = (c.referral.as_mut(), origins.first()) {
                if r.landing_url.is_empty() {
                    r.landing_url = format!("{first}/shop");
                }
            }
        }
    }
}

/// Parses and checks one campaign file.
/// The campaign's words in one more language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub copy: Copy,
    pub friend_offer: Option<String>,
    pub referrer_reward: Option<String>,
}

#[cfg(test)]
mod entrant_tests;
#[cfg(test)]
mod tests;
