//! The form fill saved in the merchant page's localStorage, so a reload neither loses typing nor
//! creates a second entry: the idempotency key and the entry id travel with the draft.

use serde::{Deserialize, Serialize};

use crate::{json, storage};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Draft {
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) postal_code: String,
    pub(crate) terms: bool,
    pub(crate) marketing: bool,
    pub(crate) idempotency_key: String,
    pub(crate) upload_id: Option<String>,
    pub(crate) upload_name: Option<String>,
    /// Set once the BFF accepted the entry: the widget then only follows its status.
    pub(crate) entry_id: Option<String>,
}

fn storage_key(campaign: &str) -> String {
    format!("vouch:draft:{campaign}")
}

pub(crate) fn load(campaign: &str) -> Option<Draft> {
    json::parse(&storage::get(&storage_key(campaign))?)
}

pub(crate) fn save(campaign: &str, draft: &Draft) {
    if let Some(text) = json::stringify(draft) {
        storage::set(&storage_key(campaign), &text);
    }
}

pub(crate) fn clear(campaign: &str) {
    storage::remove(&storage_key(campaign));
}
