//! Giveaway intake, entries and queue switches in DynamoDB.

use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue as AV, Put, TransactWriteItem};
use vouch_core::form::Entrant;
use vouch_core::i18n::Locale;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::entry_search::{count_move, email_index_key, status_key, time_key};
use super::{bytes, flag, item, n, number, opt_text, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::unavailable;
use crate::backends::entry_search::{email_key, name_key};
use crate::backends::{Accepted, Control, EntryState, Intake, Queue, Quota, Result, Store, StoredEntry, Submission};
use crate::clock::now_ms;

pub(super) fn idem_pk(campaign: &str, key: &str) -> String {
    format!("idem#{campaign}#{key}")
}

pub(super) fn upload_pk(receipt_key: &str) -> String {
    format!("upload#{receipt_key}")
}

fn quota_pk(campaign: &str, q: &Quota) -> String {
    format!("quota#{campaign}#{}#{}", q.identity, q.period)
}

pub(super) fn entry_pk(entry_id: &str) -> String {
    format!("entry#{entry_id}")
}

fn status(item: &Item) -> Option<EntryStatus> {
    opt_text(item, "status").and_then(|s| EntryStatus::parse(&s))
}

pub(super) fn entry_from(item: &Item) -> Result<StoredEntry> {
    Ok(StoredEntry {
        entry_id: text(item, "entry_id")?,
        campaign: text(item, "campaign")?,
        idempotency_key: text(item, "idem_key")?,
        entrant: Entrant {
            first_name: text(item, "first_name")?,
            last_name: text(item, "last_name")?,
            email: text(item, "email")?,
            phone: opt_text(item, "phone"),
            postal_code: opt_text(item, "postal_code"),
            marketing_consent: flag(item, "marketing_consent"),
            referral_code: opt_text(item, "referral_code"),
        },
        receipt_key: opt_text(item, "receipt_key"),
        status: status(item).unwrap_or(EntryStatus::Accepted),
        reason: opt_text(item, "reason").and_then(|r| RejectReason::parse(&r)),
        accepted_at_ms: number(item, "accepted_ms"),
        processed_at_ms: number(item, "processed_ms"),
        locale: opt_text(item, "locale").and_then(|l| Locale::parse(&l)),
    })
}

impl DynamoStore {
    /// The message is queued; the record says so (if this write is lost, a retry resends and the
    /// worker recognises the entry id).
    pub(super) async fn mark_queued(&self, pk: &str) {
        let done = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("pk", s(pk))
            .update_expression("SET #st = :q")
            .expression_attribute_names("#st", "state")
            .expression_attribute_values(":q", s("queued"))
            .send()
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %unavailable(WHAT, e), "cannot mark an idempotency record queued");
        }
    }
}

