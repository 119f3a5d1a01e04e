//! Confirmation mail through SES, with the same template as the outbox. SES cannot deduplicate,
//! so a marker item in DynamoDB records each mail: claimed before the send, so two workers
//! handling copies of one message at once send it once, and marked sent after it.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue as AV;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use super::{corrupt, unavailable, BackendError};
use crate::backends::{Mail, Mailer, Result};
use crate::clock::now_ms;

const STORE: &str = "store (DynamoDB)";

#[derive(Clone)]
pub struct SesMailer {
    ses: aws_sdk_sesv2::Client,
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    from: String,
    /// A claim older than this belongs to a worker that died before sending: another takes over.
    lease_ms: i64,
}

impl SesMailer {
    /// `timeout` bounds each AWS call: a claim is held for a send and a mark, two calls.
    pub fn new(
        ses: aws_sdk_sesv2::Client,
        ddb: aws_sdk_dynamodb::Client,
        table: &str,
        from: &str,
        timeout: Duration,
    ) -> Self {
        let lease_ms = i64::try_from(timeout.saturating_mul(2).as_millis()).unwrap_or(i64::MAX / 2) + 2_000;
        Self { ses, ddb, table: table.to_string(), from: from.to_string(), lease_ms }
    }

    /// Claims the mail for this worker; `false` when it was sent, or another worker is sending it.
    async fn claim(&self, pk: &AV) -> Result<bool> {
        let now = now_ms();
        let claimed = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .item("pk", pk.clone())
            .item("claimed_ms", AV::N(now.to_string()))
            .condition_expression("attribute_not_exists(pk) OR (attribute_not_exists(sent_ms) AND claimed_ms < :stale)")
            .expression_attribute_values(":stale", AV::N((now - self.lease_ms).to_string()))
            .send()
            .await;
        match claimed {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                e if e.is_conditional_check_failed_exception() => Ok(false),
                e => Err(unavailable(STORE, e)),
            },
        }
    }

    async fn sent(&self, pk: &AV) -> Result<bool> {
        Ok(self.sent_ms(pk).await?.is_some())
    }

    async fn sent_ms(&self, pk: &AV) -> Result<Option<i64>> {
        let found = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("pk", pk.clone())
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable(STORE, e))?;
        match found.item().and_then(|i| i.get("sent_ms")) {
            Some(AV::N(ms)) => ms.parse().map(Some).map_err(corrupt),
            Some(_) => Err(corrupt("sent_ms is not a number")),
            None => Ok(None),
        }
    }

    async fn send(&self, mail: &Mail) -> Result<()> {
        let text = |s: &str| Content::builder().data(s).charset("UTF-8").build().map_err(corrupt);
        let message = Message::builder()
            .subject(text(&mail.subject)?)
            .body(Body::builder().text(text(&mail.text)?).build())
            .build();
        self.ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| unavailable("mail (SES)", e))?;
        Ok(())
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_once(&self, dedup_key: &str, mail: &Mail) -> Result<()> {
        let pk = AV::S(format!("mail#{dedup_key}"));
        if !self.claim(&pk).await? {
            return match self.sent(&pk).await? {
                true => Ok(()),
                // Not acknowledged: the retry finds the mail sent, or the claim stale.
                false => Err(BackendError::Unavailable("mail (SES)", "another worker is sending this mail".into())),
            };
        }
        if let Err(e) = self.send(mail).await {
            // Let the retry send at once; should SES have sent it anyway, the mail goes out twice.
            let _ = self.ddb.delete_item().table_name(&self.table).key("pk", pk).send().await;
            return Err(e);
        }
        self.ddb
            .update_item()
            .table_name(&self.table)
            .key("pk", pk)
            .update_expression("SET sent_ms = :now")
            .expression_attribute_values(":now", AV::N(now_ms().to_string()))
            .send()
            .await
            .map_err(|e| unavailable(STORE, e))?;
        Ok(())
    }

    async fn sent_at(&self, dedup_key: &str) -> Result<Option<i64>> {
        self.sent_ms(&AV::S(format!("mail#{dedup_key}"))).await
    }
}
