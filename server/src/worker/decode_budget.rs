//! One budget, in megapixels, shared by every receipt decode in the process. A decoded image costs
//! memory by its pixels (several bytes each), not by its file size: a 40 MP photo of a blank page
//! is a few hundred kB on disk and hundreds of MB once decoded. The per-image limit alone would let
//! `concurrency` such photos decode at once, inside the BFF when the worker is embedded.

use std::sync::Arc;

use tokio::sync::Semaphore;
use vouch_core::wire::RejectReason;

use super::receipt::{self, Normalised};
use crate::backends::BackendError;

const MEGAPIXEL: u64 = 1_000_000;

#[derive(Debug, Clone)]
pub struct DecodeBudget {
    megapixels: Arc<Semaphore>,
    capacity: u32,
}

impl DecodeBudget {
    pub fn new(megapixels: u32) -> Self {
        let capacity = megapixels.max(1);
        Self { megapixels: Arc::new(Semaphore::new(capacity as usize)), capacity }
    }

    /// Verifies and re-encodes a receipt once its pixels fit in what the other decodes leave free.
    /// `Ok(Err(reason))` refuses the receipt for good; `Err` means try again later.
    pub async fn normalise(
        &self,
        bytes: Vec<u8>,
        max_pixels: u64,
    ) -> Result<Result<Normalised, RejectReason>, BackendError> {
        let pixels = match receipt::pixels(&bytes) {
            Ok(p) if p > max_pixels => return Ok(Err(RejectReason::ReceiptTooManyPixels)),
            Ok(p) => p,
            Err(reason) => return Ok(Err(reason)),
        };
        // An image larger than the whole budget takes all of it and decodes alone, rather than never.
        let cost = u32::try_from(pixels.div_ceil(MEGAPIXEL)).unwrap_or(u32::MAX).clamp(1, self.capacity);
        let permit = self
            .megapixels
            .clone()
            .acquire_many_owned(cost)
            .await
            .map_err(|_| BackendError::Corrupt("the decode budget was closed".into()))?;
        // The permit moves into the decode: if this future is dropped, the memory is still in use
        // until the blocking decode ends, and so is the budget.
        tokio::task::spawn_blocking(move || {
            let verdict = receipt::normalise(&bytes, max_pixels);
            drop(permit);
            verdict
        })
        .await
        .map_err(|e| BackendError::Corrupt(format!("receipt check panicked: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::receipt::tests::{jpeg, png_bomb};

    #[tokio::test]
    async fn a_receipt_is_normalised_within_the_budget_and_gives_it_back() {
        let budget = DecodeBudget::new(1);
        for _ in 0..3 {
            let n = budget.normalise(jpeg(64, 48), 40_000_000).await.unwrap().unwrap();
            assert_eq!((n.width, n.height), (64, 48));
        }
        assert_eq!(budget.megapixels.available_permits(), 1);
    }

    #[tokio::test]
    async fn an_image_larger_than_the_budget_still_decodes_alone() {
        let budget = DecodeBudget::new(1);
        let n = budget.normalise(png_bomb(1500), 40_000_000).await.unwrap().unwrap();
        assert_eq!((n.width, n.height), (1500, 1500));
    }

    #[tokio::test]
    async fn a_bomb_and_a_non_image_are_refused_without_waiting_for_the_budget() {
        let budget = DecodeBudget::new(1);
        let _all = budget.megapixels.clone().acquire_many_owned(1).await.unwrap();
        let refused = budget.normalise(png_bomb(8000), 40_000_000).await.unwrap();
        assert_eq!(refused.unwrap_err(), RejectReason::ReceiptTooManyPixels);
        let refused = budget.normalise(b"<html>".to_vec(), 40_000_000).await.unwrap();
        assert_eq!(refused.unwrap_err(), RejectReason::ReceiptNotAnImage);
    }
}