impl DynamoStore {
    /// The intake's claim on an upload: written in the intake's transaction, so one upload backs at
    /// most one entry. The same idempotency key may claim again (its retry, or a takeover).
    fn claim_upload(&self, receipt_key: &str, idem: &str, entry_id: &str, now: i64) -> Result<TransactWriteItem> {
        let claim = item(vec![
            ("pk", Some(s(&upload_pk(receipt_key)))),
            ("idem", Some(s(idem))),
            ("entry_id", Some(s(entry_id))),
            ("created_ms", Some(n(now))),
        ]);
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(claim))
            .condition_expression("attribute_not_exists(pk) OR idem = :idem")
            .expression_attribute_values(":idem", s(idem))
            .build()
            .map_err(super::super::corrupt)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

#[async_trait]
impl Intake for DynamoStore {
    async fn accept(&self, sub: Submission) -> Result<Accepted> {
        let idem = idem_pk(&sub.campaign, &sub.idempotency_key);
        let now = now_ms();
        let record = item(vec![
            ("pk", Some(s(&idem))),
            ("body_hash", Some(AV::B(Blob::new(sub.body_hash.clone())))),
            ("entry_id", Some(s(&sub.message.entry_id))),
            ("state", Some(s("pending"))),
            ("created_ms", Some(n(now))),
        ]);
        let stub = item(vec![
            ("pk", Some(s(&entry_pk(&sub.message.entry_id)))),
            ("entry_id", Some(s(&sub.message.entry_id))),
            ("campaign", Some(s(&sub.campaign))),
            ("status", Some(s(EntryStatus::Accepted.as_str()))),
            ("accepted_ms", Some(n(now))),
        ]);
        let mut message = sub.message.clone();
        let mut items = vec![self.put_item(record, true)?, self.put_item(stub, true)?];
        let claim_at = sub.message.receipt_key.as_ref().map(|_| items.len());
        if let Some(key) = &sub.message.receipt_key {
            items.push(self.claim_upload(key, &idem, &sub.message.entry_id, now)?);
        }
        // The person's counter moves in the same transaction, so concurrent entries cannot pass
        // the limit together, and a replay (its record already there) counts nothing.
        let quota_at = sub.quota.as_ref().map(|_| items.len());
        if let Some(q) = &sub.quota {
            let values = [(":one", n(1)), (":limit", n(i64::from(q.limit)))];
            let condition = Some("attribute_not_exists(n) OR n < :limit");
            items.push(self.update_item(&quota_pk(&sub.campaign, q), "ADD n :one", &values, condition)?);
        }
        let failed_at = |failed: &[bool], at: Option<usize>| {
            failed.first() == Some(&false) && at.is_some_and(|i| failed.get(i) == Some(&true))
        };
        match self.transact(items).await? {
            None => {}
            // The key is new but the upload is another submission's, or was swept.
            Some(failed) if failed_at(&failed, claim_at) => {
                let key = sub.message.receipt_key.as_deref().unwrap_or_default();
                let swept = self.get(&upload_pk(key)).await?.is_some_and(|i| i.contains_key("swept_ms"));
                return Ok(if swept { Accepted::UploadSwept } else { Accepted::UploadClaimed });
            }
            Some(failed) if failed_at(&failed, quota_at) => return Ok(Accepted::LimitReached),
            Some(_) => {
                // Refused, yet not there to read: let the client retry.
                let Some(earlier) = self.get(&idem).await? else { return Ok(Accepted::InFlight) };
                if bytes(&earlier, "body_hash") != sub.body_hash {
                    return Ok(Accepted::KeyReused);
                }
                let entry_id = text(&earlier, "entry_id")?;
                if opt_text(&earlier, "state").as_deref() == Some("queued") {
                    return Ok(Accepted::Replay { entry_id });
                }
                if now - number(&earlier, "created_ms") < self.takeover_ms {
                    return Ok(Accepted::InFlight);
                }
                // The first request died or failed around the send: queue its entry now, under its
                // id (if its send did arrive, the worker recognises the id and does nothing twice).
                message.entry_id = entry_id;
            }
        }
        let body = serde_json::to_string(&message).map_err(super::super::corrupt)?;
        // A failed send may still have been stored (a timeout, a lost answer): the records stay
        // pending, so a retry takes over under this entry id instead of queuing a second entry.
        self.entries.send(body).await?;
        self.mark_queued(&idem).await;
        Ok(Accepted::New { entry_id: message.entry_id })
    }

    async fn earlier(&self, campaign: &str, idempotency_key: &str) -> Result<Option<(Vec<u8>, String)>> {
        let found = self.get(&idem_pk(campaign, idempotency_key)).await?;
        // A pending record is not an answer yet: `accept` decides (in flight, or take over).
        match found {
            Some(r) if opt_text(&r, "state").as_deref() == Some("queued") => {
                Ok(Some((bytes(&r, "body_hash"), text(&r, "entry_id")?)))
            }
            _ => Ok(None),
        }
    }

    /// The tombstone takes the claim's place (`upload#…`) unless a claim is there, so a claim and a
    /// tombstone exclude each other item by item. DynamoDB drops it at `expires_at` when the
    /// table's TTL is on; a kept tombstone only costs its few bytes.
    async fn sweep_unclaimed(&self, keys: Vec<String>) -> Result<Vec<String>> {
        let now = now_ms();
        let mut doomed = Vec::new();
        for key in keys {
            let tombstone = item(vec![
                ("pk", Some(s(&upload_pk(&key)))),
                ("swept_ms", Some(n(now))),
                ("expires_at", Some(n((now + TOMBSTONE_MS) / 1000))),
            ]);
            // Claims carry `idem`; an earlier tombstone does not, and its file may still be there.
            if self.put_if(tombstone, "attribute_not_exists(idem)", None).await? {
                doomed.push(key);
            }
        }
        Ok(doomed)
    }
}

/// A tombstone only has to outlive an entry request that checked the file just before it went.
const TOMBSTONE_MS: i64 = 24 * 3600 * 1000;

#[async_trait]
impl Store for DynamoStore {
    async fn entry_state(&self, campaign: &str, entry_id: &str) -> Result<Option<EntryState>> {
        let Some(found) = self.get(&entry_pk(entry_id)).await? else { return Ok(None) };
        if opt_text(&found, "campaign").as_deref() != Some(campaign) {
            return Ok(None);
        }
        let reason = opt_text(&found, "reason").and_then(|r| RejectReason::parse(&r));
        Ok(status(&found).map(|status| EntryState { status, reason }))
    }

