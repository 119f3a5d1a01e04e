//! Where things live in the object store: the one place each key prefix is spelled. The
//! infrastructure template (`infra/vouch.yaml`) grants the BFF `uploads/*` and the worker
//! `receipts/*` too, so a change here is a change there.

/// Shoppers' uploads, as the browser posted them; removed once claimed and processed, or swept.
pub const UPLOADS: &str = "uploads";
/// Normalised copies of accepted receipts, kept with their entry.
pub const RECEIPTS: &str = "receipts";
/// Small copies of receipts for the console, made by the BFF the first time one is shown.
pub const THUMBNAILS: &str = "thumbnails";

/// Where a campaign's upload lands in the bucket.
pub fn upload_key(campaign: &str, nonce: &str) -> String {
    format!("{UPLOADS}/{campaign}/{nonce}")
}

/// Where the normalised copy of an entry's receipt is kept.
pub fn receipt_key(campaign: &str, entry_id: &str) -> String {
    format!("{RECEIPTS}/{campaign}/{entry_id}.jpg")
}

/// Where the thumbnail of the receipt at `receipt_key` is kept.
pub fn thumbnail_key(receipt_key: &str) -> String {
    let rest = receipt_key.strip_prefix(RECEIPTS).map(|r| r.trim_start_matches('/')).unwrap_or(receipt_key);
    format!("{THUMBNAILS}/{rest}")
}
