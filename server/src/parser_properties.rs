//! Properties of the server's own parsers (upload ids, Facebook signed requests, campaign files):
//! none panics on any input, and whatever one reads it reads the same way every time.

use proptest::prelude::*;
use serde_json::json;
use vouch_core::campaign::is_valid_campaign_id;

use crate::campaigns;
use crate::pages::facebook::{sign, verify, SignedRequestError};
use crate::uploads::ids::UploadIds;

const SECRET: &[u8] = b"property-secret";

/// Arbitrary text, or text from `shaped`.
fn text_or(shaped: &'static str) -> BoxedStrategy<String> {
    prop_oneof![any::<String>(), shaped].boxed()
}

proptest! {
    #[test]
    fn an_upload_id_this_server_did_not_issue_resolves_to_nothing(
        id in text_or("[0-9a-f]{32}[.][A-Za-z0-9_-]{22}"),
        campaign in text_or("[a-z0-9-]{1,12}"),
    ) {
        prop_assert_eq!(UploadIds::new(SECRET).resolve(&campaign, &id), None);
    }

    #[test]
    fn an_issued_upload_id_resolves_to_its_key_every_time_and_only_unchanged(
        campaign in any::<String>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let ids = UploadIds::new(SECRET);
        let (id, key) = ids.issue(&campaign);
        prop_assert_eq!(ids.resolve(&campaign, &id), Some(key.clone()));
        prop_assert_eq!(ids.resolve(&campaign, &id), Some(key));
        let mut changed = id.into_bytes();
        let i = flip.index(changed.len());
        changed[i] = if changed[i] == b'a' { b'b' } else { b'a' };
        prop_assert_eq!(ids.resolve(&campaign, &String::from_utf8(changed).unwrap()), None);
    }

    #[test]
    fn any_unsigned_signed_request_is_refused_without_panicking(
        raw in text_or("[A-Za-z0-9_=-]{0,44}[.][A-Za-z0-9_=.-]{0,60}"),
        now in any::<i64>(),
        max_age in any::<u64>(),
    ) {
        prop_assert!(verify(&raw, SECRET, now, max_age).is_err());
    }

    #[test]
    fn a_signed_request_with_any_values_is_read_the_same_way_twice(
        issued_at in any::<i64>(),
        now in any::<i64>(),
        max_age in any::<u64>(),
        algorithm in text_or("HMAC-SHA256|hmac-sha256|none"),
        page_id in prop_oneof![any::<u64>().prop_map(|n| json!(n)), any::<String>().prop_map(|s| json!(s)), Just(json!(-1))],
        app_data in any::<Option<String>>(),
    ) {
        let payload = json!({"algorithm": algorithm, "issued_at": issued_at, "page": {"id": page_id}, "app_data": app_data});
        let raw = sign(&payload, SECRET);
        let first = verify(&raw, SECRET, now, max_age);
        prop_assert_eq!(&first, &verify(&raw, SECRET, now, max_age));
        match first {
            Ok(request) => {
                prop_assert_eq!(request.issued_at, issued_at);
                prop_assert_eq!(request.app_data, app_data);
                prop_assert!(request.algorithm.eq_ignore_ascii_case("HMAC-SHA256"));
            }
            Err(e) => prop_assert!(e != SignedRequestError::BadSignature && e != SignedRequestError::Missing),
        }
    }

    #[test]
    fn any_text_as_a_campaign_file_is_read_or_refused_without_panicking(text in any::<String>()) {
        prop_assert!(campaigns::parse(&text).is_err());
    }

    #[test]
    fn a_campaign_file_with_any_values_is_read_the_same_way_twice(
        id in text_or("[a-z0-9-]{1,10}"),
        origin in text_or("https?://[a-z.]{0,10}(:[0-9]{1,5})?/?"),
        accent in proptest::option::of(text_or("#[0-9a-f]{3,6}")),
        landing_url in text_or("https?://[a-z.]{0,10}/[a-z?=&]{0,6}"),
        webhook_url in proptest::option::of(text_or("https?://[a-z./]{0,10}")),
        image_url in proptest::option::of(text_or("https?://[a-z./]{0,10}")),
        language in text_or("en|de|es|fr|de-AT"),
        translated_key in text_or("title|button|friend_offer|nonsense"),
        translated in any::<String>(),
        entries_per_minute in 0u32..3,
        content_type in text_or("image/jpeg|image/png|image/webp|image/svg[+]xml"),
    ) {
        let mut file = toml::Table::new();
        file.insert("id".into(), id.into());
        file.insert("name".into(), "Property".into());
        file.insert("allowed_origins".into(), toml::Value::Array(vec![origin.into()]));
        if let Some(url) = image_url {
            file.insert("image_url".into(), url.into());
        }
        let mut theme = toml::Table::new();
        if let Some(accent) = accent {
            theme.insert("accent".into(), accent.into());
        }
        file.insert("theme".into(), theme.into());
        let mut referral = toml::Table::new();
        referral.insert("landing_url".into(), landing_url.into());
        referral.insert("friend_offer".into(), "5 off".into());
        referral.insert("referrer_reward".into(), "5 off".into());
        if let Some(url) = webhook_url {
            referral.insert("webhook_url".into(), url.into());
        }
        file.insert("referral".into(), referral.into());
        let mut limits = toml::Table::new();
        limits.insert("entries_per_minute".into(), i64::from(entries_per_minute).into());
        file.insert("limits".into(), limits.into());
        let mut upload = toml::Table::new();
        upload.insert("content_types".into(), toml::Value::Array(vec![content_type.into()]));
        let mut form = toml::Table::new();
        form.insert("upload".into(), upload.into());
        file.insert("form".into(), form.into());
        let mut overlay = toml::Table::new();
        overlay.insert(translated_key, translated.into());
        let mut translations = toml::Table::new();
        translations.insert(language, overlay.into());
        file.insert("translations".into(), translations.into());
        let text = toml::to_string(&file).unwrap();

        match (campaigns::parse(&text), campaigns::parse(&text)) {
            (Ok(a), Ok(b)) => {
                prop_assert!(is_valid_campaign_id(a.id()));
                prop_assert!(a.allowed_origins.iter().all(|o| o.starts_with("https://") || o.starts_with("http://")));
                prop_assert!(a.limits.entries_per_minute >= 1);
                prop_assert_eq!(&a.public, &b.public);
                prop_assert_eq!(&a.translations, &b.translations);
                prop_assert_eq!(&a.referral, &b.referral);
                prop_assert_eq!((&a.allowed_origins, &a.image_url), (&b.allowed_origins, &b.image_url));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "read once as {:?}, then as {:?}", a.is_ok(), b.is_ok()),
        }
    }
}
