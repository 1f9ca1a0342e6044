"""GrievancesTable items of CFC filings (issue 20): which grievances a Citizen Facilitation Centre filed on which
IST day. Beside store.py, on its GrievanceItem model and connection; writes only with a grievance's creation.

Items (store.py lists the others):
- filing (`cfc#<office id>#<IST date>`, `<created_at>#<grievance id>`): `doc` = {"grievance_id"}; put in the
  transaction that creates the grievance (store.create's companions), never changed. Kept: a CFC's record of
  a day (a few hundred bytes each, tens of thousands a year), read only for the current day.
Access patterns: a clerk's list, newest first (one Query of the day's partition, then one BatchGetItem of
the page's grievances); may a clerk read this grievance (one GetItem of its filing key)."""

from __future__ import annotations

from datetime import date
from typing import Any

from grievance.domain import Grievance
from grievance.store import GRIEVANCE, GrievanceItem, _grievance

FILING = "cfc_filing"


def _key(office: str, day: date, g: Grievance) -> tuple[str, str]:
    return f"cfc#{office}#{day.isoformat()}", f"{g.created_at}#{g.id}"


def filing(office: str, day: date, g: Grievance) -> GrievanceItem:
    """The item saying the office filed `g` on `day`, for the creating transaction."""
    pk, sk = _key(office, day, g)
    return GrievanceItem(pk, sk, kind=FILING, doc={"grievance_id": g.id})


def filed(office: str, day: date, g: Grievance) -> bool:
    """Whether the office filed `g` on `day` (IST)."""
    try:
        GrievanceItem.get(*_key(office, day, g), consistent_read=True)
    except GrievanceItem.DoesNotExist:
        return False
    return True


def day_page(
    office: str, day: date, limit: int, start: dict[str, Any] | None
) -> tuple[list[Grievance], dict[str, Any] | None]:
    """The office's filings of one day, newest first, as the grievances are now."""
    result = GrievanceItem.query(
        f"cfc#{office}#{day.isoformat()}", scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    wanted = [str((item.doc or {})["grievance_id"]) for item in result]
    found = {item.pk: item for item in GrievanceItem.batch_get([(i, GRIEVANCE) for i in wanted])}
    return [_grievance(found[i]) for i in wanted if i in found], result.last_evaluated_key
