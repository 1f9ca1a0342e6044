"""Pure lookup rules: the geohash cells a search starts from, orders and cross-field checks, and the rules of
city updates (API.md 2.4): their derived status, validity window, ward scope and lifecycle.

No I/O here: the store fetches, these functions decide."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pmc_common import access
from pmc_common.auth import Caller
from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Forbidden, Invalid
from pmc_common.geo import EARTH_RADIUS_M, distance_m, search_cover
from pmc_common.lifecycle import Effect, Lifecycle, Refusal, Rule

__all__ = ["EARTH_RADIUS_M", "distance_m"]

FINE_PRECISION_MAX_RADIUS_M = 1_000  # up to here 6-character cells (≈1.2 × 0.6 km) keep reads small


def search_cells(lat: float, lng: float, radius_m: int) -> tuple[int, set[str]]:
    """The geohash precision for this radius and every cell its circle's bounding box meets: 422
    `location_outside_pune` outside the Pune region (API.md 2.3), and never more than geo.MAX_CELLS."""
    precision = 6 if radius_m <= FINE_PRECISION_MAX_RADIUS_M else 5
    return precision, search_cover(lat, lng, radius_m, precision)


def contacts_order(contact: dict[str, Any]) -> tuple[int, str]:
    return contact["sort"], contact["id"]


def offices_order(office: dict[str, Any]) -> tuple[bool, str, str, str]:
    """Ward with nulls first, then English name, then id for a stable tie."""
    return office["ward"] is not None, office["ward"] or "", office["name"]["en"], office["id"]


def departments_order(department: dict[str, Any]) -> tuple[str, str]:
    return department["name"]["en"], department["id"]


def check_office(office: dict[str, Any]) -> None:
    """A head office belongs to no ward; every other office to exactly one."""
    if office["type"] == "head_office" and office["ward"] is not None:
        raise Invalid.of("body.ward", "must be null for a head office")
    if office["type"] != "head_office" and office["ward"] is None:
        raise Invalid.of("body.ward", "is required for a ward office or CFC")


# --- city updates (API.md 2.4) ------------------------------------------------------------------------

MAX_SPAN = timedelta(days=90)  # API.md 2.4: ends_at - starts_at <= 90 days
UPDATE_STATUSES = ("scheduled", "active", "ended", "withdrawn")
EDITABLE = ("category", "title", "body", "starts_at", "ends_at")  # what a merge patch may change
CITY_WIDE = "city"  # the audience of an update for no ward
ALL_WARDS = "all"  # every update, whatever its ward


@dataclass(frozen=True)
class CityUpdate:
    """A city update as the rules see it; `status` is derived from the clock (status_of), never stored."""

    id: str
    category: str
    ward: str | None
    title: Mapping[str, str]
    body: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    updated_at: datetime
    status: str
    withdrawn_at: datetime | None = None
    created_by: str | None = None  # staff subs and the reason: kept for the record, never served
    updated_by: str | None = None
    withdrawn_by: str | None = None
    withdraw_reason: str | None = None


def status_of(starts_at: datetime, ends_at: datetime, withdrawn_at: datetime | None, now: datetime) -> str:
    """API.md 2.4: withdrawn if withdrawn_at, else scheduled before starts_at, active until ends_at, ended."""
    if withdrawn_at is not None:
        return "withdrawn"
    if now < starts_at:
        return "scheduled"
    return "active" if now < ends_at else "ended"


def check_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """starts_at < ends_at, at most MAX_SPAN apart, ends_at in the future: else 422 naming body.ends_at (the
    field a client fixes; a start in the past is allowed: a cut already under way can be announced)."""
    if ends_at <= starts_at:
        raise Invalid.of("body.ends_at", "must be after starts_at")
    if ends_at - starts_at > MAX_SPAN:
        raise Invalid.of("body.ends_at", f"must be at most {MAX_SPAN.days} days after starts_at")
    if ends_at <= now:
        raise Invalid.of("body.ends_at", "must be in the future")


def check_ward(caller: Caller, ward: str | None) -> None:
    """A ward officer publishes and changes their own ward's updates only, never a city-wide one (API.md 2.4,
    1.5: a public object they may not change is 403)."""
    if not access.staffs(caller, ward):
        raise Forbidden("Ward officers publish and change only their own ward's city updates")


def actor(caller: Caller) -> str:
    return "ward_officer" if caller.is_ward_officer else "staff"


def publish(update_id: str, fields: Mapping[str, Any], caller: Caller, now: datetime) -> CityUpdate:
    """A new update from the POST body's fields, after the ward scope and the window."""
    check_ward(caller, fields["ward"])
    check_window(fields["starts_at"], fields["ends_at"], now)
    return CityUpdate(
        id=update_id,
        category=fields["category"],
        ward=fields["ward"],
        title=dict(fields["title"]),
        body=dict(fields["body"]),
        starts_at=fields["starts_at"],
        ends_at=fields["ends_at"],
        created_at=now,
        updated_at=now,
        status=status_of(fields["starts_at"], fields["ends_at"], None, now),
        created_by=caller.sub,
    )


def _patched(name: str) -> Effect[CityUpdate]:
    return Effect[CityUpdate](
        f"the patch's `{name}`, else as read", lambda u, given, now: given.get(name, getattr(u, name))
    )


