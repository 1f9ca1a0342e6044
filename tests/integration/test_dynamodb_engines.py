"""Where moto and AWS's DynamoDB Local differ, probed on the session's engine (DYNAMODB_ENGINE), and
the life of DynamoDB Local's process. Each probe states what each engine does; the application's
tests encode DynamoDB Local's behaviour, the one closest to DynamoDB. docs/dynamodb-local.md lists
every difference with the test that shows it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local.aws import LocalAws
from local.dynamodb_local import DYNAMODB_LOCAL, MOTO, DynamoDBLocal

TABLE = "EngineProbeTable"
ROOT = Path(__file__).resolve().parents[2]
EXIT_SECONDS = 20


@pytest.fixture(scope="module")
def ddb(local_aws: LocalAws) -> Iterator[Any]:
    """A DynamoDB client on the session's engine, with a probe table: (pk, sk) and a GSI on gpk."""
    client = local_aws.client("dynamodb")
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gpk")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByGpk",
                "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "gpk": {"S": "g"}, "v": {"N": "1"}})
    client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "gpk": {"S": "g"}, "v": {"N": "1"}})
    yield client
    client.delete_table(TableName=TABLE)


@pytest.fixture(scope="module")
def engine(dynamodb_engine_name: str) -> str:
    return dynamodb_engine_name


def per_engine[T](engine: str, *, dynamodb_local: T, moto: T) -> T:
    """What the session's engine is expected to do (both written out, so each difference is explicit)."""
    return dynamodb_local if engine == DYNAMODB_LOCAL else moto


def error_of(call: Any) -> dict[str, Any] | None:
    """The parsed error response of `call()`, or None when it succeeds."""
    try:
        call()
    except ClientError as exc:
        return dict(exc.response)
    return None


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


# ---------------------------------------------------------------- ConsumedCapacity


def test_put_capacity_counts_the_index_write_on_dynamodb_local_only(ddb: Any, engine: str) -> None:
    item = {**key("cap", "1"), "gpk": {"S": "g2"}}
    consumed = ddb.put_item(TableName=TABLE, Item=item, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert consumed["CapacityUnits"] == per_engine(engine, dynamodb_local=2.0, moto=1.0)
    assert consumed["Table"] == {"CapacityUnits": 1.0}
    assert consumed.get("GlobalSecondaryIndexes") == per_engine(
        engine, dynamodb_local={"ByGpk": {"CapacityUnits": 1.0}}, moto=None
    )
    updated = ddb.update_item(
        TableName=TABLE,
        Key=key("cap", "1"),
        UpdateExpression="ADD v :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnConsumedCapacity="TOTAL",
    )["ConsumedCapacity"]
    assert updated["CapacityUnits"] == per_engine(engine, dynamodb_local=2.0, moto=0.5)


def test_read_capacity_follows_consistency_and_item_size_on_dynamodb_local_only(ddb: Any, engine: str) -> None:
    def units(**extra: Any) -> float:
        reply = ddb.get_item(TableName=TABLE, Key=key("a", "1"), ReturnConsumedCapacity="TOTAL", **extra)
        return float(reply["ConsumedCapacity"]["CapacityUnits"])

    assert units() == 0.5
    assert units(ConsistentRead=True) == per_engine(engine, dynamodb_local=1.0, moto=0.5)
    # A Query is charged for the bytes it read (two small items: one 4 KB unit, halved when eventual).
    query = ddb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert query["Count"] == 2
    assert query["ConsumedCapacity"]["CapacityUnits"] == per_engine(engine, dynamodb_local=0.5, moto=1.0)


def test_query_on_a_gsi_charges_the_index(ddb: Any, engine: str) -> None:
    consumed = ddb.query(
        TableName=TABLE,
        IndexName="ByGpk",
        KeyConditionExpression="gpk = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
        ReturnConsumedCapacity="INDEXES",
    )["ConsumedCapacity"]
    expected = per_engine(
        engine,
        dynamodb_local={"GlobalSecondaryIndexes": {"ByGpk": {"CapacityUnits": 0.5}}, "Table": {"CapacityUnits": 0.0}},
        moto={"LocalSecondaryIndexes": {"ByGpk": {"CapacityUnits": 1.0}}, "Table": {"CapacityUnits": 1.0}},
    )
    assert {k: v for k, v in consumed.items() if k not in ("TableName", "CapacityUnits")} == expected


def test_transact_write_returns_consumed_capacity_on_dynamodb_local_only(ddb: Any, engine: str) -> None:
    reply = ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": TABLE, "Item": key("txcap", "1")}}], ReturnConsumedCapacity="TOTAL"
    )
    assert reply["ConsumedCapacity"] == per_engine(
        engine, dynamodb_local=[{"TableName": TABLE, "CapacityUnits": 2.0}], moto=[]
    )


