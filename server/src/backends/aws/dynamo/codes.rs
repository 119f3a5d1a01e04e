//! Code pools in DynamoDB. A pool is one counter item (`codepool#…`): codes imported, codes
//! handed out, and the head and tail of the line of waiting items. Codes sit at `codeseq#…#<n>` in
//! import order, waiting items at `codewait#…#<n>` in arrival order, and every step that moves a
//! counter is one transaction conditioned on the counter's old value, together with the
//! once-only item of the owed id (`owed#…`) and, on import, of the code's keyed hash
//! (`codehash#…`). Two claims can therefore never take the same code, and a repeated claim finds
//! its `owed#` item.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue as AV;
use aws_smithy_types::Blob;
use vouch_core::codes::Pool;

use super::{at, bytes, item, n, number, opt_text, s, text, DynamoStore, Item, WHAT};
use crate::backends::codes::{prepare, Claim, CodeKeys, Codes, ImportReport, PoolCounts};
use crate::backends::{BackendError, Result};
use crate::clock::now_ms;

#[path = "code_deliveries.rs"]
mod deliveries;

/// A contended step is tried again this often before the caller hears "unavailable" (and retries
/// the message later).
const ATTEMPTS: usize = 200;

#[derive(Clone)]
pub struct DynamoCodes {
    store: DynamoStore,
    keys: CodeKeys,
}

impl DynamoStore {
    pub fn codes(&self, keys: CodeKeys) -> DynamoCodes {
        DynamoCodes { store: self.clone(), keys }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    imported: i64,
    claimed: i64,
    wait_head: i64,
    wait_tail: i64,
}

fn pool_pk(campaign: &str, pool: Pool) -> String {
    format!("codepool#{campaign}#{}", pool.as_str())
}

fn seq_pk(campaign: &str, pool: Pool, seq: i64) -> String {
    format!("codeseq#{campaign}#{}#{}", pool.as_str(), at(seq))
}

fn wait_pk(campaign: &str, pool: Pool, seq: i64) -> String {
    format!("codewait#{campaign}#{}#{}", pool.as_str(), at(seq))
}

fn owed_pk(campaign: &str, pool: Pool, owed_id: &str) -> String {
    format!("owed#{campaign}#{}#{owed_id}", pool.as_str())
}

fn busy() -> BackendError {
    BackendError::Unavailable(WHAT, "code pool contended; try again".into())
}

impl DynamoCodes {
    async fn counters(&self, campaign: &str, pool: Pool) -> Result<Option<Counters>> {
        Ok(self.store.get(&pool_pk(campaign, pool)).await?.map(|i| Counters {
            imported: number(&i, "n_imported"),
            claimed: number(&i, "n_claimed"),
            wait_head: number(&i, "n_wait_head"),
            wait_tail: number(&i, "n_wait_tail"),
        }))
    }

    /// The pool's counters, creating the pool item at zero the first time.
    async fn ensure(&self, campaign: &str, pool: Pool) -> Result<Counters> {
        if let Some(c) = self.counters(campaign, pool).await? {
            return Ok(c);
        }
        let fresh = item(vec![
            ("pk", Some(s(&pool_pk(campaign, pool)))),
            ("campaign", Some(s(campaign))),
            ("pool", Some(s(pool.as_str()))),
            ("n_imported", Some(n(0))),
            ("n_claimed", Some(n(0))),
            ("n_wait_head", Some(n(0))),
            ("n_wait_tail", Some(n(0))),
        ]);
        self.store.put_if(fresh, "attribute_not_exists(pk)", None).await?;
        Ok(self.counters(campaign, pool).await?.unwrap_or_default())
    }

