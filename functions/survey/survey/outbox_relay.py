"""The survey outbox relay: SurveyTable's stream (INSERTs of outbox items only, filtered by the event source
mapping) onto the project bus, with partial batch failures. Never writes the table."""

from __future__ import annotations

from pmc_common import outbox
from survey.settings import event_bus_name

handler = outbox.relay_handler("survey", event_bus_name())
