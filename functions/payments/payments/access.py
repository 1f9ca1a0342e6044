"""Who may read what of a property or water connection (API.md 1.5, 4.3, 4.4): the public quick view by id,
dues and bills only for a citizen who linked the record; anyone else 404, as for an unknown id.

Reads records and links; never writes. Raises NotFound."""

from __future__ import annotations

from payments import store
from payments.domain import CONSUMER_NO, PROPERTY_ID
from pmc_common import access
from pmc_common.auth import Caller
from pmc_common.errors import NotFound


def known_property(property_id: str) -> store.PropertyRecord:
    """Any property by id; a path id not of the format is as unknown as a missing one (API.md 1.2)."""
    found = store.property_record(property_id) if PROPERTY_ID.match(property_id) else None
    if found is None:
        raise NotFound("No property with that id")
    return found


def known_connection(consumer_no: str) -> store.WaterConnection:
    found = store.water_connection(consumer_no) if CONSUMER_NO.match(consumer_no) else None
    if found is None:
        raise NotFound("No water connection with that consumer number")
    return found


def linked_property(property_id: str, caller: Caller) -> tuple[store.PropertyRecord, str]:
    """A property the caller linked, with when they linked it: not linked is 404, like an unknown id."""
    when = store.linked_at("property", caller.sub, property_id) if PROPERTY_ID.match(property_id) else None
    found = store.property_record(property_id) if when else None
    record, _ = access.entitled(found, "owner" if found else None, "linked property")
    return record, when or ""


def linked_connection(consumer_no: str, caller: Caller) -> tuple[store.WaterConnection, str]:
    when = store.linked_at("water", caller.sub, consumer_no) if CONSUMER_NO.match(consumer_no) else None
    found = store.water_connection(consumer_no) if when else None
    record, _ = access.entitled(found, "owner" if found else None, "linked water connection")
    return record, when or ""
