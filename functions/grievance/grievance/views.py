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


def names(g: Grievance) -> dict[str, dict[str, str]]:
    """The bilingual names beside a grievance's ward and department codes (issue 16)."""
    return {"ward_name": reference.ward_name(g.ward), "department_name": reference.department_name(g.department)}


def detail(g: Grievance, relation: Relation, caller: Caller, now: datetime) -> dict[str, Any]:
    """GrievanceView: followers never see the owner's feedback; only staff of its ward see the staff
    details and the staff-only timeline entries."""
    staff_view = access.staff_view(g, caller)
    return shaped(
        GrievanceView,
        g,
        category_name=reference.category(g.category).name,
        **names(g),
        overdue=g.overdue(now),
        relation=relation,
        feedback=g.feedback if relation != "follower" else None,
        photos=photos.views(g.id, now),
        timeline=[e for e in g.timeline if staff_view or e["type"] not in STAFF_ONLY_ENTRIES],
        staff=shaped(StaffDetails, g) if staff_view else None,
    )
