"""Configuration of the survey function: one small model per thing it uses, each read once per process."""

from __future__ import annotations

from pmc_common.settings import CommonSettings, Settings, load


class SurveyTable(Settings):
    """The store reads it when imported."""

    survey_table_name: str


class EventBus(Settings):
    """The outbox relay."""

    event_bus_name: str


class SurveySettings(CommonSettings):
    """The API function's, read at its import: a missing one fails its cold start, not a request."""


def settings() -> SurveySettings:
    return load(SurveySettings)


def survey_table_name() -> str:
    return load(SurveyTable).survey_table_name


def event_bus_name() -> str:
    return load(EventBus).event_bus_name
