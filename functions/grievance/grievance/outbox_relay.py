"""The grievance outbox relay: GrievancesTable's stream (INSERTs of outbox items only, filtered by the event
source mapping) onto the project bus, with partial batch failures. Never writes the table."""

from __future__ import annotations

from grievance.settings import event_bus_name
from pmc_common import outbox

handler = outbox.relay_handler("grievance", event_bus_name())
