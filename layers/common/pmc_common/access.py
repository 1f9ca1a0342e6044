"""Object-level access to a citizen's ward-scoped objects (API.md 1.5): grievances now, payments next.

Routes ask a service's access module, which builds on these; a route never compares owners or wards itself.
Not entitled is 404, the answer for an unknown id (a 403 would confirm the id exists); a reader who is not
the owner trying an owner's action is 403 (reading told them it exists); a ward filter outside a ward
officer's ward is 403 (a ward is no secret)."""

from __future__ import annotations

from typing import Literal

from pmc_common.auth import Caller
from pmc_common.errors import Forbidden, NotFound

OwnerOrStaff = Literal["owner", "staff"]


def owns(caller: Caller, owner_sub: str) -> bool:
    return caller.sub == owner_sub


def staffs(caller: Caller, ward: str | None) -> bool:
    """Staff whose scope holds the ward: city-wide staff every ward, a ward officer their own only."""
    return caller.covers_ward(ward)


def owner_or_staff(caller: Caller, *, owner_sub: str, ward: str | None) -> OwnerOrStaff | None:
    """The caller's relation to an object of one citizen in one ward, the first that applies; None: nobody."""
    if owns(caller, owner_sub):
        return "owner"
    if staffs(caller, ward):
        return "staff"
    return None


def entitled[T, R: str](found: T | None, relation: R | None, noun: str) -> tuple[T, R]:
    """The object and the caller's relation to it; no object or no relation is the same 404."""
    if found is None or relation is None:
        raise NotFound(f"No {noun} with that id")
    return found, relation


def owner_only(relation: str, detail: str) -> None:
    """An owner's action, asked by someone entitled to read the object: anyone but its owner gets 403."""
    if relation != "owner":
        raise Forbidden(detail)


def ward_filter(caller: Caller, ward: str | None) -> str | None:
    """The ward a staff list or count may cover: a ward officer's own (also when none is asked; another
    is 403), anyone else's as asked (None: city-wide)."""
    if caller.is_ward_officer:
        if ward is not None and ward != caller.ward:
            raise Forbidden("Ward officers see only their own ward")
        return caller.ward
    return ward
