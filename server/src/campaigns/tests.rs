//! The campaign file's rules: what parses, what is refused, and the defaults.

use super::*;

const DEMO: &str = r#"
    id = "demo"
    name = "Demo"
    allowed_origins = ["https://shop.example"]
    [form]
    phone = "optional"
    [form.upload]
    max_bytes = 1000
"#;

#[test]
fn a_campaign_file_sets_its_rules_and_keeps_defaults_for_the_rest() {
    let c = parse(DEMO).unwrap();
    assert_eq!(c.public.form.upload.max_bytes, 1000);
    assert_eq!(c.public.form.upload.content_types.len(), 3);
    assert!(c.allows_origin("https://shop.example"));
    assert!(!c.allows_origin("https://evil.example"));
}

#[test]
fn an_upload_type_the_worker_cannot_verify_is_refused() {
    let text = DEMO.replace("max_bytes = 1000", "content_types = [\"text/html\"]");
    assert!(parse(&text).unwrap_err().contains("text/html"));
}

#[test]
fn pending_uploads_default_to_a_gigabyte_and_must_hold_one_upload() {
    assert_eq!(parse(DEMO).unwrap().pending_upload_bytes, 1 << 30);
    let text = DEMO.replace("max_bytes = 1000", "max_bytes = 2000000") + "[uploads]\nmax_pending_mb = 1\n";
    assert!(parse(&text).unwrap_err().contains("max_pending_mb"));
}

#[test]
fn the_downscale_edge_defaults_to_2560_px_and_is_refused_out_of_range() {
    assert_eq!(parse(DEMO).unwrap().public.form.upload.max_edge_px, 2560);
    let edge = |px: u32| DEMO.replace("max_bytes = 1000", &format!("max_bytes = 1000\nmax_edge_px = {px}"));
    assert_eq!(parse(&edge(1600)).unwrap().public.form.upload.max_edge_px, 1600);
    assert!(parse(&edge(300)).unwrap_err().contains("max_edge_px"));
}

#[test]
fn an_origin_with_a_path_is_refused() {
    let text = DEMO.replace("https://shop.example", "https://shop.example/page");
    assert!(parse(&text).unwrap_err().contains("allowed origin"));
}

#[test]
fn a_referral_program_shares_links_to_its_landing_page() {
    let text = format!("{DEMO}\n[referral]\nlanding_url = \"https://shop.example/r?src=x\"\nfriend_offer = \"10 %\"\nreferrer_reward = \"10 %\"");
    let c = parse(&text).unwrap();
    let r = c.referral.unwrap();
    assert_eq!(r.share_url("AB3DK9MZ"), "https://shop.example/r?src=x&vouch_ref=AB3DK9MZ");
    assert_eq!(r.attribution_days, 30);
    assert_eq!(c.public.referral.unwrap().friend_offer, "10 %");
}

const TRANSLATED: &str = r##"
    locale = "en"
    image_url = "https://cdn.example/x.jpg"
    [copy]
    title = "Win"
    intro = "Upload your receipt."
    [translations.de]
    title = "Gewinnen"
    friend_offer = "10 % Rabatt"
    [theme]
    accent = "#7c3f16"
    font = "\"Inter\", sans-serif"
    [facebook]
    page_ids = ["42"]
    [referral]
    landing_url = "https://shop.example/"
    friend_offer = "10 % off"
    referrer_reward = "5 EUR"
"##;

/// DEMO's top-level keys first, then the tables, as TOML wants.
fn combined(extra: &str) -> String {
    let (top, tables) = extra.split_once('[').unwrap();
    DEMO.replacen("[form]", &format!("{top}\n[{tables}\n[form]"), 1)
}

#[test]
fn a_translation_replaces_the_keys_it_sets_and_keeps_the_rest() {
    let c = parse(&combined(&TRANSLATED.replace("locale = \"en\"\n", ""))).unwrap();
    let de = c.public_in(Locale::De);
    assert_eq!(
        (de.locale, de.copy.title.as_str(), de.copy.intro.as_str()),
        (Locale::De, "Gewinnen", "Upload your receipt.")
    );
    let offer = de.referral.unwrap();
    assert_eq!((offer.friend_offer.as_str(), offer.referrer_reward.as_str()), ("10 % Rabatt", "5 EUR"));
    let es = c.public_in(Locale::Es);
    assert_eq!(es.copy.title, "Win", "no Spanish translation: the campaign's own copy");
    assert_eq!(c.locale_for(Some(Locale::Es)), Locale::Es);
    assert_eq!(c.locale_for(None), Locale::En);
}

#[test]
fn a_fixed_locale_wins_over_what_the_shopper_asks_for() {
    let c = parse(&combined(TRANSLATED)).unwrap();
    assert_eq!(c.locale_for(Some(Locale::De)), Locale::En);
    assert_eq!(c.public.theme, "--vouch-accent: #7c3f16; --vouch-font: \"Inter\", sans-serif;");
    assert_eq!(c.facebook_page_ids, ["42"]);
    assert_eq!(c.image_url.as_deref(), Some("https://cdn.example/x.jpg"));
}

#[test]
fn unknown_languages_keys_and_unsafe_themes_are_refused() {
    let text = combined(TRANSLATED);
    assert!(parse(&text.replace("[translations.de]", "[translations.fr]")).unwrap_err().contains("\"fr\""));
    assert!(parse(&text.replace("title = \"Gewinnen\"", "titel = \"Gewinnen\"")).unwrap_err().contains("titel"));
    let err = parse(&text.replace("#7c3f16", "red; } :host { display: none")).unwrap_err();
    assert!(err.contains("theme value"), "{err}");
    assert!(parse(&text.replace("https://cdn.example/x.jpg", "javascript:alert(1)"))
        .unwrap_err()
        .contains("image_url"));
}

