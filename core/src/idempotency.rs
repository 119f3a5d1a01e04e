//! The `Idempotency-Key` header: 1–255 visible ASCII characters (API.md).

pub const MAX_KEY_LEN: usize = 255;

pub fn is_valid_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_is_a_valid_key() {
        assert!(is_valid_key("0f8fad5b-d9cb-469f-a165-70867728950e"));
    }

    #[test]
    fn empty_overlong_and_non_ascii_keys_are_invalid() {
        assert!(!is_valid_key(""));
        assert!(!is_valid_key(&"k".repeat(256)));
        assert!(is_valid_key(&"k".repeat(255)));
        assert!(!is_valid_key("with space"));
        assert!(!is_valid_key("ключ"));
    }
}
