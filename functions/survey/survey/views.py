"""What a reader sees of a survey (API.md 5.2): the full view and the list item, from the domain object."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pmc_common.views import shaped
from survey.domain import Survey
from survey.models import SurveyListItem, SurveyView


def survey(s: Survey) -> dict[str, Any]:
    return shaped(SurveyView, asdict(s))


def list_item(s: Survey) -> dict[str, Any]:
    return shaped(SurveyListItem, asdict(s), question_count=len(s.questions))