#[test]
fn an_unsafe_campaign_id_is_refused() {
    assert!(parse(&DEMO.replace("\"demo\"", "\"../x\"")).is_err());
}

#[test]
fn a_schedule_parses_with_its_offset_and_defaults_to_a_15_minute_grace() {
    let text = format!(
        "opens_at = \"2026-12-01T09:00:00+01:00\"\ncloses_at = \"2026-12-24T23:59:59Z\"\ntimezone = \"Europe/Berlin\"\n{DEMO}"
    );
    let c = parse(&text).unwrap();
    assert_eq!(c.schedule.window.opens_at_ms, Some(1_796_112_000_000));
    assert_eq!(c.schedule.window.closes_at_ms, Some(1_798_156_799_000));
    assert_eq!(c.schedule.close_grace_ms, 15 * 60_000);
    assert_eq!(c.public.opens_at.as_deref(), Some("2026-12-01T09:00:00+01:00"));
    assert_eq!(c.public.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(parse(DEMO).unwrap().schedule.window, vouch_core::schedule::Schedule::default());
}

#[test]
fn a_campaign_closing_before_or_when_it_opens_is_refused() {
    for closes in ["2026-12-01T08:00:00Z", "2026-12-01T09:00:00+01:00"] {
        let text = format!("opens_at = \"2026-12-01T09:00:00+01:00\"\ncloses_at = \"{closes}\"\n{DEMO}");
        assert!(parse(&text).unwrap_err().contains("closes_at must be after opens_at"), "{closes}");
    }
}

#[test]
fn a_time_without_an_offset_or_not_rfc_3339_is_refused() {
    for bad in ["2026-12-01T09:00:00", "2026-12-01", "1 December 2026", "2026-13-01T09:00:00Z"] {
        let text = format!("opens_at = \"{bad}\"\n{DEMO}");
        assert!(parse(&text).unwrap_err().contains("RFC 3339"), "{bad}");
    }
    let text = format!("timezone = \"Berlin time!\"\n{DEMO}");
    assert!(parse(&text).unwrap_err().contains("timezone"));
}

#[test]
fn an_entry_limit_counts_per_campaign_unless_a_period_is_given() {
    use vouch_core::eligibility::EntriesPeriod;
    assert_eq!(parse(DEMO).unwrap().entry_limit, None);
    let limit = |extra: &str| parse(&format!("{extra}\n{DEMO}")).map(|c| c.entry_limit);
    assert_eq!(
        limit("entries_per_person = 3").unwrap(),
        Some(EntryLimit { per_person: 3, period: EntriesPeriod::Campaign })
    );
    assert_eq!(
        limit("entries_per_person = 1\nentries_period = \"week\"").unwrap(),
        Some(EntryLimit { per_person: 1, period: EntriesPeriod::Week })
    );
    assert!(limit("entries_per_person = 0").unwrap_err().contains("entries_per_person"));
    assert!(limit("entries_period = \"day\"").unwrap_err().contains("entries_per_person"));
    assert!(limit("entries_per_person = 2\nentries_period = \"month\"").is_err());
}

#[test]
fn duplicate_receipts_are_checked_only_when_the_campaign_asks() {
    use vouch_core::duplicates::{DuplicatePolicy, DEFAULT_THRESHOLD};
    let check = |extra: &str| parse(&format!("{extra}\n{DEMO}")).map(|c| c.duplicates);
    assert_eq!(check("").unwrap(), None);
    assert_eq!(
        check("duplicates = \"reject\"").unwrap(),
        Some(DuplicateCheck { policy: DuplicatePolicy::Reject, threshold: DEFAULT_THRESHOLD })
    );
    assert_eq!(
        check("duplicates = \"review\"\nduplicate_distance = 4").unwrap(),
        Some(DuplicateCheck { policy: DuplicatePolicy::Review, threshold: 4 })
    );
    assert!(check("duplicate_distance = 4").unwrap_err().contains("duplicates"));
    assert!(check("duplicates = \"reject\"\nduplicate_distance = 40").unwrap_err().contains("at most"));
    assert!(check("duplicates = \"maybe\"").is_err());
}

#[test]
fn moderation_defaults_to_none_and_flagged_sends_receipt_copies_to_review() {
    use vouch_core::duplicates::{DuplicatePolicy, DEFAULT_THRESHOLD};
    use vouch_core::moderation::ModerationMode;
    let campaign = |extra: &str| parse(&format!("{extra}\n{DEMO}")).unwrap();
    assert_eq!(campaign("").moderation, ModerationMode::None);
    assert_eq!(campaign("").duplicate_check(), None);
    let flagged = campaign("moderation = \"flagged\"");
    assert_eq!(
        flagged.duplicate_check(),
        Some(DuplicateCheck { policy: DuplicatePolicy::Review, threshold: DEFAULT_THRESHOLD })
    );
    // The campaign's own duplicate rule wins.
    let strict = campaign("moderation = \"flagged\"\nduplicates = \"reject\"");
    assert_eq!(strict.duplicate_check().map(|c| c.policy), Some(DuplicatePolicy::Reject));
    assert_eq!(campaign("moderation = \"all\"").moderation, ModerationMode::All);
    assert!(parse(&format!("moderation = \"some\"\n{DEMO}")).is_err());
}
