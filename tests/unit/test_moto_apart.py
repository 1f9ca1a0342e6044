"""The class of defect behind two fresh-clone failures: a test starting moto's mocks with a reset wipes the
queues and buckets of the integration tier's moto server (same process), and a later test fails far away.
Every mock under tests/ goes through tests/moto_apart.py; this reads the test sources and fails otherwise.
And moto_apart itself keeps the server's resources and its own apart."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest

from tests.moto_apart import moto_apart

TESTS = Path(__file__).resolve().parents[1]
MOCK = re.compile(r"\bmock_aws\b|\bmock_(s3|sqs|sns|ssm|dynamodb|cloudformation|cloudfront|events)\b")


def test_no_test_starts_moto_mocks_except_through_moto_apart() -> None:
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in ("moto_apart.py", "test_moto_apart.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if MOCK.search(line)
    ]
    assert offenders == [], f"use tests.moto_apart.moto_apart, not moto's mocks directly: {offenders}"


def test_moto_apart_sees_nothing_of_the_default_account_and_leaves_it_untouched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from moto import mock_aws

    outside = mock_aws()
    outside.start(reset=False)  # the default account's backends, as the moto server thread keeps them
    try:
        sqs = boto3.client("sqs", region_name="ap-south-1", endpoint_url="https://sqs.ap-south-1.amazonaws.com")
        url = sqs.create_queue(QueueName="KeptByTheServer")["QueueUrl"]
        with pytest.MonkeyPatch.context() as inner, moto_apart(inner) as account:
            apart = boto3.client("sqs", region_name="ap-south-1")
            assert apart.list_queues().get("QueueUrls", []) == []
            apart.create_queue(QueueName="MadeApart")
            assert account != "123456789012"
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])  # still there after the mock stopped
        assert [u.rsplit("/", 1)[-1] for u in sqs.list_queues()["QueueUrls"]].count("MadeApart") == 0
        sqs.delete_queue(QueueUrl=url)
    finally:
        outside.stop(remove_data=False)
