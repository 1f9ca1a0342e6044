"""Configuration of the payments functions: one small model per thing they use, each read once per process."""

from __future__ import annotations

from pmc_common.settings import CommonSettings, Settings, load


class PaymentsTable(Settings):
    """Every payments function: the store reads it when imported."""

    payments_table_name: str


class PaymentsSettings(CommonSettings):
    """The API function's, read at its import: a missing one fails its cold start."""


def settings() -> PaymentsSettings:
    return load(PaymentsSettings)


def payments_table_name() -> str:
    return load(PaymentsTable).payments_table_name
