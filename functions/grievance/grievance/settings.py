"""Configuration of the grievance functions: one small model per thing they use, each read once per process by
the code that uses it, so a function needs only the variables of what it runs (the escalation function has no
photo bucket and no bus)."""

from __future__ import annotations

from pmc_common.settings import CommonSettings, Settings, load


class GrievanceTable(Settings):
    """Every grievance function: the store reads it when imported."""

    grievances_table_name: str


class PhotosBucket(Settings):
    """The API function (upload policies, signed views) and the photo processor."""

    photos_bucket_name: str


class EventBus(Settings):
    """The outbox relay."""

    event_bus_name: str


class GrievanceSettings(CommonSettings, PhotosBucket):
    """The API function's, read at its import: a missing one fails its cold start, not a later photo request."""


def settings() -> GrievanceSettings:
    return load(GrievanceSettings)


def grievances_table_name() -> str:
    return load(GrievanceTable).grievances_table_name


def photos_bucket_name() -> str:
    return load(PhotosBucket).photos_bucket_name


def event_bus_name() -> str:
    return load(EventBus).event_bus_name
