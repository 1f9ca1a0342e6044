"""What the end-to-end tests share: the usual grievance a citizen logs (garbage by Shaniwar Wada, W07), the
sample CFC of Kasba Peth, the caller's Authorization header and a bounded wait for asynchronous work (the
local stack's pollers: SQS, streams, S3 notifications)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import TokenFactory

__all__ = ["BODY", "KASBA_CFC", "TokenFactory", "bearer", "wait_for"]

BODY = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected near Shaniwar Wada gate for three days.",
    "lat": 18.5195,
    "lng": 73.8553,
    "address": "Shaniwar Peth",
}
KASBA_CFC = "OFF-15GFXMY5"  # Citizen Facilitation Centre, Kasba Peth (sample), W07


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
