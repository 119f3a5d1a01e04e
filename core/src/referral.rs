//! Referral codes and the identity rules referral rewards depend on.
//!
//! Codes are what shoppers read aloud, type from a flyer or copy from a chat: short, upper-case,
//! from an alphabet without look-alikes (no 0/O, 1/I/L), random rather than derived from the
//! e-mail (so a code reveals nothing), and screened against words nobody wants on their link.

use crate::FieldCode;

/// 31 symbols: digits 2-9 and letters without I, L, O.
pub const CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 8;
const MIN_PARSE_LEN: usize = 7;

/// Fragments a generated code must not contain (checked on the code and on it read with 3→E,
/// 4→A, 5→S, 7→T, 8→B, 6→G, since people read digits as letters).
const BLOCKED: [&str; 24] = [
    "ASS", "FUK", "FUC", "FCK", "SHT", "CUNT", "DCK", "DIK", "COCK", "PNS", "PENS", "TWAT", "NAZ", "HTLR", "KKK",
    "SEX", "XXX", "FAG", "NGR", "NGGR", "PUSY", "CUM", "WANK", "RAPE",
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferralCode(String);

impl ReferralCode {
    /// Accepts what a shopper may type or paste: any case, surrounding spaces.
    pub fn parse(input: &str) -> Result<Self, FieldCode> {
        let code = input.trim().to_ascii_uppercase();
        let shape_ok =
            (MIN_PARSE_LEN..=CODE_LEN).contains(&code.len()) && code.bytes().all(|b| CODE_ALPHABET.contains(&b));
        if shape_ok {
            Ok(Self(code))
        } else {
            Err(FieldCode::InvalidReferralCode)
        }
    }

    /// A fresh code from a source of random bytes (the caller's CSPRNG). Bytes are drawn by
    /// rejection so every symbol is equally likely; codes with blocked words are drawn again.
    pub fn generate(mut random_byte: impl FnMut() -> u8) -> Self {
        let limit = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8; // 248
        loop {
            let mut code = String::with_capacity(CODE_LEN);
            while code.len() < CODE_LEN {
                let b = random_byte();
                if b < limit {
                    code.push(CODE_ALPHABET[usize::from(b) % CODE_ALPHABET.len()] as char);
                }
            }
            if !is_blocked(&code) {
                return Self(code);
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReferralCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn is_blocked(code: &str) -> bool {
    let leet: String = code
        .chars()
        .map(|c| match c {
            '3' => 'E',
            '4' => 'A',
            '5' => 'S',
            '6' => 'G',
            '7' => 'T',
            '8' => 'B',
            other => other,
        })
        .collect();
    BLOCKED.iter().any(|w| code.contains(w) || leet.contains(w))
}

/// The identity of a mailbox for "is this the same person": lower-case, without `+tags`, and for
/// Gmail without dots (Gmail ignores them) and with googlemail.com folded into gmail.com.
pub fn identity_email(email: &str) -> String {
    let lower = email.trim().to_lowercase();
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return lower;
    };
    let local = local.split('+').next().unwrap_or(local);
    match domain {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
        _ => format!("{local}@{domain}"),
    }
}

/// Throwaway-mailbox providers: rewards for these addresses wait for a human.
const DISPOSABLE_DOMAINS: [&str; 20] = [
    "mailinator.com",
    "guerrillamail.com",
    "guerrillamail.net",
    "sharklasers.com",
    "10minutemail.com",
    "tempmail.com",
    "temp-mail.org",
    "yopmail.com",
    "trashmail.com",
    "getnada.com",
    "dispostable.com",
    "maildrop.cc",
    "throwawaymail.com",
    "fakeinbox.com",
    "mintemail.com",
    "mohmal.com",
    "emailondeck.com",
    "tempail.com",
    "spamgourmet.com",
    "mailnesia.com",
];

pub fn is_disposable_domain(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    DISPOSABLE_DOMAINS.iter().any(|bad| d == *bad || d.ends_with(&format!(".{bad}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter_bytes() -> impl FnMut() -> u8 {
        let mut state = 0x2545_F491u32;
        move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        }
    }

    #[test]
    fn a_generated_code_has_eight_symbols_from_the_unambiguous_alphabet() {
        let mut next = counter_bytes();
        for _ in 0..500 {
            let code = ReferralCode::generate(&mut next);
            assert_eq!(code.as_str().len(), CODE_LEN);
            assert!(code.as_str().bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert!(!code.as_str().contains(['0', 'O', '1', 'I', 'L']));
        }
    }

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for bad in b"01ILO" {
            assert!(!CODE_ALPHABET.contains(bad));
        }
    }

    #[test]
    fn generated_codes_differ() {
        let mut next = counter_bytes();
        let codes: std::collections::HashSet<String> = (0..1000).map(|_| ReferralCode::generate(&mut next).0).collect();
        assert_eq!(codes.len(), 1000);
    }

    #[test]
    fn a_code_spelling_a_blocked_word_is_drawn_again() {
        // The first draw is "ASS22222"; generation must move on to the next.
        let mut bytes =
            b"\x08\x17\x17\x00\x00\x00\x00\x00".iter().chain(b"\x01\x02\x03\x04\x05\x06\x07\x09".iter()).copied();
        let code = ReferralCode::generate(move || bytes.next().unwrap_or(0));
        assert_eq!(code.as_str(), "3456789B");
    }

    #[test]
    fn blocked_words_are_caught_also_when_written_with_digits() {
        assert!(is_blocked("ZZ4SSZZZ"));
        assert!(is_blocked("S3XZZZZZ"));
        assert!(!is_blocked("ZZ4BCZZZ"));
    }

    #[test]
    fn codes_parse_in_any_case_and_refuse_look_alikes_and_wrong_lengths() {
        assert_eq!(ReferralCode::parse(" ab3dk9mz ").unwrap().as_str(), "AB3DK9MZ");
        assert!(ReferralCode::parse("AB3DK9M").is_ok());
        for bad in ["AB3DK9", "AB3DK9MZQ", "AB0DK9MZ", "ABODK9MZ", "AB1DK9MZ", "ABIDK9MZ", "AB-DK9MZ", ""] {
            assert_eq!(ReferralCode::parse(bad), Err(FieldCode::InvalidReferralCode), "{bad}");
        }
    }

    #[test]
    fn gmail_dots_tags_and_case_do_not_make_a_new_person() {
        assert_eq!(identity_email("A.N.Na+promo@GoogleMail.com"), "anna@gmail.com");
        assert_eq!(identity_email("anna@gmail.com"), identity_email("an.na+x@gmail.com"));
        // Email::parse folds only ASCII case; the identity folds the rest.
        assert_eq!(identity_email("Jörg@BÜCHER.de"), "jörg@bücher.de");
    }

    #[test]
    fn other_providers_keep_their_dots_but_lose_tags() {
        assert_eq!(identity_email("Jo.Smith+shop@Example.com"), "jo.smith@example.com");
        assert_ne!(identity_email("jo.smith@example.com"), identity_email("josmith@example.com"));
    }

    #[test]
    fn disposable_domains_and_their_subdomains_are_recognised() {
        assert!(is_disposable_domain("mailinator.com"));
        assert!(is_disposable_domain("eu.Mailinator.com"));
        assert!(!is_disposable_domain("gmail.com"));
        assert!(!is_disposable_domain("notmailinator.com"));
    }
}
