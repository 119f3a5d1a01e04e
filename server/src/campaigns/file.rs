//! A campaign file as written (TOML, unknown keys refused) and how it becomes a checked
//! [`Campaign`]: every rule a file must meet is applied here, once, at load.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use vouch_core::campaign::{is_valid_campaign_id, CampaignPublic, Copy, ReferralOffer, Theme};
use vouch_core::duplicates::DuplicatePolicy;
use vouch_core::eligibility::EntriesPeriod;
use vouch_core::form::FormRules;
use vouch_core::i18n::Locale;
use vouch_core::moderation::ModerationMode;
use vouch_core::retention::Retention;
use vouch_core::upload::SUPPORTED_TYPES;

use super::schedule::ScheduleFile;
use super::{codes, duplicates, Campaign, EntryLimit, RateLimits, ReferralConfig, Translation};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CampaignFile {
    id: String,
    name: String,
    #[serde(default)]
    allowed_origins: Vec<String>,
    #[serde(default)]
    copy: Copy,
    #[serde(default)]
    form: FormRules,
    #[serde(default)]
    limits: RateLimits,
    #[serde(default)]
    referral: Option<ReferralConfig>,
    #[serde(default)]
    locale: Option<Locale>,
    /// Per language, the copy keys that differ; the rest comes from `[copy]`.
    #[serde(default)]
    translations: BTreeMap<String, toml::Table>,
    #[serde(default)]
    theme: Theme,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default)]
    facebook: FacebookFile,
    #[serde(default)]
    uploads: UploadsFile,
    #[serde(default)]
    draw: DrawFile,
    // The schedule (see `schedule.rs`); top-level keys, as serde's flatten and
    // deny_unknown_fields do not mix.
    #[serde(default)]
    opens_at: Option<String>,
    #[serde(default)]
    closes_at: Option<String>,
    /// Days after the close the personal data is kept (see `vouch_core::retention`).
    #[serde(default)]
    retention_days: Option<u32>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    close_grace_minutes: Option<u32>,
    #[serde(default)]
    entries_per_person: Option<u32>,
    #[serde(default)]
    entries_period: Option<EntriesPeriod>,
    #[serde(default)]
    codes: BTreeMap<vouch_core::codes::Pool, codes::PoolFile>,
    duplicates: Option<DuplicatePolicy>,
    duplicate_distance: Option<u32>,
    #[serde(default)]
    moderation: ModerationMode,
}

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct UploadsFile {
    /// Megabytes of granted, unclaimed uploads the campaign may have pending (the store's disk).
    max_pending_mb: u64,
}

