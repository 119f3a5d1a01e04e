//! Webhook events for the merchant and how they are signed. Each event has a stable id (derived
//! from what it is about), so a receiver can drop the duplicates at-least-once delivery brings.
//!
//! Signature: `Vouch-Signature: v1=<hex HMAC-SHA256(secret, "<Vouch-Timestamp>.<body>")>`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use vouch_core::money::{Currency, Money};

use crate::backends::referrals::{ConversionMessage, Credit, OutboxEvent, Referrer};
use crate::crypto::{format_iso8601, hmac};

pub const EVENT_ID_HEADER: &str = "vouch-event-id";
pub const TIMESTAMP_HEADER: &str = "vouch-timestamp";
pub const SIGNATURE_HEADER: &str = "vouch-signature";

/// What an event announces: its `type`, which receivers switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "referrer.joined")]
    ReferrerJoined,
    #[serde(rename = "conversion.recorded")]
    ConversionRecorded,
    #[serde(rename = "reward.approved")]
    RewardApproved,
    #[serde(rename = "draw.completed")]
    DrawCompleted,
    #[serde(rename = "reward.fulfilled")]
    RewardFulfilled,
}

impl EventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::ReferrerJoined => "referrer.joined",
            EventKind::ConversionRecorded => "conversion.recorded",
            EventKind::RewardApproved => "reward.approved",
            EventKind::DrawCompleted => "draw.completed",
            EventKind::RewardFulfilled => "reward.fulfilled",
        }
    }
}

impl PartialEq<&str> for EventKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub created_at: String,
    pub campaign: String,
    pub data: serde_json::Value,
}

fn now() -> String {
    format_iso8601(time::OffsetDateTime::now_utc())
}

impl Event {
    pub fn referrer_joined(r: &Referrer) -> Self {
        Self {
            id: format!("evt_{}_joined", r.referrer_id),
            kind: EventKind::ReferrerJoined,
            created_at: now(),
            campaign: r.campaign.clone(),
            data: json!({ "referral_code": r.code, "first_name": r.first_name, "email": r.email }),
        }
    }

    /// The merchant's report and a browser's report of one order share a conversion id; their
    /// events do not, so the merchant's, which supersedes the browser's, is not dropped as a
    /// duplicate by a receiver that saw the browser's first. `amount_minor` is the exact amount in
    /// minor units of `currency`; `amount` is the same as a JSON number, kept for receivers written
    /// before there was `amount_minor`.
    pub fn conversion_recorded(c: &ConversionMessage, referral_code_known: bool, flags: &[&str]) -> Self {
        let source = if c.from_merchant { "merchant" } else { "browser" };
        let money = c
            .amount_minor
            .zip(c.currency.as_deref())
            .and_then(|(minor, currency)| Money::from_minor(minor, Currency::parse(currency).ok()?).ok());
        Self {
            id: match c.from_merchant {
                true => format!("evt_{}_recorded", c.conversion_id),
                false => format!("evt_{}_browser_recorded", c.conversion_id),
            },
            kind: EventKind::ConversionRecorded,
            created_at: now(),
            campaign: c.campaign.clone(),
            data: json!({
                "conversion_id": c.conversion_id, "order_id": c.order_id, "email": c.email,
                "referral_code": c.code, "referral_code_known": referral_code_known,
                "amount": money.as_ref().map(Money::to_f64), "amount_minor": money.as_ref().map(Money::minor),
                "currency": c.currency, "flags": flags, "source": source,
            }),
        }
    }

    pub fn reward_approved(c: &Credit) -> Self {
        Self {
            id: format!("evt_{}_approved", c.credit_id),
            kind: EventKind::RewardApproved,
            created_at: now(),
            campaign: c.campaign.clone(),
            data: json!({
                "credit_id": c.credit_id, "conversion_id": c.conversion_id, "side": c.side,
                "recipient": c.recipient, "reward": c.reward,
            }),
        }
    }

