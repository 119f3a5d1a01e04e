//! Receipt photos: which files a campaign takes and how big they may be. The widget checks these
//! before asking for a grant, the server before signing one, and the object store enforces the
//! signed limits again on the upload itself.

use serde::{Deserialize, Serialize};

use crate::FieldCode;

/// Image types the worker can verify by their magic bytes and decode.
pub const SUPPORTED_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// Photo types the worker cannot decode (it has no HEIF decoder) but a browser may (Safari): the
/// widget turns them into a JPEG before upload when it can, and refuses them when it cannot.
pub const CONVERTIBLE_TYPES: [&str; 2] = ["image/heic", "image/heif"];

/// JPEG quality of a photo the widget re-encodes: the worker's own re-encode uses the same 85, so
/// the stored copy loses no more than one pass; below about 0.8, ringing blurs the thin strokes of
/// a receipt's small print into its paper.
pub const REENCODE_QUALITY: f64 = 0.85;

/// Below this size a photo within the edge limit is sent as chosen: re-encoding it would save
/// little time on any link and cost a decode and an encode on the phone.
pub const KEEP_BELOW_BYTES: u64 = 1024 * 1024;

/// The limits of the `max_edge_px` setting: below 1024 px a till slip's small print is no longer
/// legible; above 8192 px nothing is saved for a phone photo.
pub const EDGE_PX_RANGE: std::ops::RangeInclusive<u32> = 1024..=8192;

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
    /// The widget downscales a larger photo so that its long edge is this many pixels before it
    /// uploads it (see [`UploadLimits::reencode_to`]).
    pub max_edge_px: u32,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            content_types: SUPPORTED_TYPES.iter().map(|t| t.to_string()).collect(),
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            required: true,
            max_edge_px: 2560,
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

    /// Whether the widget should take the chosen file at all: an accepted type, or one it may
    /// convert into an accepted JPEG (HEIC). The file actually uploaded is checked again.
    pub fn check_chosen(&self, content_type: &str) -> Result<(), FieldCode> {
        if CONVERTIBLE_TYPES.iter().any(|t| t.eq_ignore_ascii_case(content_type)) {
            return self.check_type("image/jpeg");
        }
        self.check_type(content_type)
    }

    /// The width and height to re-encode a decoded photo to as a JPEG before upload, or `None`
    /// to send the file as chosen: when it is within the limits, small, and of an accepted type,
    /// or when the campaign takes no JPEG. `width` and `height` are as displayed (after the EXIF
    /// orientation). A larger photo keeps its aspect ratio and shrinks until its long edge is at
    /// most `max_edge_px` and its area at most `max_pixels` (the worker refuses more).
    pub fn reencode_to(&self, content_type: &str, width: u32, height: u32, bytes: u64) -> Option<(u32, u32)> {
        if self.check_type("image/jpeg").is_err() || width == 0 || height == 0 {
            return None;
        }
        let (w, h) = (f64::from(width), f64::from(height));
        let by_edge = f64::from(self.max_edge_px.max(1)) / w.max(h);
        let by_pixels = (self.max_pixels as f64 / (w * h)).sqrt();
        let scale = by_edge.min(by_pixels);
        if scale >= 1.0 {
            let keep = bytes < KEEP_BELOW_BYTES && self.check_type(content_type).is_ok();
            return (!keep).then_some((width, height));
        }
        // The epsilon keeps an exact 2560 from flooring to 2559 through rounding error.
        let side = |v: f64| ((v * scale + 1e-6).floor() as u32).max(1);
        Some((side(w), side(h)))
    }

    /// A campaign's upload settings make sense: the edge within [`EDGE_PX_RANGE`].
    pub fn check_settings(&self) -> Result<(), String> {
        let edge = self.max_edge_px;
        if !EDGE_PX_RANGE.contains(&edge) {
            return Err(format!(
                "[form.upload] max_edge_px must be {}-{} (is {edge})",
                EDGE_PX_RANGE.start(),
                EDGE_PX_RANGE.end()
            ));
        }
        Ok(())
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
    fn a_phone_photo_is_downscaled_to_the_edge_keeping_its_aspect_ratio() {
        let limits = UploadLimits::default();
        assert_eq!(limits.reencode_to("image/jpeg", 4032, 3024, 6_000_000), Some((2560, 1920)));
        assert_eq!(limits.reencode_to("image/jpeg", 3024, 4032, 6_000_000), Some((1920, 2560)));
        let narrow = UploadLimits { max_edge_px: 1024, ..UploadLimits::default() };
        assert_eq!(narrow.reencode_to("image/png", 4000, 1, 900_000), Some((1024, 1)), "never 0 px");
        let few_pixels = UploadLimits { max_pixels: 4_000_000, ..UploadLimits::default() };
        assert_eq!(few_pixels.reencode_to("image/jpeg", 4000, 3000, 6_000_000), Some((2309, 1732)), "within 4 MP");
    }

    #[test]
    fn a_small_photo_is_sent_as_chosen_and_a_heavy_one_reencoded_at_its_size() {
        let limits = UploadLimits::default();
        assert_eq!(limits.reencode_to("image/jpeg", 2560, 1920, 900_000), None);
        assert_eq!(limits.reencode_to("image/png", 1200, 800, KEEP_BELOW_BYTES - 1), None);
        assert_eq!(limits.reencode_to("image/png", 2000, 1500, 5_000_000), Some((2000, 1500)));
    }

    #[test]
    fn heic_is_taken_only_to_be_converted_into_a_jpeg() {
        let limits = UploadLimits::default();
        assert_eq!(limits.check_chosen("image/HEIC"), Ok(()));
        assert_eq!(limits.check_type("image/heic"), Err(FieldCode::UnsupportedType), "the worker cannot read it");
        assert_eq!(limits.reencode_to("image/heic", 800, 600, 200_000), Some((800, 600)), "converted even when small");
        let png_only = UploadLimits { content_types: vec!["image/png".into()], ..UploadLimits::default() };
        assert_eq!(png_only.check_chosen("image/heic"), Err(FieldCode::UnsupportedType));
        assert_eq!(png_only.reencode_to("image/png", 8000, 6000, 9_000_000), None, "no JPEG for a PNG-only campaign");
        assert_eq!(limits.check_chosen("text/html"), Err(FieldCode::UnsupportedType));
    }

    #[test]
    fn the_edge_setting_must_keep_print_legible_and_fit_the_pixel_limit() {
        assert_eq!(UploadLimits::default().check_settings(), Ok(()));
        let with = |max_edge_px, max_pixels| UploadLimits { max_edge_px, max_pixels, ..UploadLimits::default() };
        assert!(with(640, 40_000_000).check_settings().unwrap_err().contains("1024-8192"));
        assert!(with(9000, 100_000_000).check_settings().is_err());
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
