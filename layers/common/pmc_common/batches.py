"""Partial batch failures for functions fed by SQS or a DynamoDB or Kinesis stream, on Powertools' BatchProcessor:
each record is handled on its own and the ones that raise are reported back, so only they are retried.

The event source mapping must report batch item failures (template.yaml `FunctionResponseTypes`). On a queue the
failed messages come back after their visibility timeout; on a stream Lambda retries from the first failed record,
so none is ever skipped. When every record fails the handler raises, and the whole batch is retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pmc_common.instrument import LambdaHandler

# Powertools' EventType values: the record handler receives its data class (SQSRecord, DynamoDBRecord, ...).
type BatchSource = Literal["SQS", "DynamoDBStreams", "KinesisDataStreams"]


def batch_handler[R](source: BatchSource, record_handler: Callable[[R], object]) -> LambdaHandler:
    """A Lambda handler running `record_handler` on each record of a `source` batch and answering
    `{"batchItemFailures": [...]}` with the records that raised. Wrap it in pmc_common.instrument like any other.

    Powertools' batch utilities are imported here, when a function makes its handler at init: they load its
    parser's pydantic models (~25 ms), which a module that merely imports this one does not pay."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType(source))

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return dict(
            process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
        )

    return handler
