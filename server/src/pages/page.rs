//! The HTML pages the BFF serves itself: the hosted campaign page (also the body of the Facebook
//! tab) and the short message pages a refused tab request gets. The copy is in the HTML, so a
//! shared link previews well and a browser without JavaScript still shows what the campaign is.

use vouch_core::i18n::{self, Locale, PageText};

use vouch_core::campaign::CampaignPublic;

use super::prerender;
use crate::campaigns::Campaign;

/// What one rendering of the campaign page needs besides the campaign.
#[derive(Debug, Clone)]
pub struct PageContext<'a> {
    pub locale: Locale,
    /// The page's absolute URL (canonical and `og:url`).
    pub url: &'a str,
    /// A referral code to credit (the Facebook tab's `app_data`).
    pub referral_code: Option<&'a str>,
    /// The config the widget would ask for: embedded, and drawn as the form at first paint.
    pub config: &'a CampaignPublic,
    /// The form bundle's glue and wasm URLs, preloaded (none when the widget is not built).
    pub bundle: Option<(&'a str, &'a str)>,
}

pub use vouch_core::form_markup::esc;

const PAGE_CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1f2937;background:#f3f4f6}\
main{max-width:640px;margin:0 auto;padding:16px 12px 32px}\
.hero{display:block;width:100%;aspect-ratio:1.91/1;object-fit:cover;border-radius:8px;margin:0 0 12px}\
.site{margin:0 0 12px;font-weight:600;color:#4b5563}\
noscript h1{font-size:1.4em;margin:0 0 6px}\
.nojs{padding:12px 14px;border:1px solid #d1d5db;border-radius:8px;background:#fff}\
@media (prefers-color-scheme:dark){body{background:#030712;color:#e5e7eb}.site{color:#9ca3af}.nojs{background:#111827;border-color:#374151}}";

/// The hosted campaign page: the campaign's copy in `<head>` for link previews and in a
/// `<noscript>` block, then the same snippet a merchant pastes, loading from this origin.
pub fn campaign_page(campaign: &Campaign, ctx: &PageContext<'_>) -> String {
    let public = &campaign.public;
    let copy = campaign.copy_in(ctx.locale);
    let (title, intro, name, url) = (esc(&copy.title), esc(&copy.intro), esc(&public.name), esc(ctx.url));
    let lang = ctx.locale.code();
    let image = campaign.image_url.as_deref().map(esc);
    let og_image = image.as_ref().map_or_else(String::new, |src| {
        format!("<meta property=\"og:image\" content=\"{src}\">\n<meta name=\"twitter:image\" content=\"{src}\">\n")
    });
    let hero = image.as_ref().map_or_else(String::new, |src| format!("<img class=\"hero\" src=\"{src}\" alt=\"\">\n"));
    let card = if image.is_some() { "summary_large_image" } else { "summary" };
    let referral = ctx.referral_code.map_or_else(String::new, |code| format!(" data-vouch-ref=\"{}\"", esc(code)));
    let id = esc(&public.id);
    let no_script = esc(i18n::page_text(PageText::NoScript, ctx.locale));
    let (form, config) = (prerender::entry_form(ctx.config), prerender::config_script(ctx.config));
    let head = format!(
        "<title>{title} · {name}</title>
<meta name=\"description\" content=\"{intro}\">
<link rel=\"canonical\" href=\"{url}\">
<meta property=\"og:type\" content=\"website\">
<meta property=\"og:site_name\" content=\"{name}\">
<meta property=\"og:title\" content=\"{title}\">
<meta property=\"og:description\" content=\"{intro}\">
<meta property=\"og:url\" content=\"{url}\">
<meta property=\"og:locale\" content=\"{og_locale}\">
<meta name=\"twitter:card\" content=\"{card}\">
<meta name=\"twitter:title\" content=\"{title}\">
<meta name=\"twitter:description\" content=\"{intro}\">
{og_image}{preload}",
        og_locale = og_locale(ctx.locale),
        preload = preload(ctx.bundle),
    );
    let body = format!(
        "<main>
<p class=\"site\">{name}</p>
{hero}<noscript><div class=\"nojs\"><h1>{title}</h1><p>{intro}</p><p><strong>{no_script}</strong></p></div></noscript>
<div data-vouch-campaign=\"{id}\" data-vouch-locale=\"{lang}\"{referral} style=\"min-height:700px;--vouch-reserve:700px\">{form}{config}</div>
</main>
<script async src=\"/v1/loader.js\"></script>
"
    );
    document(lang, &head, &body)
}

/// The form's bundle, asked for as the page starts to parse. The loader asks for it only once it
/// runs, after the page's parsing and first layout (the loader sits at the end of the body, as
/// on a merchant's page), and the wasm then streamed in and compiled while the page waited;
/// preloaded, it is here by then. The hints match the loader's requests (a module import, a
/// CORS fetch without credentials), so the browser answers those from what it preloaded.
fn preload(bundle: Option<(&str, &str)>) -> String {
    bundle.map_or_else(String::new, |(js, wasm)| {
        format!(
            "<link rel=\"modulepreload\" href=\"{}\">\n<link rel=\"preload\" href=\"{}\" as=\"fetch\" crossorigin>\n",
            esc(js),
            esc(wasm)
        )
    })
}

/// A short page for a request we refuse (a forged Facebook tab, an unknown page).
pub fn message_page(locale: Locale, message: PageText) -> String {
    let text = esc(i18n::page_text(message, locale));
    let head = "<meta name=\"robots\" content=\"noindex\">\n<title>Vouch</title>\n";
    document(locale.code(), head, &format!("<main><p class=\"nojs\" role=\"alert\">{text}</p></main>\n"))
}

/// What every page shares: language, charset, a viewport for phones, and the page CSS.
fn document(lang: &str, head: &str, body: &str) -> String {
    format!(
        "<!doctype html>
<html lang=\"{lang}\">
<head>
<meta charset=\"utf-8\">
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
{head}<style>{PAGE_CSS}</style>
</head>
<body>
{body}</body>
</html>
"
    )
}

fn og_locale(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en_US",
        Locale::De => "de_DE",
        Locale::Es => "es_ES",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::parse;

    fn campaign() -> Campaign {
        parse(
            r#"id = "summer"
name = "Tom & Jerry's <Shop>"
allowed_origins = []
image_url = "https://cdn.example/summer.jpg"
[copy]
title = "Win \"big\""
intro = "Upload your receipt."
[translations.de]
title = "Groß gewinnen"
"#,
        )
        .unwrap()
    }

    #[test]
    fn the_page_carries_escaped_copy_in_title_description_and_open_graph() {
        let (campaign, url) = (campaign(), "https://v.example/c/summer");
        let config = campaign.public_in(Locale::En);
        let html = campaign_page(
            &campaign,
            &PageContext { locale: Locale::En, url, referral_code: None, config: &config, bundle: None },
        );
        assert!(html.contains("<title>Win &quot;big&quot; · Tom &amp; Jerry&#39;s &lt;Shop&gt;</title>"), "{html}");
        assert!(html.contains("<meta property=\"og:title\" content=\"Win &quot;big&quot;\">"));
        assert!(html.contains("<meta name=\"description\" content=\"Upload your receipt.\">"));
        assert!(html.contains("<meta property=\"og:image\" content=\"https://cdn.example/summer.jpg\">"));
        assert!(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
        assert!(html.contains("data-vouch-campaign=\"summer\""));
        assert!(html.contains("<noscript>"));
        assert!(!html.contains("<Shop>"), "names are escaped");
    }

    #[test]
    fn the_page_speaks_the_chosen_language_and_passes_a_referral_code() {
        let (campaign, url) = (campaign(), "https://v.example/c/summer");
        let config = campaign.public_in(Locale::De);
        let ctx =
            PageContext { locale: Locale::De, url, referral_code: Some("K7QW2MNP"), config: &config, bundle: None };
        let html = campaign_page(&campaign, &ctx);
        assert!(html.contains("<html lang=\"de\">"));
        assert!(html.contains("data-vouch-locale=\"de\""));
        assert!(html.contains("data-vouch-ref=\"K7QW2MNP\""));
        assert!(html.contains("Bitte aktivieren Sie JavaScript"));
        assert!(html.contains("content=\"de_DE\""));
        assert!(html.contains("<title>Groß gewinnen · "), "translated title");
        assert!(html.contains("content=\"Upload your receipt.\""), "untranslated parts keep the campaign's copy");
    }

    #[test]
    fn a_message_page_shows_only_the_message() {
        let html = message_page(Locale::Es, PageText::NoCampaign);
        assert!(html.contains("Ahora mismo no hay ninguna campaña"));
        assert!(!html.contains("loader.js"));
    }
}
