"""Domain events of the survey service (source `pmc.survey`): a survey opening or closing, for consumers to come
(telling citizens a survey is open, closing its analysis). Pure: the store writes them to the outbox in the
move's own transaction, the relay publishes them. Never carries personal data; responses emit none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmc_common.clock import parse_iso
from pmc_common.outbox import DomainEvent

if TYPE_CHECKING:
    from survey.domain import Survey

SOURCE = "pmc.survey"
STATUS_CHANGED = "SurveyStatusChanged"


def emitted(before: Survey, after: Survey) -> list[DomainEvent]:
    """One event per status move (draft → open, open → closed), stamped with the move's time."""
    if before.status == after.status:
        return []
    at = after.closed_at if after.status == "closed" else after.opened_at
    assert at is not None
    detail = {"survey_id": after.id, "from_status": before.status, "to_status": after.status, "at": at}
    return [DomainEvent.of(SOURCE, STATUS_CHANGED, detail, parse_iso(at))]
