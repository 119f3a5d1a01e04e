//! Error texts from dependencies can quote what they were given: an SES rejection names the
//! recipient's mailbox, a parser quotes the value it refused. Before such a text reaches a log
//! line or a stored `last_error`, the mailboxes in it are replaced.
//!
//! A parser quotes names as readily as mailboxes (`invalid type: string "Zoë"`), and a name has
//! no shape to recognise it by, so [`error_text`], for texts about a shopper's message, blanks
//! every quoted value as well.

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

/// `text` with its mailboxes replaced and every value quoted in `"…"` or `` `…` `` (serde's two
/// quotes) blanked to `"…"`: what a handler's error may say about a message it could not handle.
pub fn error_text(text: &str) -> String {
    let text = mailboxes(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find(['"', '`']) {
        let quote = &rest[open..open + 1];
        out.push_str(&rest[..open]);
        match rest[open + 1..].find(quote) {
            Some(len) => {
                out.push_str(quote);
                out.push('…');
                out.push_str(quote);
                rest = &rest[open + 1 + len + 1..];
            }
            // An unclosed quote: whatever follows it may be the value.
            None => {
                out.push_str(quote);
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{error_text, mailboxes};

    #[test]
    fn quoted_values_are_blanked_and_the_rest_kept() {
        assert_eq!(
            error_text("unreadable entry message: invalid type: string \"Zoë Ünal\", expected i64 at line 1 column 80"),
            "unreadable entry message: invalid type: string \"…\", expected i64 at line 1 column 80"
        );
        assert_eq!(error_text("unknown variant `Zoë`, expected `en`"), "unknown variant `…`, expected `…`");
        assert_eq!(error_text("ben@shop.example said \"Ben"), "<email> said \"…");
        assert_eq!(error_text("http://hooks.example/x answered 500"), "http://hooks.example/x answered 500");
    }

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
