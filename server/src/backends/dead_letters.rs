//! Dead letters as an operator sees them: which message, how often it was tried, why it last
//! failed and for which campaign. Message bodies hold e-mails and names, so they never leave the
//! queue this way; the campaign is read out of the body and nothing else.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The id to redrive it by (the SQLite row id; the SQS message id).
    pub id: String,
    /// Deliveries before it was dead-lettered.
    pub attempts: u32,
    /// The handler's error from its last attempt, already redacted by the worker; `None` when
    /// none was recorded (a worker died on every attempt).
    pub last_error: Option<String>,
    /// When it last failed (ms since the epoch), when known.
    pub failed_at_ms: Option<i64>,
    /// The campaign the message belongs to, when its body names one.
    pub campaign: Option<String>,
}

/// The `campaign` at the top of a message body (entries, conversions and webhook events all
/// carry one); `None` for a body that is not such JSON.
pub fn campaign_of(body: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Campaign {
        campaign: String,
    }
    serde_json::from_str::<Campaign>(body).ok().map(|c| c.campaign)
}

#[cfg(test)]
mod tests {
    use super::campaign_of;

    #[test]
    fn the_campaign_is_read_from_the_body_and_nothing_else() {
        let body = r#"{"entry_id":"e1","campaign":"demo","entry":{"email":"zoe@example.com"}}"#;
        assert_eq!(campaign_of(body).as_deref(), Some("demo"));
        assert_eq!(campaign_of("poison"), None);
        assert_eq!(campaign_of(r#"{"campaign":7}"#), None);
    }
}
