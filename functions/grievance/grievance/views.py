"""What a caller sees of one grievance (API.md 3.4): the detail view, shaped for their relation to it.

Builds replies from the domain, photos and reference data; decides nothing about access (grievance.access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from grievance import access, photos, reference
from grievance.access import Relation
from grievance.domain import Grievance
from grievance.models import GrievanceView, StaffDetails
from pmc_common.auth import Caller
from pmc_common.views import shaped

STAFF_ONLY_ENTRIES = frozenset({"assignee_changed", "internal_note"})  # timeline entries of the staff view
# Entries everyone sees whose note only the staff view shows: a re-routing's reason is the staff's working
# remark (it may name staff, and issue 15 gives the citizen the new department and ward, not the why); so is
# a moderation's reason (issue 20), which may describe what was hidden.
STAFF_ONLY_NOTES = frozenset({"rerouted", "photo_hidden", "photo_redacted", "description_edited"})


def names(g: Grievance) -> dict[str, dict[str, str]]:
    """The bilingual names beside a grievance's ward and department codes (issue 16)."""
    return {"ward_name": reference.ward_name(g.ward), "department_name": reference.department_name(g.department)}


def detail(
    g: Grievance, relation: Relation, caller: Caller, now: datetime, *, staff_view: bool | None = None
) -> dict[str, Any]:
    """GrievanceView: followers never see the owner's feedback; only staff of its ward see the staff
    details and the staff-only timeline entries (`staff_view=True`: the reply to a staff change, shown as
    the staff view even when that change moved it out of a ward officer's ward)."""
    staff_view = access.staff_view(g, caller) if staff_view is None else staff_view
    found = photos.stored(g.id)  # before and after photos from one read
    return shaped(
        GrievanceView,
        g,
        category_name=reference.category(g.category).name,
        **names(g),
        overdue=g.overdue(now),
        relation=relation,
        feedback=g.feedback if relation != "follower" else None,
        photos=photos.views(g.id, now, staff_view=staff_view, found=found),
        resolution_photos=photos.views(g.id, now, staff_view=staff_view, kind="resolution", found=found),
        moderation=list(g.moderation) if staff_view else None,
        timeline=timeline(g, staff_view),
        staff=shaped(StaffDetails, g) if staff_view else None,
    )


def timeline(g: Grievance, staff_view: bool) -> list[dict[str, Any]]:
    """The timeline as the caller may see it: all of it in the staff view; else without the staff-only
    entries, and with the staff-only notes blanked."""
    if staff_view:
        return list(g.timeline)
    return [
        {**e, "note": None} if e["type"] in STAFF_ONLY_NOTES else e
        for e in g.timeline
        if e["type"] not in STAFF_ONLY_ENTRIES
    ]
