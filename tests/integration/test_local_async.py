"""The local stack's asynchronous sources, in-process on the fixture template: SQS pollers with batch and
partial-failure semantics, redrive to the DLQ, DynamoDB stream mappings (filter, batch size, partial failures,
retries, on-failure queue), S3 notifications, EventBridge rules; tables from the template."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from local.stack import LocalStack

FIXTURE_ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "local_stack"
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(port=0, repo_root=FIXTURE_ROOT) as running:
        yield running


@pytest.fixture(scope="module")
def recorder(stack: LocalStack) -> ModuleType:
    # Importable once the stack has put the fixture CodeUris on sys.path; the handlers share this module.
    return importlib.import_module("fixture_jobs.recorder")


def _eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll AWS state (queue depths) until check() is truthy; the interval is short and bounded."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not reached within {WAIT_SECONDS}s")


def _dlq_bodies(stack: LocalStack, queue: str) -> list[dict[str, Any]]:
    sqs = stack.aws.client("sqs")
    url = stack.aws.queue_urls[queue]
    response = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [json.loads(m["Body"]) for m in response.get("Messages", [])]


def test_tables_are_created_from_the_template(stack: LocalStack) -> None:
    table = stack.aws.client("dynamodb").describe_table(TableName="FixtureTable")["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    ttl = stack.aws.client("dynamodb").describe_time_to_live(TableName="FixtureTable")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_seed_hook_loaded_data(stack: LocalStack) -> None:
    item = stack.aws.client("dynamodb").get_item(
        TableName="FixtureTable", Key={"pk": {"S": "THING#T1"}, "sk": {"S": "THING"}}
    )
    assert item["Item"]["name"]["S"] == "first seeded thing"


def test_sqs_partial_batch_failure_deletes_only_successes(stack: LocalStack, recorder: ModuleType) -> None:
    run = uuid.uuid4().hex
    sqs = stack.aws.client("sqs")
    sqs.send_message_batch(
        QueueUrl=stack.aws.queue_urls["WorkQueue"],
        Entries=[
            {"Id": "ok", "MessageBody": json.dumps({"run": run, "outcome": "ok", "n": 1})},
            {"Id": "fail", "MessageBody": json.dumps({"run": run, "outcome": "fail", "n": 2})},
        ],
    )
    recorder.wait_for("worker_ok", lambda items: any(i["run"] == run for i in items), WAIT_SECONDS)
    # The failed record comes back after the 1 s visibility timeout and, after 2 receives, moves to the DLQ.
    bodies = _eventually(
        lambda: [b for b in _dlq_bodies(stack, "WorkDeadLetterQueue") if b["run"] == run], "failed record in DLQ"
    )
    assert [b["n"] for b in bodies] == [2]
    assert [i["n"] for i in recorder.received("worker_ok") if i["run"] == run] == [1]
    batches = [b for b in recorder.received("worker_batches") if run in json.dumps(b)]
    record = batches[0]["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:ap-south-1:123456789012:WorkQueue"
    assert {"ApproximateReceiveCount", "SentTimestamp"} <= record["attributes"].keys()
    assert len(batches) >= 2  # the failed record was delivered again


def test_sqs_without_partial_failures_retries_the_whole_batch(stack: LocalStack, recorder: ModuleType) -> None:
    run = uuid.uuid4().hex
    sqs = stack.aws.client("sqs")
    sqs.send_message_batch(
        QueueUrl=stack.aws.queue_urls["StrictQueue"],
        Entries=[
            {"Id": "ok", "MessageBody": json.dumps({"run": run, "outcome": "ok", "n": 1})},
            {"Id": "fail", "MessageBody": json.dumps({"run": run, "outcome": "fail", "n": 2})},
        ],
    )
    bodies = _eventually(
        lambda: (
            [b for b in _dlq_bodies(stack, "StrictDeadLetterQueue") if b["run"] == run]
            if len([b for b in _dlq_bodies(stack, "StrictDeadLetterQueue") if b["run"] == run]) == 2
            else None
        ),
        "whole batch in DLQ",
    )
    assert sorted(b["n"] for b in bodies) == [1, 2]
    assert not [i for i in recorder.received("strict_ok") if i["run"] == run]


def test_s3_uploads_reach_the_processor_with_url_encoded_keys_and_filters(
    stack: LocalStack, recorder: ModuleType
) -> None:
    s3 = stack.aws.client("s3")
    run = uuid.uuid4().hex
    s3.put_object(Bucket="UploadsBucket", Key=f"elsewhere/{run}.jpg", Body=b"x")  # prefix filter
    s3.put_object(Bucket="UploadsBucket", Key=f"uploads/{run}.png", Body=b"x")  # suffix filter
    s3.put_object(Bucket="UploadsBucket", Key=f"uploads/{run} photo.jpg", Body=b"jpeg")

    def keys(items: list[dict[str, Any]]) -> list[str]:
        return [
            r["s3"]["object"]["key"] for event in items for r in event["Records"] if run in r["s3"]["object"]["key"]
        ]

    recorder.wait_for("uploads", lambda items: bool(keys(items)), WAIT_SECONDS)
    assert keys(recorder.received("uploads")) == [f"uploads/{run}+photo.jpg"]
    record = next(r for e in recorder.received("uploads") for r in e["Records"] if run in r["s3"]["object"]["key"])
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == "UploadsBucket"
    assert record["s3"]["object"]["size"] == 4


def test_eventbridge_rule_delivers_matching_events(stack: LocalStack, recorder: ModuleType) -> None:
    events = stack.aws.client("events")
    run = uuid.uuid4().hex
    events.put_events(
        Entries=[
            {
                "EventBusName": "FixtureBus",
                "Source": "pmc.other",
                "DetailType": "ThingHappened",
                "Detail": json.dumps({"run": run, "n": 1}),
            },
            {
                "EventBusName": "FixtureBus",
                "Source": "pmc.fixture",
                "DetailType": "ThingHappened",
                "Detail": json.dumps({"run": run, "n": 2}),
            },
        ]
    )
    received = recorder.wait_for(
        "notifications", lambda items: any(i["detail"].get("run") == run for i in items), WAIT_SECONDS
    )
    mine = [i for i in received if i["detail"].get("run") == run]
    assert [i["detail"]["n"] for i in mine] == [2]
    assert mine[0]["source"] == "pmc.fixture"
    assert mine[0]["detail-type"] == "ThingHappened"
    assert {"version", "id", "account", "time", "region", "resources"} <= mine[0].keys()


def test_stream_records_pass_the_filter_in_batches_and_failures_are_retried_then_given_up(
    stack: LocalStack, recorder: ModuleType
) -> None:
    run = uuid.uuid4().hex
    dynamodb = stack.aws.client("dynamodb")
    table = dynamodb.describe_table(TableName="FixtureTable")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    writes = [("other", "other", "ok"), ("a", "job", "ok"), ("b", "job", "fail_once"), ("c", "job", "ok")]
    for name, kind, outcome in [*writes, ("d", "job", "fail")]:
        item = {"pk": {"S": f"{run}-{name}"}, "sk": {"S": "JOB"}, "kind": {"S": kind}, "outcome": {"S": outcome}}
        dynamodb.put_item(TableName="FixtureTable", Item=item)
    dynamodb.update_item(  # a MODIFY of a job: not an INSERT, filtered out
        TableName="FixtureTable",
        Key={"pk": {"S": f"{run}-a"}, "sk": {"S": "JOB"}},
        UpdateExpression="SET outcome = :o",
        ExpressionAttributeValues={":o": {"S": "changed"}},
    )

    recorder.wait_for("stream_ok", lambda items: {f"{run}-{n}" for n in "abc"} <= set(items), WAIT_SECONDS)
    bodies = _eventually(
        lambda: [b for b in _dlq_bodies(stack, "StreamDeadLetterQueue") if b["DDBStreamBatchInfo"]["batchSize"]],
        "given-up batch described in the DLQ",
    )
    ok = [name for name in recorder.received("stream_ok") if name.startswith(run)]
    assert f"{run}-other" not in ok  # filtered out
    assert f"{run}-d" not in ok  # never succeeded
    assert ok.index(f"{run}-a") < ok.index(f"{run}-b")  # a shard in order, b retried before c is done
    batches = [b for b in recorder.received("stream_batches") if run in json.dumps(b)]
    assert all(len(b["Records"]) <= 2 for b in batches)  # BatchSize
    delivered = [r["dynamodb"]["NewImage"]["pk"]["S"] for b in batches for r in b["Records"]]
    assert delivered.count(f"{run}-d") == 3  # the first try and MaximumRetryAttempts: 2
    assert all(r["eventName"] == "INSERT" for b in batches for r in b["Records"])
    record = batches[0]["Records"][0]
    assert record["eventSource"] == "aws:dynamodb"
    assert "/stream/" in record["eventSourceARN"]
    assert {"Keys", "NewImage", "SequenceNumber", "StreamViewType"} <= record["dynamodb"].keys()
    info = bodies[-1]["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1
    assert bodies[-1]["requestContext"]["condition"] == "RetryAttemptsExhausted"


def test_stop_restores_the_process_environment(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  OnlyFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: code/, Handler: nothing.handler, Runtime: python3.13,"
        " Environment: {Variables: {LOCAL_STACK_PROBE: set}}}\n"
    )
    before, path_before = dict(os.environ), list(sys.path)
    with LocalStack(port=0, repo_root=tmp_path) as running:
        assert os.environ["AWS_ENDPOINT_URL"] == running.aws.endpoint_url
        assert os.environ["LOCAL_STACK_PROBE"] == "set"
    assert dict(os.environ) == before
    assert sys.path == path_before
