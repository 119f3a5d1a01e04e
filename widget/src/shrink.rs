//! A phone's photo made small before it is sent: decoded by the browser upright (its EXIF
//! orientation applied), drawn at the size core's upload rule picks, and encoded as a JPEG. A
//! 12 MP photo of 4–8 MB becomes one of about 1 MB, a quarter of the time on a mobile uplink.
//! When the browser cannot decode the file (a HEIC outside Safari) or has no `OffscreenCanvas`
//! (Safari before 16.4), the original goes as chosen and the usual type and size checks apply.

use vouch_core::upload::{UploadLimits, REENCODE_QUALITY};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, File, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions, ImageOrientation, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d,
};

/// The file to upload for `file`: a smaller JPEG when the rule asks for one, else `file` itself.
pub(crate) async fn prepare(limits: &UploadLimits, file: &File) -> Blob {
    match shrink(limits, file).await {
        Some(smaller) => smaller,
        None => file.clone().into(),
    }
}

async fn shrink(limits: &UploadLimits, file: &File) -> Option<Blob> {
    let options = ImageBitmapOptions::new();
    options.set_image_orientation(ImageOrientation::FromImage);
    let decoding = web_sys::window()?.create_image_bitmap_with_blob_and_image_bitmap_options(file, &options).ok()?;
    let bitmap: ImageBitmap = JsFuture::from(decoding).await.ok()?.unchecked_into();
    let (width, height) = (bitmap.width(), bitmap.height());
    let size = limits.reencode_to(&file.type_(), width, height, file.size() as u64);
    let drawn = size.and_then(|(w, h)| draw(&bitmap, w, h));
    // The decoded pixels of a 12 MP photo are 48 MB: give them back now, not at the next GC.
    bitmap.close();
    let canvas = drawn?;
    let options = ImageEncodeOptions::new();
    options.set_type("image/jpeg");
    options.set_quality(REENCODE_QUALITY);
    let blob: Blob = JsFuture::from(canvas.convert_to_blob_with_options(&options).ok()?).await.ok()?.unchecked_into();
    // Only re-encoded at its own size (a heavy PNG, a HEIC): send whichever is smaller, unless the
    // original is of a type the worker cannot read.
    let same_size = size == Some((width, height));
    let original_fits = limits.check_type(&file.type_()).is_ok();
    (!(same_size && original_fits && blob.size() >= file.size())).then_some(blob)
}

fn draw(bitmap: &ImageBitmap, width: u32, height: u32) -> Option<OffscreenCanvas> {
    let canvas = OffscreenCanvas::new(width, height).ok()?;
    let context: OffscreenCanvasRenderingContext2d = canvas.get_context("2d").ok()??.unchecked_into();
    // "high" filters over all the source pixels a target pixel covers; the default bilinear
    // sampling skips pixels when shrinking by more than half and breaks thin strokes of print.
    let _ = js_sys::Reflect::set(&context, &"imageSmoothingQuality".into(), &"high".into());
    context.draw_image_with_image_bitmap_and_dw_and_dh(bitmap, 0.0, 0.0, f64::from(width), f64::from(height)).ok()?;
    Some(canvas)
}
