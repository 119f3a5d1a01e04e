//! Confirmation mail through SES, with the same template as the outbox. SES cannot deduplicate,
//! so a marker item in DynamoDB records each sent mail; a repeat `send_once` finds it and sends
//! nothing.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue as AV;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use super::{corrupt, unavailable};
use crate::backends::sqlite::now_ms;
use crate::backends::{Mail, Mailer, Result};

#[derive(Clone)]
pub struct SesMailer {
    ses: aws_sdk_sesv2::Client,
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    from: String,
}

impl SesMailer {
    pub fn new(ses: aws_sdk_sesv2::Client, ddb: aws_sdk_dynamodb::Client, table: &str, from: &str) -> Self {
        Self { ses, ddb, table: table.to_string(), from: from.to_string() }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_once(&self, dedup_key: &str, mail: &Mail) -> Result<()> {
        let pk = AV::S(format!("mail#{dedup_key}"));
        let sent = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("pk", pk.clone())
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| unavailable("store (DynamoDB)", e))?;
        if sent.item().is_some() {
            return Ok(());
        }
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
        self.ddb
            .put_item()
            .table_name(&self.table)
            .item("pk", pk)
            .item("sent_ms", AV::N(now_ms().to_string()))
            .send()
            .await
            .map_err(|e| unavailable("store (DynamoDB)", e))?;
        Ok(())
    }
}
