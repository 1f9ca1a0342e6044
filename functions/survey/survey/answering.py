"""Answering a survey (API.md 5.3), the one implementation behind the anonymous and the signed-in route:
5.3's order of checks, then one transaction that stores the response, its one-per-device and
one-per-citizen markers and the counters it moves (survey.store.submit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pmc_common import ids
from pmc_common.clock import iso
from pmc_common.errors import Conflict
from survey import definitions, domain, store
from survey.models import ResponseBody


def response_id(at: datetime) -> str:
    return f"RSP-{ids.ulid(at)}"


def answer(survey_id: str, body: ResponseBody, sub: str | None, now: datetime) -> dict[str, Any]:
    """ResponseView of a stored response. The body's structure was checked by the route (422); then an
    unknown survey 404, a survey not open 409, the answers 422, a second response 409 `already_responded`."""
    survey = definitions.known(survey_id)
    domain.accepting(survey)
    submission = domain.check_answers(survey, body.respondent_type, body.answers)
    submitted_at = iso(now)
    outcome, stored_id = store.submit(
        survey,
        submission,
        response_id=response_id(now),
        submitted_at=submitted_at,
        channel="signed_in" if sub is not None else "anonymous",
        device_id=body.device_id,
        sub=sub,
        next_id=lambda: response_id(now),
    )
    if outcome == "already_responded":
        raise Conflict("This device or account has already answered this survey", code="already_responded")
    return {
        "id": stored_id,
        "survey_id": survey.id,
        "respondent_type": body.respondent_type,
        "submitted_at": submitted_at,
    }
