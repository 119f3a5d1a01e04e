//! Finding widget hosts and mounting into their shadow roots.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use crate::app::App;

const CSS: &str = include_str!("../../style/widget.css");

pub(crate) fn scan() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(hosts) = document
        .query_selector_all("[data-vouch-campaign][data-vouch-api]:not([data-vouch-mounted])")
    else {
        return;
    };
    for i in 0..hosts.length() {
        if let Some(host) = hosts.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            mount_host(&document, &host);
        }
    }
}

fn mount_host(document: &web_sys::Document, host: &Element) -> Option<()> {
    let campaign = host.get_attribute("data-vouch-campaign")?;
    let api = host.get_attribute("data-vouch-api")?;
    host.set_attribute("data-vouch-mounted", "").ok()?;
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .ok()?;
    let style = document.create_element("style").ok()?;
    style.set_text_content(Some(CSS));
    root.append_child(&style).ok()?;
    let container = document.create_element("div").ok()?;
    container.set_class_name("vouch");
    root.append_child(&container).ok()?;
    leptos::mount::mount_to(
        container.unchecked_into(),
        move || view! { <App campaign=campaign api=api /> },
    )
    .forget();
    Some(())
}
