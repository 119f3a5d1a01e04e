//! The share link as a QR code, drawn client-side as one SVG path (no image request, no library
//! on a server).

use qrcodegen::{QrCode, QrCodeEcc};

/// `(size, path)`: the module count per side and an SVG path of the dark modules.
pub(crate) fn qr_path(text: &str) -> Option<(i32, String)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    Some((size, path))
}
