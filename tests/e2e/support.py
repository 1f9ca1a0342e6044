"""What the end-to-end tests share: the caller's Authorization header and a bounded wait for asynchronous
work (the local stack's pollers: SQS, streams, S3 notifications)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import TokenFactory

__all__ = ["TokenFactory", "bearer", "wait_for"]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def wait_for(check: Callable[[], Any], seconds: float = 30.0) -> Any:
    """Poll until `check` returns something truthy (asynchronous processing), bounded in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("condition not met in time")
