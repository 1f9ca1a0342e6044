"""Linking a property or water connection to a citizen (API.md 4.3), in the checks' order: the record exists,
the caller is under the hour's mismatch limit (1.11), the owner's name matches, not linked yet, under 20 links.

A mismatch answers only that the name does not match: never the name on record, its mask or any hint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from payments import access, domain, store
from payments.store import LinkOutcome, PropertyRecord, RecordKind, WaterConnection
from pmc_common.auth import Caller
from pmc_common.clock import iso
from pmc_common.errors import Conflict, Invalid, NotFound, TooManyRequests

MISMATCHES_PER_HOUR = 10
LINKS_PER_KIND = 20


def _hour(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def check_owner(sub: str, given: str, on_record: str, now: datetime) -> None:
    """Raises 429 once the caller has 10 mismatches this fixed UTC hour (whatever the name), else 422 on a
    mismatch, counted atomically so parallel guesses cannot pass the limit either."""
    hour = _hour(now)
    label = hour.strftime("%Y-%m-%dT%H")
    retry_after = {"Retry-After": str(max(1, int((hour + timedelta(hours=1) - now).total_seconds())))}
    if store.mismatches(sub, label) >= MISMATCHES_PER_HOUR:
        raise TooManyRequests("Too many owner-name mismatches; try again later", headers=retry_after)
    if domain.same_owner(given, on_record):
        return
    expires_at = int((hour + timedelta(hours=2)).timestamp())
    if not store.count_mismatch(sub, label, MISMATCHES_PER_HOUR, expires_at):
        raise TooManyRequests("Too many owner-name mismatches; try again later", headers=retry_after)
    raise Invalid.of("body.owner_name", "does not match the owner name on record", code="owner_name_mismatch")


def link(kind: RecordKind, sub: str, reference: str, now: datetime) -> tuple[bool, str]:
    """(created, linked_at): False with the first link's time when the caller linked it already; 409 at the
    limit of links of the kind."""
    outcome: LinkOutcome = store.link(kind, sub, reference, iso(now), LINKS_PER_KIND)
    if outcome == "limit_reached":
        raise Conflict(f"At most {LINKS_PER_KIND} links of this kind", code="link_limit_reached")
    if outcome == "already_linked":
        return False, store.linked_at(kind, sub, reference) or iso(now)
    return True, iso(now)


def unlink(kind: RecordKind, sub: str, reference: str) -> None:
    """404 when the caller has no such link (also when a parallel unlink took it first)."""
    if not store.unlink(kind, sub, reference):
        raise NotFound("No linked record with that id")


def linked_properties(sub: str) -> list[tuple[store.PropertyRecord, str]]:
    """The caller's properties with when each was linked, by linked_at."""
    found = ((store.property_record(link.reference), link.linked_at) for link in store.links("property", sub))
    return [(record, when) for record, when in found if record is not None]


def linked_connections(sub: str) -> list[tuple[store.WaterConnection, str]]:
    found = ((store.water_connection(link.reference), link.linked_at) for link in store.links("water", sub))
    return [(record, when) for record, when in found if record is not None]


# --- one kind of record, for the routes of both (properties and water connections are parallel) -------------


@dataclass(frozen=True)
class Linkable[R: (PropertyRecord, WaterConnection)]:
    """How the routes find, link, list and unlink one kind of record (each kind's own 404 messages kept)."""

    kind: RecordKind
    known: Callable[[str], R]  # any record by id (404 unknown)
    linked: Callable[[str, Caller], tuple[R, str]]  # one the caller linked, with when (404 otherwise)
    listed: Callable[[str], list[tuple[R, str]]]  # the caller's, with when each was linked
    reference: Callable[[R], str]  # its id


PROPERTY = Linkable[PropertyRecord](
    "property", access.known_property, access.linked_property, linked_properties, lambda r: r.property_id
)
WATER = Linkable[WaterConnection](
    "water", access.known_connection, access.linked_connection, linked_connections, lambda r: r.consumer_no
)


def link_record[R: (PropertyRecord, WaterConnection)](
    of: Linkable[R], sub: str, reference: str, owner_name: str, now: datetime
) -> tuple[R, bool, str]:
    """(record, created, linked_at) for `POST /me/...` in 4.3's order: the record exists, the owner's name
    matches (under the hour's mismatch limit), then linked (409 at the limit)."""
    record = of.known(reference)
    check_owner(sub, owner_name, record.owner_name, now)
    created, linked_at = link(of.kind, sub, of.reference(record), now)
    return record, created, linked_at


def unlink_record[R: (PropertyRecord, WaterConnection)](of: Linkable[R], reference: str, caller: Caller) -> None:
    """`DELETE /me/...`: 404 unless the caller linked it."""
    of.linked(reference, caller)
    unlink(of.kind, caller.sub, reference)
