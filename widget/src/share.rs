//! Sharing a referral link: copy (with feedback), e-mail, WhatsApp, Facebook, X, SMS on phones,
//! the Web Share API where the browser has it, and a QR code (shown on request, so that showing
//! it is a share the funnel can count). The loader counts clicks on the controls: the channel is
//! a control's last class (`copy`, `share email`, …, `share webshare`; `summary` is the QR code),
//! as core's `Channel` spells it. (A handler or a data attribute per control cost the bundle
//! about 1 kB brotli; the loader's one listener costs far less.)

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use vouch_core::i18n::{self, Locale, Ui};

use crate::qr::qr_path;

fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).as_string().unwrap_or_default()
}

fn navigator() -> Option<web_sys::Navigator> {
    web_sys::window().map(|w| w.navigator())
}

/// Phones get an SMS button; desktops have nothing to send an SMS with.
fn is_mobile() -> bool {
    navigator()
        .and_then(|n| n.user_agent().ok())
        .is_some_and(|ua| ["Android", "iPhone", "iPad", "iPod"].iter().any(|m| ua.contains(m)))
}

fn has_web_share() -> bool {
    navigator().is_some_and(|n| js_sys::Reflect::has(&n, &JsValue::from_str("share")).unwrap_or(false))
}

/// `navigator.clipboard.writeText`, resolved to whether it worked.
async fn copy(text: &str) -> bool {
    let Some(clipboard) =
        navigator().and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()).ok()).filter(|c| !c.is_undefined())
    else {
        return false;
    };
    let Ok(write) =
        js_sys::Reflect::get(&clipboard, &"writeText".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return false;
    };
    match write.call1(&clipboard, &JsValue::from_str(text)).map(|p| p.dyn_into::<js_sys::Promise>()) {
        Ok(Ok(promise)) => JsFuture::from(promise).await.is_ok(),
        _ => false,
    }
}

async fn web_share(title: &str, text: &str, url: &str) {
    let Some(nav) = navigator() else { return };
    let data = js_sys::Object::new();
    for (k, v) in [("title", title), ("text", text), ("url", url)] {
        let _ = js_sys::Reflect::set(&data, &k.into(), &v.into());
    }
    if let Ok(share) = js_sys::Reflect::get(&nav, &"share".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        if let Ok(Ok(promise)) = share.call1(&nav, &data).map(|p| p.dyn_into::<js_sys::Promise>()) {
            let _ = JsFuture::from(promise).await; // the shopper may cancel the sheet
        }
    }
}

#[component]
pub(crate) fn SharePanel(url: String, message: String, locale: Locale) -> impl IntoView {
    let l = locale;
    let t = move |key| i18n::ui(key, l);
    let copied = RwSignal::new(None::<bool>);
    let on_copy = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            spawn_local(async move { copied.set(Some(copy(&url).await)) });
        }
    };
    let text = format!("{message} {url}");
    let links = [
        (t(Ui::Email), format!("mailto:?subject={}&body={}", enc(&message), enc(&text)), "share email"),
        ("WhatsApp", format!("https://wa.me/?text={}", enc(&text)), "share whatsapp"),
        ("Facebook", format!("https://www.facebook.com/sharer/sharer.php?u={}", enc(&url)), "share facebook"),
        ("X", format!("https://twitter.com/intent/tweet?text={}&url={}", enc(&message), enc(&url)), "share x"),
    ];
    let sms = is_mobile().then(|| {
        view! { <a class="share sms" href=format!("sms:?&body={}", enc(&text))>"SMS"</a> }
    });
    let native = has_web_share().then(|| {
        let (message, url) = (message.clone(), url.clone());
        view! {
            <button type="button" class="share webshare" on:click=move |_| {
                let (message, url) = (message.clone(), url.clone());
                spawn_local(async move { web_share("", &message, &url).await });
            }>{t(Ui::Share)}</button>
        }
    });
    let qr = qr_path(&url).map(|(size, path)| {
        let view_box = format!("-2 -2 {} {}", size + 4, size + 4);
        view! {
            <details class="qr-toggle">
                <summary>{t(Ui::QrCode)}</summary>
                <svg class="qr" viewBox=view_box role="img" aria-label=t(Ui::QrCode)>
                    <rect x="-2" y="-2" width="100%" height="100%" fill="#fff"></rect>
                    <path d=path fill="#000"></path>
                </svg>
            </details>
        }
    });
    view! {
        <div class="share-panel">
            <label for="share-link">{t(Ui::YourLink)}</label>
            <div class="copy-row">
                <input id="share-link" type="text" readonly prop:value=url.clone() on:focus=|ev| {
                    event_target::<web_sys::HtmlInputElement>(&ev).select();
                } />
                <button type="button" class="copy" on:click=on_copy>{t(Ui::CopyLink)}</button>
            </div>
            <p class="copied" role="status">{move || match copied.get() {
                Some(true) => i18n::ui(Ui::Copied, l),
                Some(false) => i18n::ui(Ui::CopyByHand, l),
                None => "",
            }}</p>
            <div class="share-buttons">
                {links.into_iter().map(|(name, href, class)| view! {
                    <a class=class href=href target="_blank" rel="noopener noreferrer">{name}</a>
                }).collect_view()}
                {sms}
                {native}
            </div>
            {qr}
        </div>
    }
}
