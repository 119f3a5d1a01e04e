//! Peak memory of receipt decoding, in a test binary of its own: the process's peak RSS (VmHWM)
//! must not carry other tests' allocations.

use std::time::Instant;

use image::{ImageBuffer, Rgb};
use vouch_server::config::WorkerConfig;
use vouch_server::worker::decode_budget::DecodeBudget;

/// Four 40 MP receipts at once would need well over a gigabyte; the default 50 MP budget lets one
/// decode at a time. The figure is in docs/benchmarks.md.
const PEAK_LIMIT_MB: u64 = 200;

/// A 40 MP (8000 × 5000) photo of a blank page: a few hundred kB of JPEG.
fn blank_40_mp_jpeg() -> Vec<u8> {
    let img = ImageBuffer::from_pixel(8000, 5000, Rgb([250u8, 250, 245]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img).unwrap();
    out
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_concurrent_40_mp_receipts_stay_within_the_decode_budget() {
    let jpeg = blank_40_mp_jpeg();
    assert!(jpeg.len() < 2_000_000, "highly compressible: {} bytes", jpeg.len());
    // Forget the peak of making the image: from here on, VmHWM is the decodes' peak.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kb("VmRSS:");

    let budget = DecodeBudget::new(WorkerConfig::default().decode_budget_megapixels);
    let started = Instant::now();
    let decodes = (0..4).map(|_| {
        let (budget, jpeg) = (budget.clone(), jpeg.clone());
        tokio::spawn(async move { budget.normalise(jpeg, 40_000_000).await })
    });
    for decode in decodes.collect::<Vec<_>>() {
        let normalised = decode.await.unwrap().unwrap().unwrap();
        assert_eq!((normalised.width, normalised.height), (8000, 5000));
    }
    let peak_mb = status_kb("VmHWM:") / 1024;
    eprintln!(
        "4 x 40 MP: peak RSS {peak_mb} MB (from {} MB before), {:.1} s",
        before / 1024,
        started.elapsed().as_secs_f64()
    );
    assert!(peak_mb < PEAK_LIMIT_MB, "peak RSS {peak_mb} MB, over {PEAK_LIMIT_MB} MB");
}
