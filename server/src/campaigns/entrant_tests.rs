//! The campaign file's entrant conditions (minimum age, countries) and bonus entries.

use vouch_core::age::AgeCheck;

use super::parse;

const BASE: &str = r#"
    id = "demo"
    name = "Demo"
    [form]
    phone = "optional"
"#;

const REFERRAL: &str = "[referral]\nfriend_offer = \"10 %\"\nreferrer_reward = \"10 %\"\n";

#[test]
fn a_minimum_age_and_countries_reach_the_public_form() {
    let text = format!("{BASE}min_age = 18\nage_check = \"confirmation\"\ncountries = [\"de\", \"AT\"]\n");
    let form = parse(&text).unwrap().public.form;
    assert_eq!((form.min_age, form.age_check), (Some(18), AgeCheck::Confirmation));
    assert_eq!(form.countries.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["DE", "AT"]);
    let form = parse(&format!("{BASE}min_age = 16\n")).unwrap().public.form;
    assert_eq!(form.age_check, AgeCheck::DateOfBirth, "a date of birth unless the file says otherwise");
}

#[test]
fn a_country_list_with_an_unknown_code_is_refused_at_load() {
    let err = parse(&format!("{BASE}countries = [\"DE\", \"UK\"]\n")).unwrap_err();
    assert!(err.contains("\"UK\", expected an ISO 3166-1 alpha-2 country code"), "{err}");
    let err = parse(&format!("{BASE}age_check = \"selfie\"\n")).unwrap_err();
    assert!(err.contains("selfie"), "{err}");
}

#[test]
fn bonus_entries_need_a_cap() {
    let bonus = |extra: &str| parse(&format!("{BASE}{REFERRAL}{extra}"));
    let r = bonus("bonus_entries_per_conversion = 2\nmax_bonus_entries = 5\n").unwrap().referral.unwrap();
    assert_eq!((r.bonus_entries_per_conversion, r.max_bonus_entries), (2, Some(5)));
    let err = bonus("bonus_entries_per_conversion = 2\n").unwrap_err();
    assert!(err.contains("max_bonus_entries"), "{err}");
}
