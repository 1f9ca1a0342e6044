"""The injectable clock: every rule that depends on "now" takes a Clock, never calls datetime.now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC, truncated to whole seconds (API timestamps have no fractions)."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class FixedClock:
    """A clock for tests and scheduled handlers (whose "now" is the event's time)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def iso(at: datetime) -> str:
    """UTC ISO 8601 with `Z`, whole seconds: the only way timestamps leave the system."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries an offset; naive input is an error."""
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    return at.astimezone(UTC)
