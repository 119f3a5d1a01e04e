//! Receipt verification: the object must really be a JPEG, PNG or WebP (by its bytes, not its
//! declared type), small enough in pixels to decode safely, and decodable. What is stored is a
//! re-encoded JPEG, which drops EXIF (GPS position, device serials) and anything hidden in the file.

use std::io::Cursor;

use image::error::LimitErrorKind;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use vouch_core::upload::sniff_image_type;
use vouch_core::wire::RejectReason;

const JPEG_QUALITY: u8 = 85;

/// A verified receipt, re-encoded as JPEG.
#[derive(Debug)]
pub struct Normalised {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Perceptual hash of the decoded pixels (see [`super::fingerprint`]).
    pub phash: u64,
}

/// Width × height from the image's header, after checking by its bytes that it is an image we take.
pub fn pixels(bytes: &[u8]) -> Result<u64, RejectReason> {
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format(bytes)?)
        .into_dimensions()
        .map_err(|_| RejectReason::ReceiptUnreadable)?;
    Ok(u64::from(width) * u64::from(height))
}

fn format(bytes: &[u8]) -> Result<ImageFormat, RejectReason> {
    match sniff_image_type(bytes) {
        Some("image/jpeg") => Ok(ImageFormat::Jpeg),
        Some("image/png") => Ok(ImageFormat::Png),
        Some("image/webp") => Ok(ImageFormat::WebP),
        _ => Err(RejectReason::ReceiptNotAnImage),
    }
}

pub fn normalise(bytes: &[u8], max_pixels: u64) -> Result<Normalised, RejectReason> {
    // Header first: a decompression bomb is refused before a single pixel is inflated.
    if pixels(bytes)? > max_pixels {
        return Err(RejectReason::ReceiptTooManyPixels);
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(16 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format(bytes)?);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(reject)?;
    let orientation = decoder.orientation().map_err(reject)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(reject)?;
    image.apply_orientation(orientation);
    // Moves the pixels when they are RGB already (most JPEGs) instead of holding a second copy.
    let rgb = image.into_rgb8();
    let (Ok(w), Ok(h)) = (u16::try_from(rgb.width()), u16::try_from(rgb.height())) else {
        return Err(RejectReason::ReceiptUnreadable);
    };
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, JPEG_QUALITY)
        .encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|_| RejectReason::ReceiptUnreadable)?;
    let phash = super::fingerprint::perceptual(&rgb);
    Ok(Normalised { jpeg, width: u32::from(w), height: u32::from(h), phash })
}

fn reject(e: ImageError) -> RejectReason {
    match e {
        ImageError::Limits(l)
            if matches!(l.kind(), LimitErrorKind::DimensionError | LimitErrorKind::InsufficientMemory) =>
        {
            RejectReason::ReceiptTooManyPixels
        }
        _ => RejectReason::ReceiptUnreadable,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img).unwrap();
        out
    }

    pub(crate) fn png_bomb(side: u32) -> Vec<u8> {
        let img = image::GrayImage::new(side, side);
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// A JPEG with an EXIF segment (APP1) carrying a recognisable marker.
    fn jpeg_with_exif() -> Vec<u8> {
        let plain = jpeg(16, 16);
        let payload = b"Exif\0\0GPS-SECRET-LOCATION";
        let len = (payload.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_jpeg_receipt_is_reencoded_with_its_size_kept() {
        let n = normalise(&jpeg(64, 48), 40_000_000).unwrap();
        assert_eq!((n.width, n.height), (64, 48));
        assert_eq!(sniff_image_type(&n.jpeg), Some("image/jpeg"));
    }

    #[test]
    fn exif_data_does_not_survive_normalisation() {
        let input = jpeg_with_exif();
        assert!(input.windows(10).any(|w| w == b"GPS-SECRET"));
        let n = normalise(&input, 40_000_000).unwrap();
        assert!(!n.jpeg.windows(10).any(|w| w == b"GPS-SECRET"));
    }

    #[test]
    fn an_html_file_named_like_a_photo_is_not_an_image() {
        assert_eq!(
            normalise(b"<html><script>alert(1)</script></html>", 1000).unwrap_err(),
            RejectReason::ReceiptNotAnImage
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused_by_its_header() {
        let bomb = png_bomb(8000);
        assert!(bomb.len() < 1_000_000, "the bomb should be small on disk: {}", bomb.len());
        assert_eq!(normalise(&bomb, 40_000_000).unwrap_err(), RejectReason::ReceiptTooManyPixels);
    }

    #[test]
    fn a_truncated_jpeg_is_unreadable() {
        let mut broken = jpeg(64, 64);
        broken.truncate(40);
        assert_eq!(normalise(&broken, 40_000_000).unwrap_err(), RejectReason::ReceiptUnreadable);
    }
}
