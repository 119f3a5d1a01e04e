//! Receipt photos: which files a campaign takes and how big they may be. The widget checks these
//! before asking for a grant, the server before signing one, and the object store enforces the
//! signed limits again on the upload itself.

use serde::{Deserialize, Serialize};

use crate::FieldCode;

/// Image types the worker can verify by their magic bytes and decode.
pub const SUPPORTED_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct UploadLimits {
    /// Content types the campaign accepts, a subset of [`SUPPORTED_TYPES`].
    pub content_types: Vec<String>,
    pub max_bytes: u64,
    /// Width × height the worker will decode; larger images are refused as decompression bombs.
    pub max_pixels: u64,
    pub required: bool,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            content_types: SUPPORTED_TYPES.iter().map(|t| t.to_string()).collect(),
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            required: true,
        }
    }
}

impl UploadLimits {
    pub fn check_type(&self, content_type: &str) -> Result<(), FieldCode> {
        let ct = content_type.trim().to_ascii_lowercase();
        if SUPPORTED_TYPES.contains(&ct.as_str()) && self.content_types.iter().any(|t| t.eq_ignore_ascii_case(&ct)) {
            Ok(())
        } else {
            Err(FieldCode::UnsupportedType)
        }
    }

    pub fn check_size(&self, size: u64) -> Result<(), FieldCode> {
        match size {
            0 => Err(FieldCode::FileEmpty),
            s if s > self.max_bytes => Err(FieldCode::FileTooLarge),
            _ => Ok(()),
        }
    }

    /// Human size for messages, e.g. "10 MB" or "2.5 MB". Integer arithmetic on purpose: the
    /// widget calls this, and formatting an `f64` would add about 15 kB to its wasm.
    pub fn max_size_label(&self) -> String {
        const MB: u64 = 1024 * 1024;
        if self.max_bytes < MB {
            return format!("{} kB", self.max_bytes / 1024);
        }
        let tenths = (self.max_bytes.saturating_mul(10) + MB / 2) / MB;
        match tenths % 10 {
            0 => format!("{} MB", tenths / 10),
            d => format!("{}.{d} MB", tenths / 10),
        }
    }
}

/// The image type a file's first bytes announce, whatever its name or declared type says.
pub fn sniff_image_type(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_png_and_webp_are_accepted_in_any_case() {
        let limits = UploadLimits::default();
        for ct in ["image/jpeg", "IMAGE/PNG", "image/webp "] {
            assert_eq!(limits.check_type(ct), Ok(()), "{ct}");
        }
    }

    #[test]
    fn html_svg_and_pdf_are_refused() {
        let limits = UploadLimits::default();
        for ct in ["text/html", "image/svg+xml", "application/pdf", ""] {
            assert_eq!(limits.check_type(ct), Err(FieldCode::UnsupportedType), "{ct}");
        }
    }

    #[test]
    fn a_campaign_can_narrow_the_accepted_types() {
        let limits = UploadLimits { content_types: vec!["image/jpeg".into()], ..UploadLimits::default() };
        assert_eq!(limits.check_type("image/png"), Err(FieldCode::UnsupportedType));
    }

    #[test]
    fn a_campaign_cannot_widen_the_types_beyond_what_the_worker_verifies() {
        let limits = UploadLimits { content_types: vec!["text/html".into()], ..UploadLimits::default() };
        assert_eq!(limits.check_type("text/html"), Err(FieldCode::UnsupportedType));
    }

    #[test]
    fn a_50_mb_file_is_too_large_and_an_empty_one_is_refused() {
        let limits = UploadLimits::default();
        assert_eq!(limits.check_size(50 * 1024 * 1024), Err(FieldCode::FileTooLarge));
        assert_eq!(limits.check_size(0), Err(FieldCode::FileEmpty));
        assert_eq!(limits.check_size(limits.max_bytes), Ok(()));
    }

    #[test]
    fn the_size_limit_reads_as_megabytes() {
        assert_eq!(UploadLimits::default().max_size_label(), "10 MB");
        let label = |max_bytes| UploadLimits { max_bytes, ..UploadLimits::default() }.max_size_label();
        assert_eq!(label(5 * 1024 * 1024 / 2), "2.5 MB");
        assert_eq!(label(1024 * 1024 - 1), "1023 kB");
        assert_eq!(label(1024 * 1024 * 1024), "1024 MB");
    }

    #[test]
    fn magic_bytes_identify_the_real_image_type() {
        assert_eq!(sniff_image_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(sniff_image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image_type(b"<html><body>"), None);
        assert_eq!(sniff_image_type(b"GIF89a"), None);
    }
}
