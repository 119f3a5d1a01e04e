//! Finding widget hosts and mounting into their shadow roots.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use crate::app::{App, Host, View};
use crate::handoff;

const CSS: &str = include_str!("../../style/widget.css");

pub(crate) fn scan() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let selector = "[data-vouch-campaign][data-vouch-api]:not([data-vouch-mounted])";
    let Ok(hosts) = document.query_selector_all(selector) else { return };
    for i in 0..hosts.length() {
        if let Some(host) = hosts.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            mount_host(&document, &host);
        }
    }
}

/// The space the page reserved for the widget (`min-height` on the host, however it was set)
/// survives our `:host { all: initial }` reset through a custom property, which `all` leaves
/// alone: without it the host collapses while the widget loads and the page below jumps.
fn keep_reserved_height(el: &Element) {
    let reserved = web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .and_then(|style| style.get_property_value("min-height").ok())
        .filter(|v| v.ends_with("px") && v != "0px");
    if let (Some(value), Some(el)) = (reserved, el.dyn_ref::<web_sys::HtmlElement>()) {
        let _ = el.style().set_property("--vouch-reserve", &value);
    }
}

/// What the loader wrote on the host element.
fn read_host(el: &Element) -> Option<Host> {
    Some(Host {
        campaign: el.get_attribute("data-vouch-campaign")?,
        api: el.get_attribute("data-vouch-api")?,
        view: match el.get_attribute("data-vouch-view").as_deref() {
            Some("referral") => View::Referral,
            Some("offer") => View::Offer,
            _ => View::Entry,
        },
        friend_code: el.get_attribute("data-vouch-ref").filter(|c| !c.is_empty()),
        consent: el.get_attribute("data-vouch-consent").as_deref() != Some("0"),
        storage_given: el.get_attribute("data-vouch-consent").as_deref() == Some("given"),
        locale: el.get_attribute("data-vouch-locale").filter(|l| !l.is_empty()),
    })
}

fn mount_host(document: &web_sys::Document, el: &Element) -> Option<()> {
    let host = read_host(el).filter(|h| h.view.in_this_bundle())?;
    keep_reserved_height(el);
    el.set_attribute("data-vouch-mounted", "").ok()?;
    let handed = handoff::take(el);
    // On a page of ours that drew the form at first paint (a declarative shadow root) this hands
    // back that root, emptied. Its config is in the page, so the widget's form replaces it within
    // this task (promise callbacks run before the browser paints): no loading state in between.
    let root = el.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?;
    let style = document.create_element("style").ok()?;
    style.set_text_content(Some(CSS));
    root.append_child(&style).ok()?;
    let container = document.create_element("div").ok()?;
    container.set_class_name("vouch");
    root.append_child(&container).ok()?;
    leptos::mount::mount_to(container.unchecked_into(), move || view! { <App host=host handed=handed /> }).forget();
    Some(())
}
