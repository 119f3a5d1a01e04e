//! Finding widget hosts and mounting into their shadow roots.

use std::rc::Rc;
#[cfg(feature = "entry")]
use std::time::Duration;

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
    // A page of ours drew the form at first paint (a declarative shadow root): it stays on screen
    // while the widget builds its own out of the document, then one swap replaces it. Elsewhere
    // the widget's root is empty until the same swap, or until the config takes a while.
    let drawn = el.shadow_root();
    let root = match &drawn {
        Some(root) => root.clone(),
        None => el.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)).ok()?,
    };
    let style = document.create_element("style").ok()?;
    style.set_text_content(Some(CSS));
    let container = document.create_element("div").ok()?;
    container.set_class_name("vouch");
    let target: web_sys::HtmlElement = container.clone().unchecked_into();
    let reveal = Reveal(Rc::new(move || {
        if !container.is_connected() {
            root.replace_children_with_node_2(&style, &container);
        }
    }));
    if drawn.is_none() {
        // Only the giveaway form builds its first view in a task of its own (`App`); the other
        // views show at once, as their bundles have no room for the timer.
        #[cfg(feature = "entry")]
        {
            let shown = reveal.clone();
            set_timeout(move || shown.run(), Duration::from_millis(LOADING_AFTER_MS));
        }
        #[cfg(not(feature = "entry"))]
        reveal.run();
    }
    let mount = move || {
        leptos::mount::mount_to(target, move || view! { <App host=host handed=handed reveal=reveal /> }).forget()
    };
    // The giveaway form's app mounts a task after its host is taken: the first use of the
    // reactive runtime compiles much of its code, and with the host's work it made one long task.
    #[cfg(feature = "entry")]
    set_timeout(mount, Duration::ZERO);
    #[cfg(not(feature = "entry"))]
    mount();
    Some(())
}

#[cfg(feature = "entry")]
/// How long a page without a first-paint form shows nothing before the widget's loading notice
/// (a config on its way over the network): a config that is already here never shows it.
const LOADING_AFTER_MS: u64 = 300;

/// Puts the widget's root content on screen (once; later calls do nothing). The app calls it
/// when its first real view is built, so the page never shows a half-built or loading form.
#[derive(Clone)]
pub(crate) struct Reveal(Rc<dyn Fn()>);

impl Reveal {
    pub(crate) fn run(&self) {
        (self.0)();
    }
}
