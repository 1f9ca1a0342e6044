"""Who may do what to a grievance (API.md 1.5, 3.1, 3.4–3.8): every route that takes a grievance id gets
the grievance here, by the kind of thing it does, so no route can forget a check.

Reads the grievance and the caller's follower item; never writes. Raises NotFound, Forbidden or Conflict."""

from __future__ import annotations

from datetime import date
from typing import Literal

from grievance import cfc_store, store
from grievance.domain import Grievance
from pmc_common import access, ids
from pmc_common.auth import Caller
from pmc_common.errors import Conflict, NotFound

Relation = Literal["owner", "follower", "staff"]
NOUN = "grievance"
ward_filter = access.ward_filter  # staff lists and counts (API.md 3.8): a ward officer's own ward


def _stored(grievance_id: str) -> Grievance | None:
    """A path id not of the grievance format is as unknown as a missing one (API.md 1.2), and never read."""
    return store.get(grievance_id) if ids.GRIEVANCE_ID.match(grievance_id) else None


def relation(g: Grievance, caller: Caller) -> Relation | None:
    """The first that applies (API.md 3.4): owner, follower, staff of its ward; None for anyone else."""
    if access.owns(caller, g.owner_sub):
        return "owner"
    if store.is_follower(g.id, caller.sub):
        return "follower"
    if access.staffs(caller, g.ward):
        return "staff"
    return None


def staff_view(g: Grievance, caller: Caller) -> bool:
    """Staff of its ward see the staff view (staff details, assignee changes, internal notes), whatever
    else they are to it."""
    return access.staffs(caller, g.ward)


def readable(grievance_id: str, caller: Caller) -> tuple[Grievance, Relation]:
    """Reading (GET): its owner, followers and staff of its ward; anyone else 404."""
    g = _stored(grievance_id)
    return access.entitled(g, relation(g, caller) if g else None, NOUN)


def owned(grievance_id: str, caller: Caller) -> Grievance:
    """An owner's action (photos, feedback, reopen): followers and staff 403, anyone else 404."""
    g, as_reader = readable(grievance_id, caller)
    access.owner_only(as_reader, "Only the citizen who logged this grievance may do this")
    return g


def staffed(grievance_id: str, caller: Caller) -> tuple[Grievance, Relation]:
    """A staff action (PATCH): staff of its ward; a ward officer of another ward 404, as for an unknown id.
    The relation is the reply's: a staff member may also own or follow it."""
    found = _stored(grievance_id)
    g, _ = access.entitled(found, "staff" if found and access.staffs(caller, found.ward) else None, NOUN)
    return g, relation(g, caller) or "staff"


def followable(grievance_id: str, caller: Caller) -> Grievance:
    """Following (API.md 3.6): any citizen, by id, while it is open. Its owner 409 `is_owner`; once it
    is not open, 409 `grievance_not_open` for those who can read it and 404 for anyone else."""
    g = known(grievance_id)
    if access.owns(caller, g.owner_sub):
        raise Conflict("You logged this grievance; you follow it already", code="is_owner")
    if not g.is_open:
        access.entitled(g, relation(g, caller), NOUN)
        raise Conflict("Only an open grievance can be followed", code="grievance_not_open")
    return g


def filed_at_cfc(grievance_id: str, office: str, day: date) -> Grievance:
    """A CFC clerk's read (issue 20): a grievance their CFC filed on this IST day; another CFC's, another day's,
    one filed elsewhere: 404, as for an unknown id (API.md 1.5)."""
    g = _stored(grievance_id)
    found, _ = access.entitled(g, "cfc_clerk" if g and cfc_store.filed(office, day, g) else None, NOUN)
    return found


def known(grievance_id: str) -> Grievance:
    """Unfollowing: any grievance by id, whoever asks (not following it is a 404 of its own)."""
    g = _stored(grievance_id)
    if g is None:
        raise NotFound(f"No {NOUN} with that id")
    return g
