//! Receipt fingerprints in SQLite.

use std::collections::HashSet;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteBackend;
use crate::backends::receipts::{Perceptual, ReceiptIndex};
use crate::backends::Result;

#[async_trait]
impl ReceiptIndex for SqliteBackend {
    async fn claim_exact(&self, campaign: &str, sha256: &str, entry_id: &str) -> Result<String> {
        let (campaign, sha256, entry_id) = (campaign.to_string(), sha256.to_string(), entry_id.to_string());
        let owner = self
            .db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO receipt_exact (campaign, sha256, entry_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                )?
                .execute(params![campaign, sha256, entry_id])?;
                let owner: Option<String> = conn
                    .prepare_cached("SELECT entry_id FROM receipt_exact WHERE campaign = ?1 AND sha256 = ?2")?
                    .query_row(params![campaign, sha256], |r| r.get(0))
                    .optional()?;
                Ok(owner.unwrap_or(entry_id))
            })
            .await?;
        Ok(owner)
    }

    async fn index_perceptual(&self, campaign: &str, entry: &Perceptual, bands: &[String]) -> Result<()> {
        let (campaign, entry, bands) = (campaign.to_string(), entry.clone(), bands.to_vec());
        self.db()
            .write(move |conn| {
                let mut insert = conn.prepare_cached(
                    "INSERT INTO receipt_bands (campaign, band, entry_id, hash, accepted_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                )?;
                for band in &bands {
                    insert.execute(params![
                        campaign,
                        band,
                        entry.entry_id,
                        entry.hash.cast_signed(),
                        entry.accepted_at_ms
                    ])?;
                }
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn perceptual_candidates(&self, campaign: &str, bands: &[String]) -> Result<Vec<Perceptual>> {
        let (campaign, bands) = (campaign.to_string(), bands.to_vec());
        let found = self
            .db()
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT entry_id, hash, accepted_ms FROM receipt_bands WHERE campaign = ?1 AND band = ?2",
                )?;
                let mut found: Vec<Perceptual> = Vec::new();
                let mut seen = HashSet::new();
                for band in &bands {
                    let rows = stmt.query_map(params![campaign, band], |r| {
                        Ok(Perceptual {
                            entry_id: r.get(0)?,
                            hash: r.get::<_, i64>(1)?.cast_unsigned(),
                            accepted_at_ms: r.get(2)?,
                        })
                    })?;
                    for row in rows {
                        let p = row?;
                        if seen.insert(p.entry_id.clone()) {
                            found.push(p);
                        }
                    }
                }
                Ok(found)
            })
            .await?;
        Ok(found)
    }
}
