//! Receipt photos drawn in the test: a white slip with a logo block and lines of "text" (dark
//! dashes whose lengths and gaps follow a seed), so two seeds are two genuinely different receipts,
//! and a copy of one can be re-encoded, scaled and cropped the way a second photo of it would be.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{Rgb, RgbImage};

/// A 480×720 receipt whose layout follows `seed`, as a JPEG.
pub fn receipt(seed: u64) -> Vec<u8> {
    jpeg(&draw(seed), 88)
}

/// The same receipt photographed again: scaled to 96 %, 2 % cropped off each edge, and
/// re-compressed at a lower quality.
pub fn rephotographed(seed: u64) -> Vec<u8> {
    let img = draw(seed);
    let (w, h) = (img.width() * 96 / 100, img.height() * 96 / 100);
    let scaled = imageops::resize(&img, w, h, FilterType::Triangle);
    let (dx, dy) = (w * 2 / 100, h * 2 / 100);
    let cropped = imageops::crop_imm(&scaled, dx, dy, w - 2 * dx, h - 2 * dy).to_image();
    jpeg(&cropped, 70)
}

/// The same photo as the widget uploads it from a phone: shrunk to 40 % (a 4032 px photo to the
/// 1600 px edge) and re-encoded at the widget's quality, 85.
pub fn downscaled(seed: u64) -> Vec<u8> {
    let img = draw(seed);
    let small = imageops::resize(&img, img.width() * 40 / 100, img.height() * 40 / 100, FilterType::Triangle);
    jpeg(&small, 85)
}

fn draw(seed: u64) -> RgbImage {
    let (w, h) = (480u32, 720u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb([246, 244, 238]));
    // A tiny xorshift: the layout is a pure function of the seed.
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |bound: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(bound)) as u32
    };
    let mut fill = |x0: u32, y0: u32, x1: u32, y1: u32, shade: u8| {
        for y in y0..y1.min(h) {
            for x in x0..x1.min(w) {
                img.put_pixel(x, y, Rgb([shade, shade, shade.saturating_add(8)]));
            }
        }
    };
    // Logo block: where and how wide depends on the seed.
    let logo_x = 40 + next(260);
    fill(logo_x, 30, logo_x + 60 + next(100), 90 + next(40), 30);
    let mut y = 160;
    while y < h - 40 {
        let mut x = 30 + next(40);
        while x < w - 60 {
            let len = 12 + next(90);
            fill(x, y, x + len, y + 14, 20 + next(40) as u8);
            x += len + 10 + next(30);
        }
        y += 26 + next(20);
    }
    img
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).unwrap();
    out.into_inner()
}
