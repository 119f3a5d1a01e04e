//! Review cases, decisions and the audit log in DynamoDB. A decision is one TransactWriteItems:
//! the entry's update (only from `pending_review`) and the audit record's put.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use vouch_core::i18n::Locale;
use vouch_core::wire::{EntryStatus, RejectReason};

use super::entry_search::{count_move, status_key};
use super::{at, item, n, number, opt_text, s, text, DynamoStore, Item};
use crate::backends::aws::corrupt;
use crate::backends::review::{AuditRecord, Decided, Moderation, ReviewCase};
use crate::backends::Result;

pub(super) fn case_pk(campaign: &str, entry_id: &str) -> String {
    format!("case#{campaign}#{entry_id}")
}

pub(super) fn audit_item(r: &AuditRecord) -> Item {
    item(vec![
        ("pk", Some(s(&format!("audit#{}", r.id)))),
        ("id", Some(s(&r.id))),
        ("campaign", Some(s(&r.campaign))),
        ("at_ms", Some(n(r.at_ms))),
        ("actor", Some(s(&r.actor))),
        ("action", Some(s(&r.action))),
        ("subject", Some(s(&r.subject))),
        ("detail", Some(s(&r.detail))),
        ("gsi1pk", Some(s(&format!("audit#{}", r.campaign)))),
        ("gsi1sk", Some(s(&format!("{}#{}", at(r.at_ms), r.id)))),
    ])
}

fn audit_from(i: &Item) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: text(i, "id")?,
        campaign: text(i, "campaign")?,
        at_ms: number(i, "at_ms"),
        actor: text(i, "actor")?,
        action: text(i, "action")?,
        subject: text(i, "subject")?,
        detail: opt_text(i, "detail").unwrap_or_default(),
    })
}

#[async_trait]
impl Moderation for DynamoStore {
    async fn open_case(&self, c: &ReviewCase) -> Result<()> {
        let case = item(vec![
            ("pk", Some(s(&case_pk(&c.campaign, &c.entry_id)))),
            ("locale", Some(s(c.locale.code()))),
            ("signals", Some(s(&c.signals.join(",")))),
            ("duplicate_of", c.duplicate_of.as_deref().map(s)),
            ("opened_ms", Some(n(c.opened_at_ms))),
        ]);
        // The first case stands; a redelivery finds it there.
        self.put_if(case, "attribute_not_exists(pk)", None).await?;
        Ok(())
    }

    async fn case(&self, campaign: &str, entry_id: &str) -> Result<Option<ReviewCase>> {
        let Some(found) = self.get(&case_pk(campaign, entry_id)).await? else { return Ok(None) };
        Ok(Some(ReviewCase {
            campaign: campaign.into(),
            entry_id: entry_id.into(),
            locale: opt_text(&found, "locale").and_then(|l| Locale::parse(&l)).unwrap_or_default(),
            signals: opt_text(&found, "signals")
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            duplicate_of: opt_text(&found, "duplicate_of"),
            opened_at_ms: number(&found, "opened_ms"),
        }))
    }

    async fn decide(
        &self,
        campaign: &str,
        entry_id: &str,
        status: EntryStatus,
        reason: Option<RejectReason>,
        audit: &AuditRecord,
    ) -> Result<Decided> {
        let pk = format!("entry#{entry_id}");
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("pk", s(&pk))
            .condition_expression("campaign = :c AND #s = :pending")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":c", s(campaign))
            .expression_attribute_values(":pending", s(EntryStatus::PendingReview.as_str()))
            .expression_attribute_values(":to", s(status.as_str()));
        // The entry moves to its new status's index, and the campaign's counters with it.
        update = update.expression_attribute_values(":g2", s(&status_key(campaign, status)));
        update = match reason {
            Some(r) => update
                .update_expression("SET #s = :to, reason = :r, gsi2pk = :g2")
                .expression_attribute_values(":r", s(r.code())),
            None => update.update_expression("SET #s = :to, gsi2pk = :g2 REMOVE reason"),
        };
        let items = vec![
            TransactWriteItem::builder().update(update.build().map_err(corrupt)?).build(),
            self.put_item(audit_item(audit), true)?,
            count_move(self, campaign, entry_id, Some(EntryStatus::PendingReview), status)?,
        ];
        if self.transact(items).await?.is_none() {
            return Ok(Decided::Done);
        }
        match self.get(&pk).await? {
            Some(found) if opt_text(&found, "campaign").as_deref() == Some(campaign) => {
                let now = opt_text(&found, "status").and_then(|s| EntryStatus::parse(&s));
                Ok(now.map_or(Decided::Unknown, Decided::NotPending))
            }
            _ => Ok(Decided::Unknown),
        }
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<()> {
        self.put_if(audit_item(record), "attribute_not_exists(pk)", None).await?;
        Ok(())
    }

    async fn list_audit(&self, campaign: &str) -> Result<Vec<AuditRecord>> {
        self.query("gsi1", &format!("audit#{campaign}"), None).await?.iter().map(audit_from).collect()
    }
}