# ---------------------------------------------------------------- validation


def test_empty_string_keys_are_rejected_by_both(ddb: Any, engine: str) -> None:
    table_key = error_of(lambda: ddb.put_item(TableName=TABLE, Item=key("", "1")))
    index_key = error_of(lambda: ddb.put_item(TableName=TABLE, Item={**key("b", "1"), "gpk": {"S": ""}}))
    assert table_key is not None
    assert index_key is not None
    assert table_key["Error"]["Code"] == index_key["Error"]["Code"] == "ValidationException"
    assert "empty string" in table_key["Error"]["Message"]
    assert "secondary index key" in index_key["Error"]["Message"]
    assert error_of(lambda: ddb.put_item(TableName=TABLE, Item={**key("b", "2"), "note": {"S": ""}})) is None


def test_index_key_of_the_wrong_type_is_rejected_by_dynamodb_local_only(ddb: Any, engine: str) -> None:
    error = error_of(lambda: ddb.put_item(TableName=TABLE, Item={**key("b", "3"), "gpk": {"N": "1"}}))
    assert (error and error["Error"]["Message"]) == per_engine(
        engine, dynamodb_local="One or more parameter values were invalid: Type mismatch for Index Key", moto=None
    )


def test_unused_expression_attribute_values_are_rejected_by_dynamodb_local_only(ddb: Any, engine: str) -> None:
    error = error_of(
        lambda: ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}, ":unused": {"S": "x"}},
        )
    )
    assert (error and error["Error"]["Code"]) == per_engine(engine, dynamodb_local="ValidationException", moto=None)
    # Unused ExpressionAttributeNames are rejected by both.
    names = error_of(
        lambda: ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}},
            ExpressionAttributeNames={"#n": "v"},
        )
    )
    assert names is not None
    assert "unused in expressions" in names["Error"]["Message"]


def test_duplicate_set_members_are_rejected_by_dynamodb_local_only(ddb: Any, engine: str) -> None:
    error = error_of(lambda: ddb.put_item(TableName=TABLE, Item={**key("set", "1"), "tags": {"SS": ["a", "a"]}}))
    assert (error and error["Error"]["Code"]) == per_engine(engine, dynamodb_local="ValidationException", moto=None)


def test_invalid_table_names_are_a_validation_error_on_dynamodb_local_only(ddb: Any, engine: str) -> None:
    error = error_of(lambda: ddb.describe_table(TableName="ab"))
    assert error is not None
    assert error["Error"]["Code"] == per_engine(
        engine, dynamodb_local="ValidationException", moto="ResourceNotFoundException"
    )


def test_pay_per_request_with_provisioned_throughput_is_accepted_by_dynamodb_local_only(ddb: Any, engine: str) -> None:
    """DynamoDB rejects it; local.resources.table_definition never sends it, so neither engine sees it."""
    name = "EngineProbeBillingTable"
    error = error_of(
        lambda: ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
    )
    if error is None:
        ddb.delete_table(TableName=name)
    assert (error and error["Error"]["Code"]) == per_engine(engine, dynamodb_local=None, moto="ValidationException")


# ---------------------------------------------------------------- transactions and conditions


def test_two_operations_on_one_item_in_a_transaction_are_rejected_by_both(ddb: Any) -> None:
    error = error_of(
        lambda: ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": key("c", "1")}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key("c", "1"),
                        "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"N": "1"}},
                    }
                },
            ]
        )
    )
    assert error is not None
    assert error["Error"] == {
        "Code": "ValidationException",
        "Message": "Transaction request cannot include multiple operations on one item",
    }


