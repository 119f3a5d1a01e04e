//! E-mail addresses as shoppers type them: the practical subset of RFC 5321/6531 that mail
//! providers accept. Quoted local parts and IP-literal domains are refused on purpose: no consumer
//! mailbox uses them and they are a favourite of form spammers.

use crate::FieldCode;

pub const MAX_EMAIL_CHARS: usize = 254;
const MAX_LOCAL_CHARS: usize = 64;
const MAX_LABEL_CHARS: usize = 63;

/// A syntactically valid address; the domain is lower-cased, the local part kept as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldCode> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldCode::Required);
        }
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(FieldCode::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(FieldCode::InvalidEmail)?;
        if !is_local_part(local) || !is_domain(domain) {
            return Err(FieldCode::InvalidEmail);
        }
        // ASCII case folding only: the server's `identity_email` folds the rest for "same person"
        // checks, and the widget calls this as you type, where Unicode case tables would cost
        // about 10 kB of wasm.
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

fn is_local_part(local: &str) -> bool {
    let len = local.chars().count();
    (1..=MAX_LOCAL_CHARS).contains(&len)
        && local.split('.').all(|atom| !atom.is_empty() && atom.chars().all(is_atom_char))
}

fn is_atom_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c) || (!c.is_ascii() && c.is_alphanumeric())
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    domain.chars().count() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| is_label(label))
        && tld.chars().count() >= 2
        && !tld.chars().all(|c| c.is_ascii_digit())
}

fn is_label(label: &str) -> bool {
    let len = label.chars().count();
    (1..=MAX_LABEL_CHARS).contains(&len)
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Email::parse(s).unwrap_or_else(|e| panic!("{s} should be valid, got {e:?}")).into_inner()
    }

    #[test]
    fn an_ordinary_address_is_accepted() {
        assert_eq!(ok("anna@example.com"), "anna@example.com");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        assert_eq!(ok("  anna@example.com \n"), "anna@example.com");
    }

    #[test]
    fn the_domain_is_lowercased_but_the_local_part_is_kept() {
        assert_eq!(ok("Anna.Smith@Example.COM"), "Anna.Smith@example.com");
    }

    #[test]
    fn plus_tags_subdomains_and_hyphens_are_accepted() {
        ok("anna+promo@mail.example.co.uk");
        ok("first.last@my-shop.example");
        ok("o'brien@example.ie");
    }

    #[test]
    fn internationalised_addresses_are_accepted() {
        assert_eq!(ok("jürgen@Bücher.DE"), "jürgen@bücher.de");
        ok("用户@例子.广告");
    }

    #[test]
    fn an_empty_address_is_required() {
        assert_eq!(Email::parse("  "), Err(FieldCode::Required));
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "anna",
            "anna@",
            "@example.com",
            "anna@example",
            "anna@@example.com",
            "an na@example.com",
            "anna@exa mple.com",
            ".anna@example.com",
            "anna.@example.com",
            "an..na@example.com",
            "anna@-example.com",
            "anna@example-.com",
            "anna@example..com",
            "anna@example.c",
            "anna@127.0.0.1",
            "anna@[127.0.0.1]",
            "\"anna\"@example.com",
            "anna@example.com.",
            "a<b>@example.com",
            "anna@exam_ple.com",
        ] {
            assert_eq!(Email::parse(bad), Err(FieldCode::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn a_local_part_longer_than_64_characters_is_rejected() {
        assert_eq!(Email::parse(&format!("{}@example.com", "a".repeat(65))), Err(FieldCode::InvalidEmail));
        ok(&format!("{}@example.com", "a".repeat(64)));
    }

    #[test]
    fn an_address_longer_than_254_characters_is_too_long() {
        let long = format!("a@{}.com", "b".repeat(63).repeat(4));
        assert_eq!(Email::parse(&long), Err(FieldCode::TooLong));
    }

    #[test]
    fn the_domain_is_available_for_later_checks() {
        assert_eq!(Email::parse("x@Mail.Example.org").unwrap().domain(), "mail.example.org");
    }
}
