"""The shared DynamoDB helpers every store uses: condition-failure detection and the fresh-id retry."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pmc_common import dynamo
from pmc_common.errors import Internal


def test_a_failed_condition_is_recognised_on_single_writes_and_transactions() -> None:
    assert dynamo.condition_failed(SimpleNamespace(cause_response_code="ConditionalCheckFailedException"))
    assert not dynamo.condition_failed(SimpleNamespace(cause_response_code="ProvisionedThroughputExceededException"))
    cancelled = SimpleNamespace(cancellation_reasons=[None, SimpleNamespace(code="ConditionalCheckFailed")])
    assert dynamo.condition_failed(cancelled)  # type: ignore[arg-type]
    throttled = SimpleNamespace(cancellation_reasons=[SimpleNamespace(code="ThrottlingError")])
    assert not dynamo.condition_failed(throttled)  # type: ignore[arg-type]


def test_a_failed_condition_is_told_apart_by_the_transaction_write_that_failed() -> None:
    second = SimpleNamespace(cancellation_reasons=[None, SimpleNamespace(code="ConditionalCheckFailed")])
    assert not dynamo.condition_failed(second, at=0)  # type: ignore[arg-type]
    assert dynamo.condition_failed(second, at=1)  # type: ignore[arg-type]


def test_a_taken_id_draws_another_until_one_is_free() -> None:
    drawn = iter(["A", "B", "C"])
    taken = {"A", "B"}
    assert dynamo.with_fresh_id(lambda: next(drawn), lambda candidate: candidate not in taken) == "C"


def test_five_taken_ids_in_a_row_is_an_internal_error() -> None:
    tries: list[int] = []
    with pytest.raises(Internal):
        dynamo.with_fresh_id(lambda: len(tries), lambda candidate: tries.append(candidate) is not None)
    assert len(tries) == dynamo.ID_ATTEMPTS


def test_a_transaction_cancelled_by_a_concurrent_one_is_recognised() -> None:
    conflicted = SimpleNamespace(cancellation_reasons=[None, SimpleNamespace(code="TransactionConflict")])
    assert dynamo.transaction_conflicted(conflicted)  # type: ignore[arg-type]
    assert not dynamo.transaction_conflicted(SimpleNamespace(cancellation_reasons=[SimpleNamespace(code="None")]))
    assert not dynamo.transaction_conflicted(SimpleNamespace(cause_response_code="ConditionalCheckFailedException"))
