"""The injectable clock: every rule that depends on "now" takes a Clock, never calls datetime.now.
Civil dates (dues, bills, receipts, collections) and financial years are IST (API.md 1.1)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
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


def ist_date(at: datetime) -> date:
    """The civil date in Pune (IST) at an instant: "today" for dues, the day of a collection."""
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(IST).date()


FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def financial_year(day: date) -> str:
    """The label of the Indian financial year (1 April–31 March) holding an IST date: `2026-27`."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def financial_year_start(label: str) -> date:
    """1 April of a financial year given by its label; a malformed label (`2026-28`) is a ValueError."""
    match = FINANCIAL_YEAR.match(label)
    if match is None or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise ValueError(f"not a financial year label: {label!r}")
    return date(int(match.group(1)), 4, 1)


def financial_year_end(label: str) -> date:
    """31 March closing a financial year."""
    return date(financial_year_start(label).year + 1, 3, 31)
