//! localStorage on the merchant's origin, tolerant of it being blocked (privacy modes, sandboxed
//! frames): the widget then works without remembering anything.

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub(crate) fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok()?
}

pub(crate) fn set(key: &str, value: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(key, value);
    }
}

#[cfg(feature = "entry")]
pub(crate) fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}
