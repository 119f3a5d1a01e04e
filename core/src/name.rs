//! Person names. Shoppers are from everywhere: any script is welcome, as are the apostrophes,
//! hyphens and dots real names carry. What is refused is what no name has: digits, markup
//! characters, control characters and emoji-like symbols.

use crate::FieldCode;

pub const MAX_NAME_CHARS: usize = 100;

/// A trimmed, whitespace-collapsed person name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, FieldCode> {
        let collapsed = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(FieldCode::Required);
        }
        if collapsed.chars().count() > MAX_NAME_CHARS {
            return Err(FieldCode::TooLong);
        }
        if !collapsed.chars().any(char::is_alphabetic) || !collapsed.chars().all(is_name_char) {
            return Err(FieldCode::InvalidName);
        }
        Ok(Self(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '\'' | '’' | '-' | '‐' | '.' | ',')
}

/// Combining marks (decomposed accents, Indic vowel signs and viramas) are part of letters in
/// many scripts but are not `Alphabetic` in Unicode, so `char::is_alphabetic` alone would refuse
/// "José" typed in NFD or many Devanagari names.
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0900..=0x0DFF // Indic blocks: their non-letters are digits, refused below
        | 0x0E31..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C | 0x200D
        | 0x20D0..=0x20FF | 0x3099 | 0x309A | 0xFE20..=0xFE2F)
        && !c.is_numeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_latin_name_is_accepted() {
        assert_eq!(PersonName::parse("Anna").unwrap().as_str(), "Anna");
    }

    #[test]
    fn names_in_other_scripts_are_accepted() {
        for name in ["Zoë", "José", "Łukasz", "Ærøskøbing", "李小龍", "Дмитрий", "محمد", "प्रिया", "さくら", "Nguyễn"]
        {
            assert!(PersonName::parse(name).is_ok(), "{name} should be a valid name");
        }
    }

    #[test]
    fn a_name_with_decomposed_accents_is_accepted() {
        assert!(PersonName::parse("Jose\u{301}").is_ok());
    }

    #[test]
    fn apostrophes_hyphens_and_dots_are_accepted() {
        for name in ["O'Brien", "D’Angelo", "Anne-Marie", "J. R.", "de la Cruz"] {
            assert!(PersonName::parse(name).is_ok(), "{name} should be a valid name");
        }
    }

    #[test]
    fn surrounding_and_repeated_whitespace_is_collapsed() {
        assert_eq!(PersonName::parse("  Mary \t  Ann ").unwrap().as_str(), "Mary Ann");
    }

    #[test]
    fn an_empty_or_blank_name_is_required() {
        assert_eq!(PersonName::parse(""), Err(FieldCode::Required));
        assert_eq!(PersonName::parse("   \n"), Err(FieldCode::Required));
    }

    #[test]
    fn a_name_with_digits_or_markup_is_rejected() {
        for name in ["Anna2", "<script>", "Bob; DROP TABLE", "a@b", "Tom 😀", "٣"] {
            assert_eq!(PersonName::parse(name), Err(FieldCode::InvalidName), "{name}");
        }
    }

    #[test]
    fn punctuation_alone_is_not_a_name() {
        assert_eq!(PersonName::parse("-'."), Err(FieldCode::InvalidName));
    }

    #[test]
    fn control_characters_are_rejected() {
        assert_eq!(PersonName::parse("An\u{0}na"), Err(FieldCode::InvalidName));
        assert_eq!(PersonName::parse("An\u{202E}na"), Err(FieldCode::InvalidName));
    }

    #[test]
    fn a_name_longer_than_100_characters_is_rejected() {
        assert_eq!(PersonName::parse(&"a".repeat(101)), Err(FieldCode::TooLong));
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
    }
}