    /// A credit got its code: the code's id, and the code itself only when the campaign's pool
    /// says `webhook_includes_code`.
    pub fn reward_fulfilled(c: &Credit, pool: vouch_core::codes::Pool, code_id: &str, code: Option<&str>) -> Self {
        let mut data = json!({
            "credit_id": c.credit_id, "conversion_id": c.conversion_id, "side": c.side,
            "pool": pool, "code_id": code_id,
        });
        if let Some(code) = code {
            data["code"] = json!(code);
        }
        Self {
            id: format!("evt_{}_fulfilled", c.credit_id),
            kind: EventKind::RewardFulfilled,
            created_at: now(),
            campaign: c.campaign.clone(),
            data,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The event for the store's outbox, committed with the change it announces.
    pub fn outbox(&self) -> OutboxEvent {
        OutboxEvent { id: self.id.clone(), body: self.to_json() }
    }
}

/// The `Vouch-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    format!("v1={}", hex::encode(hmac(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = signature("whsec", 1_700_000_000, "{\"a\":1}");
        assert!(a.starts_with("v1=") && a.len() == 3 + 64);
        assert_ne!(a, signature("whsec", 1_700_000_001, "{\"a\":1}"));
        assert_ne!(a, signature("whsec", 1_700_000_000, "{\"a\":2}"));
        assert_ne!(a, signature("other", 1_700_000_000, "{\"a\":1}"));
    }

    #[test]
    fn events_about_the_same_thing_share_an_id() {
        let r = Referrer {
            referrer_id: "ref_1".into(),
            campaign: "demo".into(),
            code: "AB3DK9MZ".into(),
            email: "a@example.com".into(),
            identity: "a@example.com".into(),
            first_name: "Anna".into(),
            join_flagged: false,
            created_at_ms: 0,
        };
        assert_eq!(Event::referrer_joined(&r).id, Event::referrer_joined(&r).id);
        assert_eq!(Event::referrer_joined(&r).kind, "referrer.joined");
    }

    #[test]
    fn event_types_travel_as_dotted_names_and_read_back() {
        for (kind, text) in [
            (EventKind::ReferrerJoined, "referrer.joined"),
            (EventKind::ConversionRecorded, "conversion.recorded"),
            (EventKind::RewardApproved, "reward.approved"),
            (EventKind::DrawCompleted, "draw.completed"),
        ] {
            let event = Event { id: "e".into(), kind, created_at: "t".into(), campaign: "c".into(), data: Value::Null };
            let json: Value = serde_json::from_str(&event.to_json()).unwrap();
            assert_eq!(json["type"], text);
            assert_eq!(serde_json::from_value::<Event>(json).unwrap().kind, kind);
        }
    }

    #[test]
    fn a_recorded_conversion_carries_the_exact_amount_beside_the_number_older_receivers_read() {
        let message = |amount_minor: Option<u64>, currency: Option<&str>| ConversionMessage {
            conversion_id: "cnv_1".into(),
            campaign: "demo".into(),
            order_id: "o-1".into(),
            email: "ben@example.com".into(),
            identity: "ben@example.com".into(),
            domain: "example.com".into(),
            code: "AB3DK9MZ".into(),
            amount_minor,
            currency: currency.map(String::from),
            client: "c".into(),
            device_token_hash: None,
            from_merchant: true,
            accepted_at_ms: 0,
        };
        let data = |m| Event::conversion_recorded(&m, true, &[]).data;
        let eur = data(message(Some(4990), Some("EUR")));
        assert_eq!(
            (&eur["amount"], &eur["amount_minor"], &eur["currency"]),
            (&json!(49.9), &json!(4990), &json!("EUR"))
        );
        let yen = data(message(Some(1000), Some("JPY")));
        assert_eq!((&yen["amount"], &yen["amount_minor"]), (&json!(1000.0), &json!(1000)));
        let none = data(message(None, None));
        assert_eq!((&none["amount"], &none["amount_minor"]), (&Value::Null, &Value::Null));
    }
}
