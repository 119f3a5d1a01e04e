//! Payouts by hand: which credits a merchant may mark paid, what a payout reference may be, and
//! what a reward text is worth in money when it names an amount.

use std::fmt;

use crate::money::{Currency, Money};
use crate::rewards::{CreditState, Side};

/// The longest payout reference (a bank transfer's or a voucher's id).
pub const MAX_REFERENCE: usize = 128;

/// Why a credit cannot be marked paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unpayable {
    /// No credit has this id, or it belongs to another campaign.
    Unknown,
    /// The friend's offer is handed out by the shop, not paid to a referrer.
    FriendSide,
    /// Only an approved credit is owed.
    NotApproved(CreditState),
}

impl fmt::Display for Unpayable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unpayable::Unknown => f.write_str("no such credit in this campaign"),
            Unpayable::FriendSide => f.write_str("a friend's credit, not a referrer's reward"),
            Unpayable::NotApproved(state) => write!(f, "the credit is {}, not approved", state.as_str()),
        }
    }
}

/// A referrer's credit is paid out once it is approved; a friend's never is.
pub fn payable(side: Side, state: CreditState) -> Result<(), Unpayable> {
    match (side, state) {
        (Side::Friend, _) => Err(Unpayable::FriendSide),
        (Side::Referrer, CreditState::Approved) => Ok(()),
        (Side::Referrer, other) => Err(Unpayable::NotApproved(other)),
    }
}

/// A reference is what the operator finds the payment by later: present, short, one line.
pub fn check_reference(reference: &str) -> Result<(), &'static str> {
    if reference.trim().is_empty() {
        Err("the payout reference is empty")
    } else if reference.chars().count() > MAX_REFERENCE {
        Err("the payout reference is longer than 128 characters")
    } else if reference.chars().any(char::is_control) {
        Err("the payout reference has a control character")
    } else {
        Ok(())
    }
}

/// The amount a reward text names, such as `5 EUR`, `EUR 12.50` or `1000 JPY`; `None` for any
/// other text (`10 %`, `a free coffee`), whose value only the merchant knows.
pub fn reward_amount(reward: &str) -> Option<Money> {
    let mut words = reward.split_whitespace();
    let (a, b) = (words.next()?, words.next()?);
    if words.next().is_some() {
        return None;
    }
    let (amount, currency) = if a.bytes().all(|c| c.is_ascii_alphabetic()) { (b, a) } else { (a, b) };
    Money::parse(amount, Currency::parse(currency).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_approved_referrer_credit_is_payable() {
        assert_eq!(payable(Side::Referrer, CreditState::Approved), Ok(()));
        assert_eq!(payable(Side::Friend, CreditState::Approved), Err(Unpayable::FriendSide));
        let pending = payable(Side::Referrer, CreditState::Pending);
        assert_eq!(pending, Err(Unpayable::NotApproved(CreditState::Pending)));
        assert_eq!(pending.unwrap_err().to_string(), "the credit is pending, not approved");
        assert_eq!(payable(Side::Referrer, CreditState::Denied), Err(Unpayable::NotApproved(CreditState::Denied)));
    }

    #[test]
    fn a_reference_is_one_short_line() {
        assert_eq!(check_reference("SEPA-2026-11-30"), Ok(()));
        assert!(check_reference("  ").is_err());
        assert!(check_reference(&"x".repeat(129)).is_err());
        assert_eq!(check_reference(&"x".repeat(128)), Ok(()));
        assert!(check_reference("a\nb").is_err());
    }

    #[test]
    fn a_reward_that_names_an_amount_is_read_in_minor_units() {
        let minor = |r: &str| reward_amount(r).map(|m| (m.minor(), m.currency().as_str().to_string()));
        assert_eq!(minor("5 EUR"), Some((500, "EUR".into())));
        assert_eq!(minor("eur 12.50"), Some((1250, "EUR".into())));
        assert_eq!(minor("1000 JPY"), Some((1000, "JPY".into())));
        assert_eq!(minor("10 %"), None);
        assert_eq!(minor("a free coffee"), None);
        assert_eq!(minor("5 EUR off"), None);
        assert_eq!(minor("12.505 EUR"), None);
    }
}