    async fn record_entry(&self, e: &StoredEntry) -> Result<bool> {
        let p = &e.entrant;
        let entry = item(vec![
            ("pk", Some(s(&entry_pk(&e.entry_id)))),
            ("entry_id", Some(s(&e.entry_id))),
            ("campaign", Some(s(&e.campaign))),
            ("idem_key", Some(s(&e.idempotency_key))),
            ("first_name", Some(s(&p.first_name))),
            ("last_name", Some(s(&p.last_name))),
            ("email", Some(s(&p.email))),
            ("phone", p.phone.as_deref().map(s)),
            ("postal_code", p.postal_code.as_deref().map(s)),
            ("marketing_consent", Some(AV::Bool(p.marketing_consent))),
            ("referral_code", p.referral_code.as_deref().map(s)),
            ("receipt_key", e.receipt_key.as_deref().map(s)),
            ("status", Some(s(e.status.as_str()))),
            ("reason", e.reason.map(|r| s(r.code()))),
            ("accepted_ms", Some(n(e.accepted_at_ms))),
            ("processed_ms", Some(n(e.processed_at_ms))),
            ("locale", e.locale.map(|l| s(l.code()))),
            ("gsi1pk", Some(s(&format!("entries#{}", e.campaign)))),
            ("gsi1sk", Some(s(&time_key(e.accepted_at_ms, &e.entry_id)))),
            ("gsi2pk", Some(s(&status_key(&e.campaign, e.status)))),
            ("gsi2sk", Some(s(&time_key(e.accepted_at_ms, &e.entry_id)))),
            ("gsi3pk", Some(s(&email_index_key(&e.campaign, &email_key(&p.email))))),
            ("gsi3sk", Some(s(&time_key(e.accepted_at_ms, &e.entry_id)))),
            ("first_key", Some(s(&name_key(&p.first_name)))),
            ("last_key", Some(s(&name_key(&p.last_name)))),
        ]);
        // Only over the intake's stub (or nothing): a second verdict never replaces the first,
        // and the campaign's counters move with the verdict that stands.
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(entry))
            .condition_expression("attribute_not_exists(pk) OR #s = :v")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":v", s(EntryStatus::Accepted.as_str()))
            .build()
            .map_err(super::super::corrupt)?;
        let mut items = vec![
            TransactWriteItem::builder().put(put).build(),
            count_move(self, &e.campaign, &e.entry_id, None, e.status)?,
        ];
        // Refused, like a second verdict, when the person was erased after the entry was accepted.
        items.extend(self.not_erased(e)?);
        Ok(self.transact(items).await?.is_none())
    }

    async fn get_entry(&self, campaign: &str, entry_id: &str) -> Result<Option<StoredEntry>> {
        match self.get(&entry_pk(entry_id)).await? {
            Some(found)
                if opt_text(&found, "campaign").as_deref() == Some(campaign)
                    && status(&found) != Some(EntryStatus::Accepted) =>
            {
                Ok(Some(entry_from(&found)?))
            }
            _ => Ok(None),
        }
    }

    async fn list_entries(&self, campaign: &str) -> Result<Vec<StoredEntry>> {
        let items = self.query("gsi1", &format!("entries#{campaign}"), None).await?;
        items.iter().filter(|i| status(i) != Some(EntryStatus::Accepted)).map(entry_from).collect()
    }

    async fn ping(&self) -> Result<()> {
        self.get("ping").await.map(|_| ())
    }
}

#[async_trait]
impl Control for DynamoStore {
    async fn paused(&self, queue: &str) -> Result<bool> {
        Ok(self.get(&format!("pause#{queue}")).await?.is_some_and(|i| flag(&i, "paused")))
    }

    async fn set_paused(&self, queue: &str, paused: bool) -> Result<()> {
        self.put(item(vec![("pk", Some(s(&format!("pause#{queue}")))), ("paused", Some(AV::Bool(paused)))])).await
    }
}
