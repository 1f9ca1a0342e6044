"""Configuration of the payments functions: one small model per thing they use, each read once per process."""

from __future__ import annotations

from pydantic import Field

from pmc_common.settings import CommonSettings, Settings, load


class PaymentsTable(Settings):
    """Every payments function: the store reads it when imported."""

    payments_table_name: str


class PaymentsSettings(CommonSettings):
    """The API function's, read at its import: a missing one fails its cold start."""


class StaleSettings(Settings):
    """stale_payments': how long after a capture it still asks the gateway whether the order was captured again
    (a second capture, API.md 4.6 `duplicate_capture`, whose every message was lost). Optional (variable
    SECOND_CAPTURE_WATCH_HOURS): 72 hours by default, a weekend's outage of the webhook path and the queue
    with a day to spare; the checks double their interval (docs/money-flow.md), so about ten per order."""

    second_capture_watch_hours: int = Field(72, ge=1, le=24 * 30)


def settings() -> PaymentsSettings:
    return load(PaymentsSettings)


def payments_table_name() -> str:
    return load(PaymentsTable).payments_table_name


def second_capture_watch_hours() -> int:
    return load(StaleSettings).second_capture_watch_hours
