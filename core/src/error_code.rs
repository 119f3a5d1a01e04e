//! Why a whole request was refused: the `error.code` of every error body (see `shared/API.md`).
//! The server builds its errors from these and the widget matches on them, so the two agree on
//! the wire strings by construction.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    CampaignNotFound,
    RateLimited,
    UploadBudgetExhausted,
    Unavailable,
    Internal,
    NotFound,
    Timeout,
    UnsupportedMediaType,
    BodyTimeout,
    BodyTooLarge,
    MalformedJson,
    OriginNotAllowed,
    OriginRequired,
    Unauthorized,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    IdempotencyKeyInFlight,
    EntryNotFound,
    ReferralNotEnabled,
    ReferrerNotFound,
    OrderIdReused,
    OrderInFlight,
    /// A referral sign-up that crossed an erasure of the same mailbox: nothing was recorded; sent
    /// again, it is a new sign-up.
    JoinCrossedErasure,
    CampaignNotOpen,
    CampaignClosed,
    EntryLimitReached,
    /// A marketing confirmation link that was altered or never issued: nothing changed.
    OptInLinkInvalid,
    /// A marketing confirmation link past its days: nothing changed.
    OptInLinkExpired,
    /// Admin: the e-mail and password do not match an operator (the same for an unknown e-mail).
    InvalidCredentials,
    /// Admin: too many failed logins for this account or client; `Retry-After` says when to retry.
    LoginLocked,
    /// Admin: signed in, but the role or the campaign scope does not allow this.
    Forbidden,
    /// Admin: a write without the session's CSRF token, or from a foreign `Origin`.
    CsrfRejected,
    /// Admin: the request conflicts with the current state (e.g. an operator that exists).
    Conflict,
    /// Admin: a query string that cannot be read (a parameter given twice); the message names it.
    /// A bad value in it is `ValidationFailed`, as in a body.
    InvalidQuery,
    /// `POST /v1/events`: more events than a batch may hold (the body's bytes are `BodyTooLarge`).
    BatchTooLarge,
    /// `POST /v1/events`: no events, or a malformed batch or session id.
    BatchInvalid,
    /// `POST /v1/events`: an unknown event type or share channel, or one only the server reports.
    EventUnknown,
    /// `POST /v1/events`: an event's time is too far in the future, or more than a day old.
    EventTimeInvalid,
    /// A code this build does not know (a newer server): read as a generic failure, not as an
    /// unreadable body. The server never sends it.
    #[serde(other)]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_travel_in_snake_case_and_unknown_ones_still_parse() {
        assert_eq!(
            serde_json::to_string(&ErrorCode::IdempotencyKeyInFlight).unwrap(),
            r#""idempotency_key_in_flight""#
        );
        assert_eq!(serde_json::to_string(&ErrorCode::OrderIdReused).unwrap(), r#""order_id_reused""#);
        assert_eq!(serde_json::from_str::<ErrorCode>(r#""rate_limited""#).unwrap(), ErrorCode::RateLimited);
        assert_eq!(serde_json::from_str::<ErrorCode>(r#""something_new""#).unwrap(), ErrorCode::Unknown);
    }
}
