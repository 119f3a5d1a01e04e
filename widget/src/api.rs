//! Talking to the BFF with `fetch`: JSON in, JSON or the structured error out. No cookies are
//! sent; the BFF answers CORS for the campaign's merchant origins only.

use serde::de::DeserializeOwned;
use serde::Serialize;
use vouch_core::i18n::{self, fill, Locale, Ui};
use vouch_core::wire::ErrorBody;
use vouch_core::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestMode, Response};

use crate::json;

#[derive(Debug, Clone)]
pub(crate) enum ApiFailure {
    /// No answer at all: offline, DNS, CORS refusal, dropped connection.
    Network,
    /// An answer with an error status and, usually, the structured body.
    Http { status: u16, body: Option<ErrorBody>, retry_after: Option<u32> },
}

impl ApiFailure {
    /// What the shopper reads, from the catalogue: the server's codes are the contract, its
    /// English wording is not.
    pub(crate) fn message(&self, locale: Locale) -> String {
        let ui = |key| i18n::ui(key, locale);
        match self {
            ApiFailure::Network => ui(Ui::Unreachable).into(),
            ApiFailure::Http { body: Some(body), .. } if !body.error.fields.is_empty() => {
                i18n::field_code(body.error.fields[0].code, locale).into()
            }
            ApiFailure::Http { body: Some(body), .. } if body.error.code == ErrorCode::EntryLimitReached => {
                ui(Ui::EntryLimitReached).into()
            }
            ApiFailure::Http { body: Some(body), .. } if body.error.code == ErrorCode::CampaignClosed => {
                ui(Ui::GiveawayEnded).into()
            }
            ApiFailure::Http { status: 429, retry_after, .. } => match retry_after {
                Some(secs) => format!("{} {}", ui(Ui::ServerBusy), fill(ui(Ui::TryAgainIn), &[&secs.to_string()])),
                None => ui(Ui::ServerBusy).into(),
            },
            ApiFailure::Http { status, .. } => fill(ui(Ui::ServerError), &[&status.to_string()]),
        }
    }

    #[cfg(feature = "entry")]
    pub(crate) fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiFailure::Http { body: Some(b), .. } => Some(b.error.code),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Api {
    pub(crate) base: String,
    pub(crate) campaign: String,
    pub(crate) locale: Locale,
    /// The visitor agreed to storage for attribution when the page asked (`data-vouch-consent`).
    pub(crate) storage: bool,
}

impl Api {
    pub(crate) fn campaign_url(&self, rest: &str) -> String {
        format!("{}/v1/campaigns/{}{rest}", self.base, self.campaign)
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, rest: &str) -> Result<T, ApiFailure> {
        send(&self.campaign_url(rest), "GET", None, &[]).await
    }

    /// A GET that proves who is asking (the referrer's progress token).
    #[cfg(feature = "referral")]
    pub(crate) async fn get_with_token<T: DeserializeOwned>(&self, rest: &str, token: &str) -> Result<T, ApiFailure> {
        send(&self.campaign_url(rest), "GET", None, &[("Authorization", &format!("Bearer {token}"))]).await
    }

    pub(crate) async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        rest: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiFailure> {
        let json = json::stringify(body).ok_or(ApiFailure::Network)?;
        let headers: &[(&str, &str)] = match idempotency_key {
            Some(key) => &[("Idempotency-Key", key)],
            None => &[],
        };
        send(&self.campaign_url(rest), "POST", Some(json), headers).await
    }
}

async fn send<T: DeserializeOwned>(
    url: &str,
    method: &str,
    body: Option<String>,
    extra: &[(&str, &str)],
) -> Result<T, ApiFailure> {
    let window = web_sys::window().ok_or(ApiFailure::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(RequestCredentials::Omit);
    let headers = web_sys::Headers::new().map_err(|_| ApiFailure::Network)?;
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(&body));
    }
    for (name, value) in extra {
        let _ = headers.set(name, value);
    }
    init.set_headers(&headers);
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiFailure::Network)?
        .dyn_into()
        .map_err(|_| ApiFailure::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiFailure::Network)?)
        .await
        .map_err(|_| ApiFailure::Network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        // 204 and friends have no body: read it as JSON null.
        let text = if text.is_empty() { "null" } else { text.as_str() };
        json::parse(text).ok_or(ApiFailure::Http { status: response.status(), body: None, retry_after: None })
    } else {
        let retry_after = response.headers().get("retry-after").ok().flatten().and_then(|v| v.parse().ok());
        Err(ApiFailure::Http { status: response.status(), body: json::parse(&text), retry_after })
    }
}

/// Resolves after `ms` milliseconds.
#[cfg(feature = "entry")]
pub(crate) async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A random 128-bit hex string (works on plain-http merchant pages, unlike `randomUUID`).
pub(crate) fn random_key() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    if bytes == [0u8; 16] {
        // No crypto: fall back to Math.random, still unique enough for an idempotency key.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
