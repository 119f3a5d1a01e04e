//! Error texts from dependencies can quote what they were given: an SES rejection names the
//! recipient's mailbox, a parser quotes the value it refused. Before such a text reaches a log
//! line or a stored `last_error`, the mailboxes in it are replaced.

/// `text` with every e-mail address replaced by `<email>`.
pub fn mailboxes(text: &str) -> String {
    let local = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let (before, after) = (&rest[..at], &rest[at + 1..]);
        let start =
            before.rfind(|c: char| !local(c)).map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
        let end = after.find(|c: char| !domain(c)).unwrap_or(after.len());
        let host = after[..end].trim_end_matches('.');
        if start < at && host.contains('.') {
            out.push_str(&before[..start]);
            out.push_str("<email>");
            rest = &after[host.len()..];
        } else {
            out.push_str(&rest[..=at]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::mailboxes;

    #[test]
    fn mailboxes_in_error_texts_are_replaced_and_the_rest_kept() {
        let ses = "MessageRejected: Email address is not verified. The following identities failed the check \
                   in region US-EAST-1: zoë.ünal+x@example.com, ben@shop.example.";
        assert_eq!(
            mailboxes(ses),
            "MessageRejected: Email address is not verified. The following identities failed the check in region \
             US-EAST-1: <email>, <email>."
        );
        assert_eq!(mailboxes("invalid value: string \"anna@example.com\""), "invalid value: string \"<email>\"");
        for kept in ["no address here", "a @ b", "user@localhost", "@example.com", "s3://bucket/key@v2"] {
            assert_eq!(mailboxes(kept), kept);
        }
    }
}
