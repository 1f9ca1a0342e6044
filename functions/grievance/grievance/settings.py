"""Configuration of every grievance function, read once per cold start."""

from __future__ import annotations

from pmc_common.settings import CommonSettings, load


class GrievanceSettings(CommonSettings):
    grievances_table_name: str
    photos_bucket_name: str
    event_bus_name: str


def settings() -> GrievanceSettings:
    found: GrievanceSettings = load(GrievanceSettings)
    return found
