//! Who may do what in the admin API and the console: the roles, a campaign scope, and the one
//! rule that decides. The server enforces it; the console shows or hides its buttons with it.

use serde::{Deserialize, Serialize};

/// An operator's (or an API token's) role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Every campaign, every action, the operators themselves.
    Owner,
    /// Its campaigns: read, moderate, draw, rewards, codes.
    Moderator,
    /// Its campaigns: read only.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Moderator => "moderator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "moderator" => Some(Role::Moderator),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Seeing a campaign's data.
    Read,
    /// Changing a campaign's data (moderation, draws, rewards, codes).
    Write,
    /// Everything not tied to one campaign (operators, tokens, shared queues): owners only.
    Owner,
}

/// The campaigns a caller may see: `None` is all of them (owners). An owner's scope is always
/// all, whatever was stored.
pub fn allows(role: Role, campaigns: Option<&[String]>, campaign: Option<&str>, access: Access) -> bool {
    match (role, access) {
        (Role::Owner, _) => true,
        (_, Access::Owner) => false,
        (Role::Viewer, Access::Write) => false,
        (_, _) => match (campaigns, campaign) {
            (None, _) => true,
            (Some(list), Some(id)) => list.iter().any(|c| c == id),
            // A read that is not tied to a campaign (e.g. a list, filtered by scope afterwards).
            (Some(_), None) => access == Access::Read,
        },
    }
}

/// The signed-in caller, as `GET /admin/v1/session` answers: `campaigns: null` means all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub campaigns: Option<Vec<String>>,
    /// The value of `X-CSRF-Token` on every write made with this session.
    pub csrf_token: String,
}

impl Me {
    pub fn may(&self, campaign: Option<&str>, access: Access) -> bool {
        allows(self.role, self.campaigns.as_deref(), campaign, access)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Vec<String> {
        vec!["demo".to_string()]
    }

    #[test]
    fn owners_may_do_everything_and_others_only_in_their_campaigns() {
        let scope = demo();
        assert!(allows(Role::Owner, Some(&scope), Some("other"), Access::Write));
        assert!(allows(Role::Owner, None, None, Access::Owner));
        assert!(allows(Role::Moderator, Some(&scope), Some("demo"), Access::Write));
        assert!(!allows(Role::Moderator, Some(&scope), Some("other"), Access::Read));
        assert!(!allows(Role::Moderator, None, None, Access::Owner));
        assert!(allows(Role::Viewer, Some(&scope), Some("demo"), Access::Read));
        assert!(!allows(Role::Viewer, Some(&scope), Some("demo"), Access::Write));
        assert!(!allows(Role::Viewer, None, Some("demo"), Access::Write));
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in [Role::Owner, Role::Moderator, Role::Viewer] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
