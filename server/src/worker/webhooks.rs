//! Delivering webhooks: POST the event to the campaign's URL, signed; a non-2xx answer or no
//! answer is retried with backoff by the queue, up to its dead-letter limit.

use async_trait::async_trait;
use std::sync::Arc;

use super::{webhook_guard, Handler};
use crate::backends::referrals::Referrals;
use crate::backends::BackendError;
use crate::campaigns::Campaigns;
use crate::referrals::webhooks::{signature, Event, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

pub struct WebhookHandler {
    pub referrals: Arc<dyn Referrals>,
    pub campaigns: Campaigns,
    pub http: reqwest::Client,
    /// Deliver to loopback and private addresses too (development only).
    pub allow_internal: bool,
}

impl WebhookHandler {
    pub fn new(referrals: Arc<dyn Referrals>, campaigns: Campaigns, allow_internal: bool) -> Self {
        Self { referrals, campaigns, http: webhook_guard::client(allow_internal), allow_internal }
    }
}

#[async_trait]
impl Handler for WebhookHandler {
    async fn handle(&self, body: &str) -> Result<(), BackendError> {
        let event: Event =
            serde_json::from_str(body).map_err(|e| BackendError::Corrupt(format!("unreadable webhook: {e}")))?;
        let url = self.campaigns.get(&event.campaign).and_then(|c| c.referral.clone()).and_then(|r| r.webhook_url);
        let Some(url) = url else { return Ok(()) };
        if !self.allow_internal && webhook_guard::literal_is_internal(&url) {
            return Err(BackendError::Unavailable(
                "webhook receiver",
                format!("{url} is an internal address; refused"),
            ));
        }
        let secret = self.referrals.webhook_secret(&event.campaign).await?.ok_or_else(|| {
            BackendError::Unavailable(
                "webhook secret",
                format!("none set for {}: run `vouch secrets webhook`", event.campaign),
            )
        })?;
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let response = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header(EVENT_ID_HEADER, &event.id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, signature(&secret, timestamp, body))
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| BackendError::Unavailable("webhook receiver", with_causes(&e)))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(BackendError::Unavailable("webhook receiver", format!("{url} answered {}", response.status())))
        }
    }
}

/// An error and its causes on one line: reqwest's own message omits why (e.g. a refused address).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
