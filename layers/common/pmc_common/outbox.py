"""The transactional outbox: a domain event is an item written in the same TransactWriteItems as the change
it announces, and the relay delivers it from the table's stream to the EventBridge bus.

Stores write outbox items and never publish; the relay publishes and never writes the table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from pmc_common import ids
from pmc_common.batches import batch_handler
from pmc_common.clients import put_event
from pmc_common.clock import iso
from pmc_common.dynamo import TableModel
from pmc_common.instrument import LambdaHandler, instrumented

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

KIND = "outbox"
SORT_PREFIX = "event#"
# Kept a week after the change, then DynamoDB's TTL deletes it (a REMOVE the relay's filter drops). The
# stream delivers within seconds and keeps records 24 h; the item outlives that so an event the relay
# gave up on (its DLQ holds only stream positions) can still be read and republished after a weekend.
RETENTION = timedelta(days=7)
TTL_ATTRIBUTE = "expires_at"


@dataclass(frozen=True)
class DomainEvent:
    """One event as the domain decided it: `detail` already carries `event_id` for consumers to deduplicate."""

    event_id: str
    source: str
    detail_type: str
    detail: Mapping[str, Any]
    occurred_at: str  # UTC ISO 8601, the change's injected now

    @classmethod
    def of(cls, source: str, detail_type: str, detail: Mapping[str, Any], now: datetime) -> Self:
        """A new event with a ULID made from the change's now (sortable in the outbox, unique per event)."""
        event_id = ids.ulid(now)
        return cls(event_id, source, detail_type, {**detail, "event_id": event_id}, iso(now))


class OutboxModel(TableModel):
    """An outbox item, (<aggregate id>, "event#<event id>"): give it a Meta with the table in the store."""

    kind = UnicodeAttribute()
    source = UnicodeAttribute()
    detail_type = UnicodeAttribute()
    detail = UnicodeAttribute()  # the JSON EventBridge receives, as written
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds: the table's TimeToLiveSpecification

    @classmethod
    def item(cls, aggregate_id: str, event: DomainEvent) -> Self:
        expires = datetime.fromisoformat(event.occurred_at.replace("Z", "+00:00")) + RETENTION
        return cls(
            aggregate_id,
            SORT_PREFIX + event.event_id,
            kind=KIND,
            source=event.source,
            detail_type=event.detail_type,
            detail=json.dumps(dict(event.detail), ensure_ascii=False, separators=(",", ":")),
            created_at=event.occurred_at,
            expires_at=int(expires.timestamp()),
        )


# --- the relay ----------------------------------------------------------------------------------------


def publish(record: DynamoDBRecord, bus_name: str) -> None:
    """One stream record of an outbox item onto the bus; raises (that record fails) when the bus refuses it.
    Anything else reaching the relay is a filter mistake: logged by the caller's failure, never published."""
    image = record.dynamodb.new_image if record.dynamodb is not None else None
    if not image or image.get("kind") != KIND:
        raise ValueError(f"stream record {record.event_id} is not an outbox item")
    put_event(str(image["source"]), str(image["detail_type"]), str(image["detail"]), bus_name)


def relay_handler(service: str, bus_name: str) -> LambdaHandler:
    """The relay function of one service's table, instrumented like every handler: each INSERT of an outbox
    item (the event source mapping filters the stream) goes onto `bus_name`; records that fail are reported
    as partial batch failures (pmc_common.batches), so Lambda retries from the first of them and never skips one."""
    logger = Logger(service=service)

    def relay(record: DynamoDBRecord) -> None:
        try:
            publish(record, bus_name)
        except Exception:
            sequence = record.dynamodb.sequence_number if record.dynamodb is not None else None
            logger.warning("outbox record not published; retried", extra={"sequence_number": sequence})
            raise

    return instrumented(service, logger)(batch_handler("DynamoDBStreams", relay))