_EDIT = {name: _patched(name) for name in EDITABLE} | {
    "updated_at": Effect[CityUpdate]("now", lambda u, given, now: now),
    "updated_by": Effect[CityUpdate]("the staff member's sub", lambda u, given, now: given["by"]),
}
_WITHDRAW = {
    "withdrawn_at": Effect[CityUpdate]("now", lambda u, given, now: now),
    "withdrawn_by": Effect[CityUpdate]("the staff member's sub", lambda u, given, now: given["by"]),
    "withdraw_reason": Effect[CityUpdate]("the reason given, or null", lambda u, given, now: given.get("reason")),
}
STAFF_ROLES = frozenset({"staff", "ward_officer"})
CLOCK = frozenset({"clock"})

# The clock's rows are the derived status moving (status_of): no route applies them, the diagram shows them.
UPDATES = Lifecycle[CityUpdate](
    UPDATE_STATUSES,
    [
        Rule[CityUpdate]("clock", "scheduled", "active", CLOCK),
        Rule[CityUpdate]("clock", "active", "ended", CLOCK),
        *(Rule[CityUpdate]("edit", s, s, STAFF_ROLES, sets=_EDIT) for s in ("scheduled", "active")),
        *(Rule[CityUpdate]("withdraw", s, "withdrawn", STAFF_ROLES, sets=_WITHDRAW) for s in ("scheduled", "active")),
        Rule[CityUpdate]("withdraw", "withdrawn", "withdrawn", STAFF_ROLES),  # again: 200, unchanged
    ],
    refusals={
        ("edit", "withdrawn"): Refusal("update_withdrawn", "A withdrawn update cannot be edited"),
        ("edit", "ended"): Refusal("update_ended", "An ended update cannot be edited"),
        ("withdraw", "ended"): Refusal("update_ended", "An ended update cannot be withdrawn"),
    },
    initial=("scheduled", "staff, ward_officer (or active when starts_at has passed)"),
    final=("ended", "withdrawn"),
)


def edit(current: CityUpdate, changes: Mapping[str, Any], caller: Caller, now: datetime) -> CityUpdate | None:
    """The update after a merge patch (ward scope, then the lifecycle, then the window of the result), or None
    when the patch changes nothing (no write, the same representation)."""
    check_ward(caller, current.ward)
    move = UPDATES.apply(current, None, by=actor(caller), via="edit", given={**changes, "by": caller.sub}, now=now)
    if all(getattr(move.after, name) == getattr(current, name) for name in EDITABLE):
        return None
    after = move.after
    check_window(after.starts_at, after.ends_at, now)
    return replace(after, status=status_of(after.starts_at, after.ends_at, None, now))


def withdraw(current: CityUpdate, reason: str | None, caller: Caller, now: datetime) -> CityUpdate | None:
    """The update withdrawn, or None when it already was (withdrawing again changes nothing)."""
    check_ward(caller, current.ward)
    move = UPDATES.apply(
        current, "withdrawn", by=actor(caller), via="withdraw", given={"reason": reason, "by": caller.sub}, now=now
    )
    return move.after if move.rule.moves_status else None


# Stored documents: the view's fields (status left out: it is derived), timestamps as API strings.
_TIMES = ("starts_at", "ends_at", "created_at", "updated_at", "withdrawn_at")


def to_doc(update: CityUpdate) -> dict[str, Any]:
    doc = {name: getattr(update, name) for name in CityUpdate.__dataclass_fields__ if name != "status"}
    doc |= {name: iso(doc[name]) if doc[name] is not None else None for name in _TIMES}
    doc["title"], doc["body"] = dict(update.title), dict(update.body)
    return doc


def from_doc(doc: Mapping[str, Any], now: datetime) -> CityUpdate:
    times = {name: parse_iso(doc[name]) if doc.get(name) else None for name in _TIMES}
    fields = {name: doc.get(name) for name in CityUpdate.__dataclass_fields__ if name not in (*_TIMES, "status")}
    status = status_of(times["starts_at"], times["ends_at"], times["withdrawn_at"], now)  # type: ignore[arg-type]
    return CityUpdate(**fields, **times, status=status)  # type: ignore[arg-type]


def view_of(doc: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The stored document with its status as of now: what CityUpdateView shapes."""
    starts, ends = parse_iso(doc["starts_at"]), parse_iso(doc["ends_at"])
    withdrawn = parse_iso(doc["withdrawn_at"]) if doc.get("withdrawn_at") else None
    return {**doc, "status": status_of(starts, ends, withdrawn, now)}


def audiences(ward: str | None) -> tuple[str, ...]:
    """The public list's partitions for a ward filter: the ward's and the city-wide ones, or every update."""
    return (ward, CITY_WIDE) if ward is not None else (ALL_WARDS,)


def live_since(now: datetime) -> str:
    """The earliest starts_at an active update can have: no update spans more than MAX_SPAN, so one that started
    earlier has ended (the public list reads back this far, no further)."""
    return iso(now - MAX_SPAN)


def listed(doc: Mapping[str, Any], category: str | None, now: datetime) -> bool:
    """On the public list (API.md 2.4): active now, of the category if one is asked."""
    return view_of(doc, now)["status"] == "active" and (category is None or doc["category"] == category)


def in_status(doc: Mapping[str, Any], status: str | None, now: datetime) -> bool:
    return status is None or view_of(doc, now)["status"] == status
