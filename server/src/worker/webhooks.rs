//! Delivering webhooks: POST the event to the campaign's URL, signed; a non-2xx answer or no
//! answer is retried with backoff by the queue, up to its dead-letter limit.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Handler;
use crate::backends::referrals::Referrals;
use crate::backends::BackendError;
use crate::campaigns::Campaigns;
use crate::webhooks::{signature, Event, EVENT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

pub struct WebhookHandler {
    pub referrals: Arc<dyn Referrals>,
    pub campaigns: Campaigns,
    pub http: reqwest::Client,
}

impl WebhookHandler {
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    }
}

#[async_trait]
impl Handler for WebhookHandler {
    async fn handle(&self, body: &str) -> Result<(), BackendError> {
        let event: Event =
            serde_json::from_str(body).map_err(|e| BackendError::Corrupt(format!("unreadable webhook: {e}")))?;
        let url = self.campaigns.get(&event.campaign).and_then(|c| c.referral.clone()).and_then(|r| r.webhook_url);
        let Some(url) = url else { return Ok(()) };
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
            .map_err(|e| BackendError::Unavailable("webhook receiver", e.to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(BackendError::Unavailable("webhook receiver", format!("{url} answered {}", response.status())))
        }
    }
}