    /// The owed item's state: `Some(Some(code))` assigned, `Some(None)` waiting, `None` unknown.
    async fn owed(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Option<Option<(String, String)>>> {
        let Some(i) = self.store.get(&owed_pk(campaign, pool, owed_id)).await? else { return Ok(None) };
        Ok(Some(self.open(&i)?))
    }

    fn open(&self, i: &Item) -> Result<Option<(String, String)>> {
        match opt_text(i, "code_id") {
            Some(code_id) => Ok(Some((code_id.clone(), self.keys.open(&code_id, &bytes(i, "sealed"))?))),
            None => Ok(None),
        }
    }

    fn as_claim(held: Option<(String, String)>) -> Claim {
        match held {
            Some((code_id, code)) => Claim::Assigned { code_id, code },
            None => Claim::AwaitingCode,
        }
    }

    /// The code at `seq` in the pool: `(code_id, sealed)`.
    async fn code_at(&self, campaign: &str, pool: Pool, seq: i64) -> Result<(String, Vec<u8>)> {
        let i = self
            .store
            .get(&seq_pk(campaign, pool, seq))
            .await?
            .ok_or_else(|| BackendError::Corrupt(format!("code {seq} of pool {} is missing", pool.as_str())))?;
        Ok((text(&i, "code_id")?, bytes(&i, "sealed")))
    }

    async fn import_one(&self, campaign: &str, pool: Pool, code: &str, mut c: Counters) -> Result<(bool, Counters)> {
        let hash = self.keys.hash(campaign, code);
        let code_id = CodeKeys::code_id(&hash);
        let sealed = self.keys.seal(&code_id, code)?;
        for _ in 0..ATTEMPTS {
            let seq = c.imported;
            let claim_hash = item(vec![
                ("pk", Some(s(&format!("codehash#{campaign}#{hash}")))),
                ("pool", Some(s(pool.as_str()))),
                ("seq", Some(n(seq))),
            ]);
            let entry = item(vec![
                ("pk", Some(s(&seq_pk(campaign, pool, seq)))),
                ("code_id", Some(s(&code_id))),
                ("sealed", Some(AV::B(Blob::new(sealed.clone())))),
            ]);
            let writes = vec![
                self.store.put_item(claim_hash, true)?,
                self.store.update_item(
                    &pool_pk(campaign, pool),
                    "SET n_imported = :next",
                    &[(":next", n(seq + 1)), (":seq", n(seq))],
                    Some("n_imported = :seq"),
                )?,
                self.store.put_item(entry, true)?,
            ];
            match self.store.transact(writes).await? {
                None => return Ok((true, Counters { imported: seq + 1, ..c })),
                Some(failed) if failed.first() == Some(&true) => return Ok((false, c)),
                Some(_) => c = self.ensure(campaign, pool).await?,
            }
        }
        Err(busy())
    }

    /// One attempt to hand the pool's next code to `owed_id`, or to line it up when none is free.
    /// `Ok(None)`: another writer moved the counters first; read them again.
    async fn try_claim(&self, campaign: &str, pool: Pool, owed_id: &str, c: Counters) -> Result<Option<Claim>> {
        let now = now_ms();
        let pool_item = pool_pk(campaign, pool);
        let free = c.wait_head == c.wait_tail && c.claimed < c.imported;
        let mut taken = None;
        let writes = if free {
            let (code_id, sealed) = self.code_at(campaign, pool, c.claimed).await?;
            taken = Some((code_id.clone(), sealed.clone()));
            let owed = item(vec![
                ("pk", Some(s(&owed_pk(campaign, pool, owed_id)))),
                ("pool", Some(s(pool.as_str()))),
                ("code_id", Some(s(&code_id))),
                ("sealed", Some(AV::B(Blob::new(sealed)))),
                ("assigned_ms", Some(n(now))),
            ]);
            vec![
                self.store.update_item(
                    &pool_item,
                    "SET n_claimed = :next",
                    &[(":next", n(c.claimed + 1)), (":seq", n(c.claimed))],
                    Some("n_claimed = :seq AND n_wait_head = n_wait_tail"),
                )?,
                self.store.put_item(owed, true)?,
                self.store.update_item(
                    &seq_pk(campaign, pool, c.claimed),
                    "SET owed_id = :o",
                    &[(":o", s(owed_id))],
                    Some("attribute_not_exists(owed_id)"),
                )?,
            ]
        } else {
            let owed = item(vec![
                ("pk", Some(s(&owed_pk(campaign, pool, owed_id)))),
                ("pool", Some(s(pool.as_str()))),
                ("wait_seq", Some(n(c.wait_tail))),
                ("created_ms", Some(n(now))),
            ]);
            let wait =
                item(vec![("pk", Some(s(&wait_pk(campaign, pool, c.wait_tail)))), ("owed_id", Some(s(owed_id)))]);
            vec![
                self.store.update_item(
                    &pool_item,
                    "SET n_wait_tail = :next",
                    &[(":next", n(c.wait_tail + 1)), (":seq", n(c.wait_tail))],
                    // Still no code free for a newcomer: the pool is empty or others wait first.
                    Some("n_wait_tail = :seq AND (n_claimed = n_imported OR n_wait_head < n_wait_tail)"),
                )?,
                self.store.put_item(owed, true)?,
                self.store.put_item(wait, true)?,
            ]
        };
        match self.store.transact(writes).await? {
            None => match taken {
                Some((code_id, sealed)) => {
                    let code = self.keys.open(&code_id, &sealed)?;
                    Ok(Some(Claim::Assigned { code_id, code }))
                }
                None => Ok(Some(Claim::AwaitingCode)),
            },
            // The same owed id was claimed concurrently: answer what that claim got.
            Some(failed) if failed.get(1) == Some(&true) => {
                Ok(self.owed(campaign, pool, owed_id).await?.map(Self::as_claim))
            }
            Some(_) => Ok(None),
        }
    }

    /// Hands the first waiting item the next free code. `Ok(None)`: nothing (more) to fill.
    async fn fill_one(&self, campaign: &str, pool: Pool) -> Result<Option<(String, String)>> {
        for _ in 0..ATTEMPTS {
            let Some(c) = self.counters(campaign, pool).await? else { return Ok(None) };
            if c.wait_head >= c.wait_tail || c.claimed >= c.imported {
                return Ok(None);
            }
            let wait = self.store.get(&wait_pk(campaign, pool, c.wait_head)).await?;
            let owed_id =
                text(&wait.ok_or_else(|| BackendError::Corrupt("a waiting item is missing".into()))?, "owed_id")?;
            let (code_id, sealed) = self.code_at(campaign, pool, c.claimed).await?;
            let writes = vec![
                self.store.update_item(
                    &pool_pk(campaign, pool),
                    "SET n_wait_head = :wh1, n_claimed = :c1",
                    &[
                        (":wh1", n(c.wait_head + 1)),
                        (":c1", n(c.claimed + 1)),
                        (":wh", n(c.wait_head)),
                        (":c", n(c.claimed)),
                    ],
                    Some("n_wait_head = :wh AND n_claimed = :c"),
                )?,
                self.store.update_item(
                    &owed_pk(campaign, pool, &owed_id),
                    "SET code_id = :id, sealed = :sealed, assigned_ms = :now",
                    &[(":id", s(&code_id)), (":sealed", AV::B(Blob::new(sealed))), (":now", n(now_ms()))],
                    Some("attribute_exists(pk) AND attribute_not_exists(code_id)"),
                )?,
                self.store.update_item(
                    &seq_pk(campaign, pool, c.claimed),
                    "SET owed_id = :o",
                    &[(":o", s(&owed_id))],
                    Some("attribute_not_exists(owed_id)"),
                )?,
            ];
            if self.store.transact(writes).await?.is_none() {
                return Ok(Some((owed_id, code_id)));
            }
        }
        Err(busy())
    }
}

#[async_trait]
impl Codes for DynamoCodes {
    async fn import(&self, campaign: &str, pool: Pool, codes: &[String]) -> Result<ImportReport> {
        let (valid, mut report) = prepare(codes);
        let mut c = self.ensure(campaign, pool).await?;
        for code in valid {
            let (new, now) = self.import_one(campaign, pool, code, c).await?;
            c = now;
            if new {
                report.new += 1;
            } else {
                report.duplicate += 1;
            }
        }
        Ok(report)
    }

