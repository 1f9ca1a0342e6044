"""Survey definitions (API.md 5.2): create a draft under a fresh id, find one by id, move it through the
lifecycle table (draft → open → closed, one way). Rules are survey.domain's; writes are survey.store's."""

from __future__ import annotations

from datetime import datetime

from pmc_common import ids
from pmc_common.dynamo import with_fresh_id
from pmc_common.errors import Conflict, NotFound
from survey import domain, store
from survey.domain import Survey
from survey.models import SurveyCreate

MOVE_ATTEMPTS = 3


def known(survey_id: str) -> Survey:
    """A survey by id in any status; a path id not of the format is as unknown as a missing one (1.2)."""
    found = store.get(survey_id) if ids.is_id("SUR", survey_id) else None
    if found is None:
        raise NotFound("No survey with that id")
    return found


def create(body: SurveyCreate, created_at: str) -> Survey:
    draft = domain.define(body, "SUR-00000000", created_at)  # 422 before an id is drawn
    return with_fresh_id(lambda: domain.replace_id(draft, ids.new_id("SUR")), store.create)


def move(survey_id: str, via: str, now: datetime) -> Survey:
    """Open or close: a same-status row answers the survey unchanged; a move is written on the version read,
    and read again when a concurrent move got there first (then its row decides)."""
    for _ in range(MOVE_ATTEMPTS):
        current = known(survey_id)
        move = domain.LIFECYCLE.apply(current, None, by="staff", via=via, given={}, now=now)
        if not move.rule.moves_status:
            return current
        if move.after.status == "open":
            store.prepare_counters(current)  # before any response can come: results then read a fixed set
        saved = store.save(current, move.after)
        if saved is not None:
            return saved
    raise Conflict("The survey kept changing; read it again", code="illegal_transition")
