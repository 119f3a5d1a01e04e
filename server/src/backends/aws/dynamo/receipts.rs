//! Receipt fingerprints in DynamoDB: `rsha#…` items claim exact receipts with a conditional put;
//! `rband#…` items index perceptual hashes by band, found through `gsi2`.

use std::collections::HashSet;

use async_trait::async_trait;

use super::{n, number, opt_text, s, text, DynamoStore};
use crate::backends::aws::corrupt;
use crate::backends::receipts::{Perceptual, ReceiptIndex};
use crate::backends::Result;

fn exact_pk(campaign: &str, sha256: &str) -> String {
    format!("rsha#{campaign}#{sha256}")
}

fn band_pk(campaign: &str, band: &str) -> String {
    format!("rband#{campaign}#{band}")
}

#[async_trait]
impl ReceiptIndex for DynamoStore {
    async fn claim_exact(&self, campaign: &str, sha256: &str, entry_id: &str) -> Result<String> {
        let pk = exact_pk(campaign, sha256);
        let claim = super::item(vec![("pk", Some(s(&pk))), ("entry_id", Some(s(entry_id)))]);
        // Over nothing, or over this entry's own claim (a redelivery): never over another's.
        if self.put_if(claim, "attribute_not_exists(pk) OR #s = :v", Some(("entry_id", s(entry_id)))).await? {
            return Ok(entry_id.to_string());
        }
        let held = self.get(&pk).await?.ok_or_else(|| corrupt(format!("receipt claim {pk} vanished")))?;
        text(&held, "entry_id")
    }

    async fn index_perceptual(&self, campaign: &str, entry: &Perceptual, bands: &[String]) -> Result<()> {
        for band in bands {
            let group = band_pk(campaign, band);
            self.put(super::item(vec![
                ("pk", Some(s(&format!("{group}#{}", entry.entry_id)))),
                ("entry_id", Some(s(&entry.entry_id))),
                ("hash", Some(s(&format!("{:016x}", entry.hash)))),
                ("accepted_ms", Some(n(entry.accepted_at_ms))),
                ("gsi2pk", Some(s(&group))),
                ("gsi2sk", Some(s(&entry.entry_id))),
            ]))
            .await?;
        }
        Ok(())
    }

    async fn perceptual_candidates(&self, campaign: &str, bands: &[String]) -> Result<Vec<Perceptual>> {
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        for band in bands {
            for it in self.query("gsi2", &band_pk(campaign, band), None).await? {
                let entry_id = text(&it, "entry_id")?;
                if !seen.insert(entry_id.clone()) {
                    continue;
                }
                let hash = opt_text(&it, "hash")
                    .and_then(|h| u64::from_str_radix(&h, 16).ok())
                    .ok_or_else(|| corrupt(format!("band item of {entry_id} without a hash")))?;
                found.push(Perceptual { entry_id, hash, accepted_at_ms: number(&it, "accepted_ms") });
            }
        }
        Ok(found)
    }
}
