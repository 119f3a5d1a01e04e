//! Receipts for the console: links signed for a few minutes (the bucket stays private) to the
//! normalised receipt and to its thumbnail. The BFF makes a thumbnail the first time a receipt is
//! shown and keeps it beside the receipt: no worker change, entries stored before thumbnails
//! existed get one too, and only receipts someone opens cost the work.

use std::time::Duration;

use serde::Serialize;

use crate::backends::{Objects, Result};
use crate::crypto::format_iso8601_ms;
use crate::uploads::keys::thumbnail_key;

/// How long a receipt link works.
pub const LINK_TTL: Duration = Duration::from_secs(300);
/// The thumbnail's longest side, in pixels.
const THUMBNAIL_SIDE: u32 = 320;
const THUMBNAIL_QUALITY: u8 = 80;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptLinks {
    /// The full (normalised, EXIF-free) image.
    pub url: String,
    /// A small JPEG of it; absent when the image could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// When both links stop working (RFC 3339, UTC).
    pub expires_at: String,
}

/// A link to the full image at `key` alone (the moderation queue shows receipts large, so it
/// needs no thumbnail), or `None` when it is not in the store (anymore).
pub async fn full_link(objects: &dyn Objects, key: &str) -> Result<Option<String>> {
    if objects.head(key).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(objects.presign_get(key, LINK_TTL).await?))
}

/// Links to the receipt at `key`, or `None` when it is not in the store (anymore).
pub async fn links(objects: &dyn Objects, key: &str, now_ms: i64) -> Result<Option<ReceiptLinks>> {
    let Some(url) = full_link(objects, key).await? else { return Ok(None) };
    let thumbnail = match thumbnail(objects, key).await? {
        Some(thumb) => Some(objects.presign_get(&thumb, LINK_TTL).await?),
        None => None,
    };
    Ok(Some(ReceiptLinks {
        url,
        thumbnail_url: thumbnail,
        expires_at: format_iso8601_ms(now_ms + LINK_TTL.as_millis() as i64),
    }))
}

/// The thumbnail's key, made now when missing. Two first views at once both write the same
/// bytes: harmless.
async fn thumbnail(objects: &dyn Objects, key: &str) -> Result<Option<String>> {
    let thumb = thumbnail_key(key);
    if objects.head(&thumb).await?.is_some() {
        return Ok(Some(thumb));
    }
    let Some(bytes) = objects.get(key).await? else { return Ok(None) };
    let made = tokio::task::spawn_blocking(move || shrink(&bytes)).await.ok().flatten();
    match made {
        Some(jpeg) => {
            objects.put(&thumb, jpeg, "image/jpeg").await?;
            Ok(Some(thumb))
        }
        None => {
            tracing::warn!(key, "a receipt could not be read for its thumbnail");
            Ok(None)
        }
    }
}

/// A JPEG at most [`THUMBNAIL_SIDE`] pixels on its longest side. Receipts in the store were
/// normalised by the worker (their pixels bounded), so decoding one is safe.
pub fn shrink(bytes: &[u8]) -> Option<Vec<u8>> {
    let image = image::load_from_memory(bytes).ok()?;
    let small = image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).into_rgb8();
    let (w, h) = (u16::try_from(small.width()).ok()?, u16::try_from(small.height()).ok()?);
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, THUMBNAIL_QUALITY)
        .encode(small.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .ok()?;
    Some(jpeg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thumbnail_keeps_the_aspect_and_fits_the_side() {
        let img = image::RgbImage::from_pixel(1600, 1000, image::Rgb([200, 10, 10]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let thumb = image::load_from_memory(&shrink(&png).unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 200));
        assert!(shrink(b"not an image").is_none());
    }
}
