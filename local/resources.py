"""Creates template.yaml's tables, buckets, queues, buses, topics and user pools in moto (or DynamoDB Local).

The one code path for local resources, used by the local stack and by integration-test fixtures;
it never declares a resource the template does not."""

from __future__ import annotations

from typing import Any

from local.template import LocalNames, Table, Template

_GSI_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
_LSI_KEYS = ("IndexName", "KeySchema", "Projection")


def table_definition(table: Table, template: Template | None = None, names: LocalNames | None = None) -> dict[str, Any]:
    """CreateTable arguments for a template table (name = logical id)."""
    props = template.resolve(dict(table.properties), names or LocalNames()) if template else dict(table.properties)
    billing = props.get("BillingMode", "PROVISIONED")
    definition: dict[str, Any] = {
        "TableName": table.name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        definition["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    if props.get("GlobalSecondaryIndexes"):
        definition["GlobalSecondaryIndexes"] = [
            {
                k: v
                for k, v in index.items()
                if k in _GSI_KEYS and (k != "ProvisionedThroughput" or billing == "PROVISIONED")
            }
            for index in props["GlobalSecondaryIndexes"]
        ]
    if props.get("LocalSecondaryIndexes"):
        definition["LocalSecondaryIndexes"] = [
            {k: v for k, v in index.items() if k in _LSI_KEYS} for index in props["LocalSecondaryIndexes"]
        ]
    stream = props.get("StreamSpecification")
    if stream:
        definition["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return definition


def create_tables(dynamodb: Any, template: Template, names: LocalNames | None = None) -> list[str]:
    """Create every AWS::DynamoDB::Table (GSIs, LSIs, TTL) with a botocore/boto3 DynamoDB client."""
    created = []
    for table in template.tables:
        dynamodb.create_table(**table_definition(table, template, names))
        dynamodb.get_waiter("table_exists").wait(TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        if table.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
        created.append(table.name)
    return created


def create_buckets(s3: Any, template: Template, names: LocalNames | None = None) -> list[str]:
    region = (names or LocalNames()).region
    for bucket in template.buckets:
        s3.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": region})
    return [b.name for b in template.buckets]


def create_queues(sqs: Any, template: Template, names: LocalNames | None = None) -> dict[str, str]:
    """Create every AWS::SQS::Queue, dead-letter queues first; returns logical id -> queue URL."""
    names = names or LocalNames()
    urls: dict[str, str] = {}
    pending = list(template.queues)
    while pending:
        ready = [q for q in pending if q.dead_letter_queue is None or q.dead_letter_queue in urls]
        if not ready:
            raise ValueError("queues' RedrivePolicy forms a cycle: " + ", ".join(q.logical_id for q in pending))
        for queue in ready:
            attributes = dict(queue.attributes)
            if queue.dead_letter_queue is not None:
                dlq = next(q for q in template.queues if q.logical_id == queue.dead_letter_queue)
                attributes["RedrivePolicy"] = (
                    f'{{"deadLetterTargetArn":"arn:aws:sqs:{names.region}:{names.account_id}:{dlq.name}",'
                    f'"maxReceiveCount":"{queue.max_receive_count}"}}'
                )
            urls[queue.logical_id] = sqs.create_queue(QueueName=queue.name, Attributes=attributes)["QueueUrl"]
            pending.remove(queue)
    return urls


def create_buses(events: Any, template: Template) -> list[str]:
    for bus in template.buses:
        events.create_event_bus(Name=bus.name)
    return [b.name for b in template.buses]


def create_topics(sns: Any, template: Template) -> dict[str, str]:
    """Create every AWS::SNS::Topic; returns logical id -> topic ARN."""
    return {t.logical_id: sns.create_topic(Name=t.name)["TopicArn"] for t in template.topics}


def create_user_pools(cognito: Any, template: Template) -> dict[str, str]:
    """Create every AWS::Cognito::UserPool; returns logical id -> pool id (moto's, random per run)."""
    return {
        p.logical_id: cognito.create_user_pool(PoolName=p.logical_id)["UserPool"]["Id"] for p in template.user_pools
    }
