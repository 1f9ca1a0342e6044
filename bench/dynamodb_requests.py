"""A pytest plugin for bench/interleavings.py (`-p bench.dynamodb_requests`): counts the DynamoDB requests the
tests make while they run (set-up and tear-down of fixtures left out) and prints the count at the end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.client
import pytest

COUNT = {"requests": 0, "counting": False}
_make_api_call = botocore.client.BaseClient._make_api_call


def _counted(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    if COUNT["counting"] and self.meta.service_model.service_name == "dynamodb":
        COUNT["requests"] += 1
    return _make_api_call(self, operation_name, api_params)


botocore.client.BaseClient._make_api_call = _counted  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    COUNT["counting"] = True
    try:
        return (yield)
    finally:
        COUNT["counting"] = False


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"dynamodb requests in test calls: {COUNT['requests']}")
