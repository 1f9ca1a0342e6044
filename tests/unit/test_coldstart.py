"""The cold start's garbage-collection pause: only in a Lambda environment, over until the first answer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from pmc_common import coldstart


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    yield
    coldstart._paused = False
    gc.unfreeze()
    gc.enable()


def test_outside_lambda_the_collector_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    coldstart.begin()
    assert gc.isenabled()


def test_in_lambda_collection_pauses_until_the_first_invocation_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    coldstart.begin()
    assert not gc.isenabled()
    coldstart.end()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what init made is out of later collections


def test_an_instrumented_handler_ends_the_pause_even_when_it_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools import Logger

    from pmc_common.instrument import instrumented

    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    coldstart.begin()

    def failing(event: dict[str, object], context: object) -> dict[str, object]:
        raise RuntimeError("first invocation failed")

    class Context:
        function_name = "test"
        memory_limit_in_mb = 256
        invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:test"
        aws_request_id = "test"

    handler = instrumented("test", Logger(service="test", level="WARNING"))(failing)
    with pytest.raises(RuntimeError):
        handler({}, Context())
    assert gc.isenabled()
