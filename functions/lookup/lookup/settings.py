"""Configuration of the lookup function beyond pmc_common's CommonSettings, read once per cold start."""

from __future__ import annotations

from pmc_common.settings import Settings


class LookupTable(Settings):
    lookup_table_name: str
