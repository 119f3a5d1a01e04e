//! Codes a campaign hands out (discount codes, prizes): what a valid code is, which pools a
//! campaign keeps them in, and when a pool is running low. The server enforces these; the CLI
//! reports them.

use serde::{Deserialize, Serialize};

/// The longest code we store, in characters (shop systems use far fewer).
pub const MAX_CODE_CHARS: usize = 128;

/// What an owed code is for. Each purpose has a pool of its own in the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pool {
    /// Every confirmed or approved giveaway entry.
    Entry,
    /// Draw winners.
    Winner,
    /// Approved referrer credits.
    Referrer,
    /// The referred friend's offer.
    Friend,
}

impl Pool {
    pub const ALL: [Pool; 4] = [Pool::Entry, Pool::Winner, Pool::Referrer, Pool::Friend];

    pub fn as_str(self) -> &'static str {
        match self {
            Pool::Entry => "entry",
            Pool::Winner => "winner",
            Pool::Referrer => "referrer",
            Pool::Friend => "friend",
        }
    }

    pub fn parse(s: &str) -> Option<Pool> {
        Pool::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// When the referred friend gets a code from the `friend` pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FriendHandOut {
    /// When the friend's order is reported (the conversion).
    #[default]
    Conversion,
    /// When the friend lands on the shop with a referral link.
    Landing,
}

/// Why a line of an import is not a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeProblem {
    Empty,
    TooLong,
    ControlCharacter,
}

impl CodeProblem {
    pub fn code(self) -> &'static str {
        match self {
            CodeProblem::Empty => "empty",
            CodeProblem::TooLong => "too_long",
            CodeProblem::ControlCharacter => "control_character",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            CodeProblem::Empty => "the code is empty",
            CodeProblem::TooLong => "the code is longer than 128 characters",
            CodeProblem::ControlCharacter => "the code contains a control character (tab, line break, …)",
        }
    }
}

impl std::fmt::Display for CodeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// The code as stored: `raw` without surrounding white space, 1 to 128 characters, none of them a
/// control character (which a shopper could neither see nor type).
pub fn valid_code(raw: &str) -> Result<&str, CodeProblem> {
    let code = raw.trim();
    if code.is_empty() {
        Err(CodeProblem::Empty)
    } else if code.chars().count() > MAX_CODE_CHARS {
        Err(CodeProblem::TooLong)
    } else if code.chars().any(char::is_control) {
        Err(CodeProblem::ControlCharacter)
    } else {
        Ok(code)
    }
}

/// How full a pool is, as the operator must hear about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolLevel {
    Ok,
    /// Fewer codes left than the low-water mark: import more before it runs dry.
    Low,
    /// No code left; owed items wait for the next import.
    Dry,
}

/// The level of a pool with `available` codes left and a low-water mark of `low_water`. A pool
/// with owed items waiting is dry even if codes were just imported and not handed out yet.
pub fn pool_level(available: u64, awaiting: u64, low_water: u64) -> PoolLevel {
    if available == 0 || awaiting > 0 {
        PoolLevel::Dry
    } else if available < low_water {
        PoolLevel::Low
    } else {
        PoolLevel::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_trimmed_and_kept_as_written_otherwise() {
        assert_eq!(valid_code("  SAVE-10 \r"), Ok("SAVE-10"));
        assert_eq!(valid_code("spring 2026"), Ok("spring 2026"));
        assert_eq!(valid_code(&"ä".repeat(128)), Ok("ä".repeat(128).as_str()), "characters, not bytes");
    }

    #[test]
    fn empty_long_and_control_character_codes_are_refused_each_with_its_reason() {
        assert_eq!(valid_code(" \t "), Err(CodeProblem::Empty));
        assert_eq!(valid_code(&"A".repeat(129)), Err(CodeProblem::TooLong));
        assert_eq!(valid_code("AB\tCD"), Err(CodeProblem::ControlCharacter));
        assert_eq!(valid_code("AB\u{0}CD"), Err(CodeProblem::ControlCharacter));
        assert_eq!(valid_code("AB\u{1b}[31mCD"), Err(CodeProblem::ControlCharacter));
        assert_eq!(CodeProblem::TooLong.code(), "too_long");
    }

    #[test]
    fn pools_travel_in_snake_case() {
        assert_eq!(serde_json::to_string(&Pool::Referrer).unwrap(), r#""referrer""#);
        assert_eq!(serde_json::from_str::<Pool>(r#""friend""#).unwrap(), Pool::Friend);
        assert_eq!(Pool::parse("winner"), Some(Pool::Winner));
        assert_eq!(Pool::parse("prize"), None);
        assert_eq!(serde_json::from_str::<FriendHandOut>(r#""landing""#).unwrap(), FriendHandOut::Landing);
    }

    #[test]
    fn a_pool_is_low_under_its_mark_and_dry_when_empty_or_owing() {
        assert_eq!(pool_level(50, 0, 50), PoolLevel::Ok);
        assert_eq!(pool_level(49, 0, 50), PoolLevel::Low);
        assert_eq!(pool_level(1, 0, 0), PoolLevel::Ok);
        assert_eq!(pool_level(0, 0, 0), PoolLevel::Dry);
        assert_eq!(pool_level(0, 3, 50), PoolLevel::Dry);
        assert_eq!(pool_level(5, 2, 1), PoolLevel::Dry, "imported but not yet handed to the waiting items");
    }
}
