//! Consent records in DynamoDB: `consent#{record_id}`, in `gsi1` under `consents#{identity}` /
//! `{campaign}#{given_ms}#{record_id}`, so a mailbox's records are one query (per campaign, a
//! prefix of it).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue as AV, ReturnValue};
use vouch_core::consent::ConsentKind;
use vouch_core::i18n::Locale;

use super::{at, item, n, number, opt_text, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::{corrupt, unavailable};
use crate::backends::consents::{Confirmation, ConsentRecord, ConsentStore};
use crate::backends::Result;

fn pk(record_id: &str) -> String {
    format!("consent#{record_id}")
}

pub(super) fn record_from(it: &Item) -> Result<ConsentRecord> {
    let kind = text(it, "kind")?;
    let locale = text(it, "locale")?;
    Ok(ConsentRecord {
        record_id: text(it, "record_id")?,
        identity: text(it, "identity")?,
        campaign: text(it, "campaign")?,
        source: text(it, "source")?,
        kind: ConsentKind::parse(&kind).ok_or_else(|| corrupt(format!("consent of kind {kind}")))?,
        given_at_ms: number(it, "given_ms"),
        version: text(it, "version")?,
        label: text(it, "label")?,
        locale: Locale::parse(&locale).ok_or_else(|| corrupt(format!("consent in locale {locale}")))?,
        origin: opt_text(it, "origin"),
        confirmed_at_ms: it.contains_key("confirmed_ms").then(|| number(it, "confirmed_ms")),
    })
}

#[async_trait]
impl ConsentStore for DynamoStore {
    async fn record_consents(&self, records: &[ConsentRecord]) -> Result<()> {
        for c in records {
            let it = item(vec![
                ("pk", Some(s(&pk(&c.record_id)))),
                ("record_id", Some(s(&c.record_id))),
                ("identity", Some(s(&c.identity))),
                ("campaign", Some(s(&c.campaign))),
                ("source", Some(s(&c.source))),
                ("kind", Some(s(c.kind.as_str()))),
                ("given_ms", Some(n(c.given_at_ms))),
                ("version", Some(s(&c.version))),
                ("label", Some(s(&c.label))),
                ("locale", Some(s(c.locale.code()))),
                ("origin", c.origin.as_deref().map(s)),
                ("confirmed_ms", c.confirmed_at_ms.map(n)),
                ("gsi1pk", Some(s(&format!("consents#{}", c.identity)))),
                ("gsi1sk", Some(s(&format!("{}#{}#{}", c.campaign, at(c.given_at_ms), c.record_id)))),
            ]);
            // A record written before (a redelivery) keeps what it holds, a confirmation too.
            self.put_if(it, "attribute_not_exists(pk)", None).await?;
        }
        Ok(())
    }

    async fn consents_of(&self, identity: &str, campaign: Option<&str>) -> Result<Vec<ConsentRecord>> {
        let found = self.query("gsi1", &format!("consents#{identity}"), None).await?;
        let mut records = found
            .iter()
            .map(record_from)
            .filter(|r| r.as_ref().map_or(true, |r| campaign.is_none_or(|c| r.campaign == c)))
            .collect::<Result<Vec<_>>>()?;
        // The index may trail a confirmation by a moment: the item itself has the last word.
        for r in &mut records {
            if r.kind == ConsentKind::Marketing && r.confirmed_at_ms.is_none() {
                if let Some(fresh) = self.consent(&r.record_id).await? {
                    *r = fresh;
                }
            }
        }
        records.sort_by(ConsentRecord::order);
        Ok(records)
    }

    async fn consent(&self, record_id: &str) -> Result<Option<ConsentRecord>> {
        self.get(&pk(record_id)).await?.as_ref().map(record_from).transpose()
    }

    async fn confirm_marketing(&self, record_id: &str, at_ms: i64) -> Result<Confirmation> {
        let update = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&pk(record_id)))
            .update_expression("SET confirmed_ms = :at")
            .condition_expression("attribute_exists(pk) AND #k = :m AND attribute_not_exists(confirmed_ms)")
            .expression_attribute_names("#k", "kind")
            .expression_attribute_values(":at", n(at_ms))
            .expression_attribute_values(":m", AV::S(ConsentKind::Marketing.as_str().into()));
        match update.send().await {
            Ok(_) => Ok(Confirmation::Confirmed(at_ms)),
            Err(e) => {
                let service = e.into_service_error();
                if !service.is_conditional_check_failed_exception() {
                    return Err(unavailable(WHAT, service));
                }
                Ok(match self.consent(record_id).await? {
                    Some(r) if r.kind == ConsentKind::Marketing => match r.confirmed_at_ms {
                        Some(at) => Confirmation::AlreadyConfirmed(at),
                        None => Confirmation::Unknown,
                    },
                    _ => Confirmation::Unknown,
                })
            }
        }
    }

    async fn erase_consents(&self, records: &[ConsentRecord]) -> Result<u64> {
        let mut erased = 0;
        for r in records {
            let gone = self
                .ddb
                .delete_item()
                .table_name(&self.table)
                .key("pk", s(&pk(&r.record_id)))
                .return_values(ReturnValue::AllOld)
                .send()
                .await
                .map_err(|e| unavailable(WHAT, e))?;
            // Only what was there counts: a second erase deletes nothing.
            erased += u64::from(gone.attributes().is_some_and(|a| !a.is_empty()));
        }
        Ok(erased)
    }
}