def test_a_failed_condition_in_a_transaction_names_its_reason_and_old_item(ddb: Any) -> None:
    error = error_of(
        lambda: ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": key("d", "1")}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": key("a", "1"),
                        "ConditionExpression": "v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    )
    assert error is not None
    assert error["Error"]["Code"] == "TransactionCanceledException"
    reasons = error["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["v"] == {"N": "1"}
    assert "Item" not in ddb.get_item(TableName=TABLE, Key=key("d", "1"))  # nothing of it was applied


def test_a_failed_put_condition_returns_the_old_item(ddb: Any, engine: str) -> None:
    error = error_of(
        lambda: ddb.put_item(
            TableName=TABLE,
            Item=key("a", "1"),
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    )
    assert error is not None
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"
    assert error["Item"]["gpk"] == {"S": "g"}
    # moto also repeats the message under a lower-case "message" key; nothing should rely on it.
    assert ("message" in error) == per_engine(engine, dynamodb_local=False, moto=True)


def test_a_reused_client_request_token_with_other_items_is_refused_by_dynamodb_local_only(
    ddb: Any, engine: str
) -> None:
    token = f"engine-probe-{time.time_ns()}"
    ddb.transact_write_items(
        ClientRequestToken=token, TransactItems=[{"Put": {"TableName": TABLE, "Item": key("j", "1")}}]
    )
    error = error_of(
        lambda: ddb.transact_write_items(
            ClientRequestToken=token, TransactItems=[{"Put": {"TableName": TABLE, "Item": key("j", "2")}}]
        )
    )
    assert (error and error["Error"]["Code"]) == per_engine(
        engine, dynamodb_local="IdempotentParameterMismatchException", moto=None
    )


@pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO,
    reason="moto's TransactWriteItems is not thread-safe: concurrent ones sometimes fail with a 500",
)
def test_concurrent_transactions_on_one_item_are_serialised_without_conflicts(local_aws: LocalAws) -> None:
    """DynamoDB may answer TransactionConflictException here; DynamoDB Local never does (it serialises)."""
    ddb = local_aws.client("dynamodb")
    ddb.put_item(TableName=TABLE, Item={**key("counter", "1"), "n": {"N": "0"}})
    errors: list[str] = []

    def add(worker: int) -> None:
        client = local_aws.client("dynamodb")
        for i in range(40):
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": TABLE,
                                "Key": key("counter", "1"),
                                "UpdateExpression": "ADD n :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                        {"Put": {"TableName": TABLE, "Item": key("counter", f"{worker}-{i}")}},
                    ]
                )
            except ClientError as exc:
                errors.append(exc.response["Error"]["Code"])

    workers = [threading.Thread(target=add, args=(n,)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert ddb.get_item(TableName=TABLE, Key=key("counter", "1"))["Item"]["n"] == {"N": "120"}


# ---------------------------------------------------------------- DynamoDB Local's process

needs_dynamodb_local = pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO, reason="DYNAMODB_ENGINE=moto: no DynamoDB Local"
)


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, seconds: float = EXIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def minimal_stack(root: Path) -> Path:
    """A repository with one table and nothing else: the quickest local stack that runs DynamoDB Local."""
    (root / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  OnlyTable:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n"
        "      BillingMode: PAY_PER_REQUEST\n"
        "      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n"
        "      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n"
    )
    return root


@needs_dynamodb_local
def test_stop_leaves_no_java_process() -> None:
    with DynamoDBLocal() as ddb:
        pid = ddb.pid
        assert pid is not None
        assert alive(pid)
        assert os.getpgid(pid) == pid  # its own process group: a terminal's Ctrl-C reaches only Python
        assert ddb.client().list_tables()["TableNames"] == []
    assert not alive(pid)
    assert not ddb.running


@needs_dynamodb_local
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_the_local_stack_takes_its_java_process_down_with_it(signum: signal.Signals, tmp_path: Path) -> None:
    """Ctrl-C stops the stack cleanly; even a SIGKILLed stack leaves no JVM (parent-death signal). SIGTERM
    is checked at every stop of an end-to-end stack (tests/e2e/conftest.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "PYTHONUNBUFFERED": "1",
        "DYNAMODB_ENGINE": DYNAMODB_LOCAL,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "--port", "0", "--repo-root", str(minimal_stack(tmp_path))],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    jvm = None
    try:
        assert process.stdout is not None
        for line in process.stdout:  # ends when the stack exits
            if line.startswith("dynamodb: DynamoDB Local"):
                jvm = int(line.rsplit("(pid ", 1)[1].rstrip(")\n"))
                break
        assert jvm is not None, "the stack did not report its DynamoDB Local"
        assert alive(jvm)
        process.send_signal(signum)
        process.wait(timeout=EXIT_SECONDS)
        assert wait_gone(jvm), f"DynamoDB Local (pid {jvm}) outlived the stack after {signum.name}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if jvm is not None and alive(jvm):
            os.killpg(jvm, signal.SIGKILL)
