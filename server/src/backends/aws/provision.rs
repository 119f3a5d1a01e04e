//! Creating the AWS resources for local runs and tests (moto). Production creates them with
//! `infra/vouch.yaml`; both describe the same bucket, queues, table and identity.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName as Qa;

use super::Aws;
use crate::backends::{CONVERSIONS_TOPIC, ENTRIES_TOPIC, EVENTS_TOPIC, WEBHOOKS_TOPIC, WEBHOOK_ATTEMPTS};

pub(super) async fn all(aws: &Aws, max_receive_count: u32) -> anyhow::Result<()> {
    bucket(aws).await?;
    for (topic, receives) in [
        (ENTRIES_TOPIC, max_receive_count),
        (CONVERSIONS_TOPIC, max_receive_count),
        (WEBHOOKS_TOPIC, WEBHOOK_ATTEMPTS),
        (EVENTS_TOPIC, max_receive_count),
    ] {
        queue(aws, &format!("{}{topic}", aws.names.queue_prefix), receives).await?;
    }
    table(aws).await?;
    if let Err(e) = aws.ses.create_email_identity().email_identity(&aws.names.mail_from).send().await {
        let e = e.into_service_error();
        anyhow::ensure!(e.is_already_exists_exception(), "creating the mail identity: {e}");
    }
    Ok(())
}

async fn bucket(aws: &Aws) -> anyhow::Result<()> {
    if aws.s3.head_bucket().bucket(&aws.names.bucket).send().await.is_ok() {
        return Ok(());
    }
    aws.s3.create_bucket().bucket(&aws.names.bucket).send().await?;
    Ok(())
}

/// A queue and its dead-letter queue, joined by a redrive policy.
async fn queue(aws: &Aws, name: &str, max_receive_count: u32) -> anyhow::Result<()> {
    let dlq_url = aws.sqs.create_queue().queue_name(format!("{name}-dlq")).send().await?.queue_url.unwrap_or_default();
    let attributes = aws.sqs.get_queue_attributes().queue_url(&dlq_url).attribute_names(Qa::QueueArn).send().await?;
    let dlq_arn = attributes.attributes().and_then(|a| a.get(&Qa::QueueArn)).cloned().unwrap_or_default();
    let redrive =
        serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count.to_string() });
    aws.sqs
        .create_queue()
        .queue_name(name)
        .attributes(Qa::RedrivePolicy, redrive.to_string())
        .attributes(Qa::VisibilityTimeout, "60")
        .send()
        .await?;
    Ok(())
}

async fn table(aws: &Aws) -> anyhow::Result<()> {
    if aws.ddb.describe_table().table_name(&aws.names.table).send().await.is_ok() {
        return Ok(());
    }
    let attr =
        |n: &str| AttributeDefinition::builder().attribute_name(n).attribute_type(ScalarAttributeType::S).build();
    let key = |n: &str, k: KeyType| KeySchemaElement::builder().attribute_name(n).key_type(k).build();
    let index = |name: &str| -> anyhow::Result<GlobalSecondaryIndex> {
        Ok(GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(&format!("{name}pk"), KeyType::Hash)?)
            .key_schema(key(&format!("{name}sk"), KeyType::Range)?)
            .projection(Projection::builder().projection_type(ProjectionType::All).build())
            .build()?)
    };
    let mut create = aws
        .ddb
        .create_table()
        .table_name(&aws.names.table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash)?)
        .global_secondary_indexes(index("gsi1")?)
        .global_secondary_indexes(index("gsi2")?)
        .global_secondary_indexes(index("gsi3")?);
    for a in ["pk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"] {
        create = create.attribute_definitions(attr(a)?);
    }
    create.send().await?;
    Ok(())
}
