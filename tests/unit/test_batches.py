"""Partial batch failures (pmc_common.batches): a record that raises is reported, the others are handled."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pmc_common.batches import batch_handler


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{n}",
                "receiptHandle": f"r-{n}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-south-1:000000000000:ReconciliationQueue",
                "awsRegion": "ap-south-1",
            }
            for n, body in enumerate(bodies)
        ]
    }


def stream_event(*payment_ids: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventID": f"e-{n}",
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "awsRegion": "ap-south-1",
                "dynamodb": {
                    "Keys": {"pk": {"S": payment_id}, "sk": {"S": "payment"}},
                    "NewImage": {"pk": {"S": payment_id}, "sk": {"S": "payment"}},
                    "SequenceNumber": f"{100 + n}",
                    "StreamViewType": "NEW_IMAGE",
                },
            }
            for n, payment_id in enumerate(payment_ids)
        ]
    }


def test_a_failing_queue_message_is_reported_and_the_others_are_handled() -> None:
    handled: list[str] = []

    def apply(record: SQSRecord) -> None:
        if record.body == "refused":
            raise RuntimeError("gateway said no")
        handled.append(record.body)

    handler = batch_handler("SQS", apply)
    answer = handler(sqs_event("pay-1", "refused", "pay-3"), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert handled == ["pay-1", "pay-3"]


def test_a_failing_stream_record_is_reported_by_its_sequence_number_and_the_others_are_handled() -> None:
    handled: list[str] = []

    def apply(record: DynamoDBRecord) -> None:
        assert record.dynamodb is not None
        payment_id = str(record.dynamodb.keys["pk"])
        if payment_id == "PAY-2":
            raise RuntimeError("bus refused it")
        handled.append(payment_id)

    handler = batch_handler("DynamoDBStreams", apply)
    answer = handler(stream_event("PAY-1", "PAY-2", "PAY-3"), None)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert handled == ["PAY-1", "PAY-3"]


def test_a_batch_handled_whole_reports_no_failure() -> None:
    handler = batch_handler("SQS", lambda record: None)
    assert handler(sqs_event("pay-1", "pay-2"), None) == {"batchItemFailures": []}


def test_a_batch_failing_whole_raises_so_lambda_retries_it_all() -> None:
    def refuse(record: SQSRecord) -> None:
        raise RuntimeError("down")

    with pytest.raises(BatchProcessingError):
        batch_handler("SQS", refuse)(sqs_event("pay-1", "pay-2"), None)