    async fn claim(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Claim> {
        for _ in 0..ATTEMPTS {
            if let Some(held) = self.owed(campaign, pool, owed_id).await? {
                return Ok(Self::as_claim(held));
            }
            let c = self.ensure(campaign, pool).await?;
            if let Some(claim) = self.try_claim(campaign, pool, owed_id, c).await? {
                return Ok(claim);
            }
        }
        Err(busy())
    }

    async fn fill_awaiting(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>> {
        let mut filled = Vec::new();
        while let Some(one) = self.fill_one(campaign, pool).await? {
            filled.push(one);
        }
        Ok(filled)
    }

    async fn undelivered(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>> {
        self.undelivered_fills(campaign, pool).await
    }

    async fn delivered(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<()> {
        self.mark_delivered(campaign, pool, owed_id).await
    }

    async fn assigned(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<Option<(String, String)>> {
        Ok(self.owed(campaign, pool, owed_id).await?.flatten())
    }

    async fn status(&self, campaign: &str) -> Result<Vec<(Pool, PoolCounts)>> {
        let mut out = Vec::new();
        for pool in Pool::ALL {
            if let Some(c) = self.counters(campaign, pool).await? {
                let counts = PoolCounts {
                    available: (c.imported - c.claimed).max(0) as u64,
                    assigned: c.claimed.max(0) as u64,
                    awaiting: (c.wait_tail - c.wait_head).max(0) as u64,
                };
                out.push((pool, counts));
            }
        }
        Ok(out)
    }
}
