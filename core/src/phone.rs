//! Phone numbers, kept loose on purpose: shoppers write them with spaces, dashes, dots and
//! brackets, and we only need a number we could call. E.164 caps numbers at 15 digits.

use crate::FieldCode;

const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

/// Digits only, with a leading `+` when one was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, FieldCode> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldCode::Required);
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", trimmed),
        };
        if !rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/')) {
            return Err(FieldCode::InvalidPhone);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
            return Err(FieldCode::InvalidPhone);
        }
        Ok(Self(format!("{plus}{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formatted_international_number_is_normalised_to_digits() {
        assert_eq!(Phone::parse("+49 (30) 1234-5678").unwrap().as_str(), "+493012345678");
    }

    #[test]
    fn a_local_number_with_dots_is_accepted() {
        assert_eq!(Phone::parse("555.123.4567").unwrap().as_str(), "5551234567");
    }

    #[test]
    fn too_few_or_too_many_digits_are_rejected() {
        assert_eq!(Phone::parse("12345"), Err(FieldCode::InvalidPhone));
        assert_eq!(Phone::parse("+1234567890123456"), Err(FieldCode::InvalidPhone));
    }

    #[test]
    fn letters_and_a_plus_in_the_middle_are_rejected() {
        assert_eq!(Phone::parse("555-CALL-NOW"), Err(FieldCode::InvalidPhone));
        assert_eq!(Phone::parse("555+1234567"), Err(FieldCode::InvalidPhone));
    }

    #[test]
    fn an_empty_number_is_required() {
        assert_eq!(Phone::parse(" "), Err(FieldCode::Required));
    }
}