impl Default for UploadsFile {
    fn default() -> Self {
        Self { max_pending_mb: 1024 }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrawFile {
    claim_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FacebookFile {
    #[serde(default)]
    page_ids: Vec<String>,
}

const OFFER_KEYS: [&str; 2] = ["friend_offer", "referrer_reward"];

/// Each translation is the campaign's copy with the keys the translation sets replaced, plus the
/// referral offer's texts when given.
fn translate(copy: &Copy, overlays: &BTreeMap<String, toml::Table>) -> Result<HashMap<Locale, Translation>, String> {
    let base = toml::Table::try_from(copy).map_err(|e| e.to_string())?;
    overlays
        .iter()
        .map(|(lang, overlay)| {
            let locale = Locale::parse(lang).filter(|l| l.code() == lang).ok_or_else(|| {
                format!("translation {lang:?} is not a language we have a catalogue for (en, de, es)")
            })?;
            if let Some(key) = overlay.keys().find(|k| !base.contains_key(*k) && !OFFER_KEYS.contains(&k.as_str())) {
                return Err(format!("translation {lang:?}: {key:?} is not a copy or offer key"));
            }
            let text = |key: &str| overlay.get(key).and_then(|v| v.as_str()).map(str::to_string);
            let mut merged = base.clone();
            merged.extend(overlay.clone().into_iter().filter(|(k, _)| !OFFER_KEYS.contains(&k.as_str())));
            let copy = Copy::deserialize(merged).map_err(|e| format!("translation {lang:?}: {e}"))?;
            Ok((
                locale,
                Translation { copy, friend_offer: text("friend_offer"), referrer_reward: text("referrer_reward") },
            ))
        })
        .collect()
}

pub fn parse(text: &str) -> Result<Campaign, String> {
    let file: CampaignFile = toml::from_str(text).map_err(|e| e.to_string())?;
    if !is_valid_campaign_id(&file.id) {
        return Err(format!("id {:?} must be 1-64 lowercase letters, digits or hyphens", file.id));
    }
    if let Some(t) = file.form.upload.content_types.iter().find(|t| !SUPPORTED_TYPES.contains(&t.as_str())) {
        return Err(format!("upload type {t:?} is not one the worker can verify ({SUPPORTED_TYPES:?})"));
    }
    file.form.upload.check_settings()?;
    if let Some(o) = file.allowed_origins.iter().find(|o| !is_origin(o)) {
        return Err(format!("allowed origin {o:?} must be scheme://host[:port] with no path"));
    }
    let pending_upload_bytes = file.uploads.max_pending_mb.saturating_mul(1024 * 1024);
    if pending_upload_bytes < file.form.upload.max_bytes {
        return Err("[uploads] max_pending_mb must hold at least one upload of [form.upload] max_bytes".into());
    }
    let l = file.limits;
    let all = [l.entries_per_minute, l.entries_burst, l.uploads_per_minute, l.uploads_burst];
    if all.contains(&0) || [l.events_per_minute, l.events_burst].contains(&0) {
        return Err("rate limits must be at least 1".into());
    }
    if let Some(r) = &file.referral {
        let origin: String = r.landing_url.split('/').take(3).collect::<Vec<_>>().join("/");
        if !r.landing_url.is_empty() && !is_origin(&origin) {
            return Err(format!("referral landing_url {:?} must be an http(s) URL", r.landing_url));
        }
        let webhook_ok = |u: &str| u.starts_with("https://") || u.starts_with("http://");
        if r.webhook_url.as_deref().is_some_and(|u| !webhook_ok(u)) {
            return Err("referral webhook_url must be an http(s) URL".into());
        }
        if r.bonus_entries_per_conversion > 0 && r.max_bonus_entries.is_none() {
            return Err("referral bonus_entries_per_conversion needs max_bonus_entries (the cap)".into());
        }
    }
    let offer = file.referral.as_ref().map(|r| ReferralOffer {
        friend_offer: r.friend_offer.clone(),
        referrer_reward: r.referrer_reward.clone(),
        attribution_days: r.attribution_days,
    });
    let translations = translate(&file.copy, &file.translations)?;
    if let Some(bad) = file.theme.unsafe_value() {
        return Err(format!("theme value {bad:?} has characters a CSS value does not need"));
    }
    if file.image_url.as_deref().is_some_and(|u| !u.starts_with("https://") && !u.starts_with("http://")) {
        return Err("image_url must be an http(s) URL".into());
    }
    let schedule = ScheduleFile {
        opens_at: file.opens_at.clone(),
        closes_at: file.closes_at.clone(),
        timezone: file.timezone.clone(),
        close_grace_minutes: file.close_grace_minutes,
    }
    .check()?;
    let retention = Retention::from_setting(file.retention_days).map_err(|e| e.to_string())?;
    let entry_limit = match (file.entries_per_person, file.entries_period) {
        (Some(0), _) => return Err("entries_per_person must be at least 1 (leave it out for no limit)".into()),
        (Some(per_person), period) => Some(EntryLimit { per_person, period: period.unwrap_or_default() }),
        (None, Some(_)) => return Err("entries_period needs entries_per_person".into()),
        (None, None) => None,
    };
    Ok(Campaign {
        public: CampaignPublic {
            id: file.id,
            name: file.name,
            copy: file.copy,
            form: file.form,
            referral: offer,
            locale: file.locale.unwrap_or_default(),
            theme: file.theme.css_variables(),
            opens_at: file.opens_at,
            closes_at: file.closes_at,
            timezone: file.timezone,
            state: Default::default(),
        },
        locale: file.locale,
        translations,
        allowed_origins: file.allowed_origins,
        limits: file.limits,
        referral: file.referral,
        image_url: file.image_url,
        facebook_page_ids: file.facebook.page_ids,
        pending_upload_bytes,
        schedule,
        entry_limit,
        code_pools: codes::check(file.codes)?,
        duplicates: duplicates::check(file.duplicates, file.duplicate_distance)?,
        moderation: file.moderation,
        claim_days: file.draw.claim_days.unwrap_or(14),
        retention,
    })
}

fn is_origin(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|host| !host.is_empty() && !host.contains('/'))
}
