use super::*;

fn public(json: &str) -> CampaignPublic {
    serde_json::from_str(json).unwrap()
}

const PLAIN: &str = r#"{"id":"x","name":"X","copy":{},"form":{}}"#;

struct Draft;

impl Prefill for Draft {
    fn text(&self, field: Field) -> String {
        match field {
            Field::FirstName => "Zoë \"Z\" <b>".into(),
            Field::Country => "AT".into(),
            _ => String::new(),
        }
    }
    fn checked(&self, id: &str) -> bool {
        id == "terms"
    }
}

#[test]
fn the_fields_speak_the_campaign_language_and_show_only_what_it_asks_for() {
    let p =
        public(r#"{"id":"x","name":"X","copy":{},"locale":"de","form":{"phone":"optional","postal_code":"hidden"}}"#);
    let html = before_receipt(&p, &Blank);
    assert!(html.contains(">Vorname</label>"), "{html}");
    assert!(html.contains("id=\"phone\""));
    assert_eq!(html.matches("<span class=\"optional\">").count(), 1, "only the phone is optional: {html}");
    assert!(!html.contains("id=\"postal_code\""), "hidden fields are left out");
    assert!(!html.contains("id=\"country\""), "no country list, no select");
    assert!(!html.contains("id=\"date_of_birth\""), "no age rule, no date of birth");
    let tail = after_receipt(&p, &Blank);
    assert!(!tail.contains("age_confirmation"), "{tail}");
    assert!(tail.contains("id=\"terms\"") && tail.contains("id=\"marketing\""), "{tail}");
}

#[test]
fn a_draft_is_drawn_filled_in_and_escaped() {
    let p = public(r#"{"id":"x","name":"X","copy":{},"form":{"countries":["DE","AT"]}}"#);
    let html = before_receipt(&p, &Draft);
    assert!(html.contains("value=\"Zoë &quot;Z&quot; &lt;b&gt;\""), "{html}");
    assert!(html.contains("<option value=\"AT\" selected>AT</option>"), "{html}");
    assert!(html.contains("<option value=\"DE\">DE</option>"), "{html}");
    let tail = after_receipt(&p, &Draft);
    assert!(tail.contains("id=\"terms\" name=\"terms\" checked"), "{tail}");
    assert!(!tail.contains("id=\"marketing\" name=\"marketing\" checked"), "{tail}");
}

#[test]
fn the_merchants_words_cannot_open_an_element() {
    let p = public(r#"{"id":"x","name":"X","copy":{"terms_label":"<img src=x onerror=alert(1)>"},"form":{}}"#);
    let tail = after_receipt(&p, &Blank);
    assert!(!tail.contains("<img"), "{tail}");
    assert!(tail.contains("&lt;img src=x onerror=alert(1)&gt;"), "{tail}");
}

#[test]
fn the_age_rule_asks_for_a_date_or_a_box_as_the_campaign_says() {
    let by_date = public(r#"{"id":"x","name":"X","copy":{},"form":{"min_age":18,"age_check":"date_of_birth"}}"#);
    assert!(before_receipt(&by_date, &Blank).contains("type=\"date\""));
    assert!(!after_receipt(&by_date, &Blank).contains("age_confirmation"));
    let by_box = public(r#"{"id":"x","name":"X","copy":{},"form":{"min_age":16,"age_check":"confirmation"}}"#);
    assert!(!before_receipt(&by_box, &Blank).contains("type=\"date\""));
    let tail = after_receipt(&by_box, &Blank);
    assert!(tail.contains("id=\"age_confirmation\""), "{tail}");
    assert!(tail.contains("16"), "the minimum age is in the box's label: {tail}");
}

#[test]
fn every_field_an_error_can_name_has_its_error_line() {
    let p = public(PLAIN);
    let html = before_receipt(&p, &Blank) + &after_receipt(&p, &Blank);
    for id in ["first_name", "last_name", "email", "phone", "postal_code", "terms", "marketing"] {
        assert!(html.contains(&format!("id=\"{id}-error\"")), "{id}: {html}");
        assert!(html.contains(&format!("aria-describedby=\"{id}-error\"")), "{id}: {html}");
    }
}
