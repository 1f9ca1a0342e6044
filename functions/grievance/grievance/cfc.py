"""Citizen Facilitation Centres (issue 20): which offices are CFCs (data/offices.json), the clerk at one, the IST
day a clerk works in, and what a clerk sees of a grievance they filed. Reads reference data; never writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from grievance import reference
from grievance.domain import Grievance
from grievance.models import CfcGrievanceItem, CfcGrievanceView
from grievance.views import names, timeline
from pmc_common.app import Depends
from pmc_common.auth import Caller, CfcClerkCaller
from pmc_common.clock import ist_date
from pmc_common.errors import Forbidden
from pmc_common.views import shaped


@dataclass(frozen=True)
class Cfc:
    id: str
    name: dict[str, str]
    ward: str

    def as_ref(self) -> dict[str, Any]:
        """How a timeline entry and a view name it."""
        return {"id": self.id, "name": dict(self.name)}


@cache
def cfcs() -> dict[str, Cfc]:
    """The 42 CFCs of data/offices.json by office id (ward offices and the head office are not CFCs)."""
    rows = json.loads((reference.FOLDER / "offices.json").read_text(encoding="utf-8"))
    return {row["id"]: Cfc(row["id"], row["name"], row["ward"]) for row in rows if row["type"] == "cfc"}


@dataclass(frozen=True)
class Clerk:
    """A CFC clerk (pmc_common.auth: group `cfc_clerk`, an office in `custom:office`) and the CFC it names."""

    caller: Caller
    cfc: Cfc


def clerk(caller: CfcClerkCaller) -> Clerk:
    """The route's clerk: a token naming an office that is no CFC (a ward office, one since closed) is 403,
    like one naming none."""
    found = cfcs().get(caller.office or "")
    if found is None:
        raise Forbidden("The office on this clerk account is not a Citizen Facilitation Centre")
    return Clerk(caller, found)


ClerkAtCfc = Annotated[Clerk, Depends(clerk)]


def today(now: datetime) -> date:
    """A clerk's day: the IST date, from the injected clock (a CFC counter's day in Pune)."""
    return ist_date(now)


def office_of(g: Grievance) -> dict[str, Any] | None:
    """The CFC its `created` entry names; None for one not filed at a CFC."""
    created = g.timeline[0] if g.timeline else {}
    office = created.get("office")
    return dict(office) if isinstance(office, dict) else None


def view(g: Grievance, now: datetime) -> dict[str, Any]:
    """CfcGrievanceView: what was filed, for the citizen's slip; the timeline as the citizen sees it."""
    return shaped(
        CfcGrievanceView,
        g,
        category_name=reference.category(g.category).name,
        **names(g),
        overdue=g.overdue(now),
        office=office_of(g),
        citizen_phone_number=g.owner_phone_number,
        timeline=timeline(g, staff_view=False),
    )


def item(g: Grievance) -> dict[str, Any]:
    return shaped(
        CfcGrievanceItem,
        g,
        category_name=reference.category(g.category).name,
        ward_name=reference.ward_name(g.ward),
        citizen_phone_number=g.owner_phone_number,
    )
