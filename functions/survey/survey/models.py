"""Request and response shapes of the survey routes (API.md 5.2-5.4)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from pmc_common.models import Bilingual, Body, View, bilingual_input

SurveyStatus = Literal["draft", "open", "closed"]
Audience = Literal["citizen", "tourist", "all"]
RespondentType = Literal["citizen", "tourist"]
QuestionType = Literal["rating", "nps", "single_choice", "multi_choice", "text"]
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
DeviceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{16,64}$")]

Title = bilingual_input(3, 200)
Description = bilingual_input(1, 1000)
QuestionText = bilingual_input(1, 500)
OptionText = bilingual_input(1, 200)

MAX_QUESTIONS = 100  # API.md 5.2; the counter layout keeps a response's transaction far under 100 items at it
MAX_OPTIONS = 20


class OptionBody(Body):
    id: QuestionId
    text: OptionText  # type: ignore[valid-type]


class QuestionBody(Body):
    id: QuestionId
    type: QuestionType
    audience: Audience = "all"
    required: bool = False
    min: StrictInt | None = None
    max: StrictInt | None = None
    # bounded here so a malformed definition costs little; 5.2's 2-20 rule is checked with the type
    options: Annotated[list[OptionBody], Field(default_factory=list, max_length=MAX_OPTIONS + 1)]
    text: QuestionText  # type: ignore[valid-type]


class SurveyCreate(Body):
    audience: Audience
    title: Title  # type: ignore[valid-type]
    description: Description  # type: ignore[valid-type]
    questions: Annotated[list[QuestionBody], Field(min_length=1, max_length=MAX_QUESTIONS)]


# An answer is checked against its question in survey.domain; the body only says what a value may be. A
# text answer's length is the question's to judge (a 50 KB answer is 422 at body.answers.<id>), within 256 KiB.
AnswerValue = StrictInt | str | list[str]


class ResponseBody(Body):
    respondent_type: RespondentType
    device_id: DeviceId
    answers: Annotated[dict[str, AnswerValue], Field(max_length=MAX_QUESTIONS)]


class OptionView(View):
    id: str
    text: Bilingual


class QuestionView(View):
    id: str
    type: QuestionType
    audience: Audience
    required: bool
    min: int | None
    max: int | None
    options: list[OptionView]
    text: Bilingual


class SurveyView(View):
    id: str
    status: SurveyStatus
    audience: Audience
    title: Bilingual
    description: Bilingual
    questions: list[QuestionView]
    created_at: str
    opened_at: str | None
    closed_at: str | None


class SurveyListItem(View):
    id: str
    status: SurveyStatus
    audience: Audience
    title: Bilingual
    description: Bilingual
    question_count: int
    created_at: str
    opened_at: str | None
    closed_at: str | None


class ResponseView(View):
    id: str
    survey_id: str
    respondent_type: RespondentType
    submitted_at: str


class ResponseCounts(View):
    all: int
    citizen: int
    tourist: int


class Tally(View):
    answered: int
    counts: dict[str, int]
    mean: float | None
    nps: float | None


class QuestionResults(View):
    id: str
    type: QuestionType
    all: Tally
    citizen: Tally
    tourist: Tally


class ResultsView(View):
    survey_id: str
    as_of: str
    response_count: ResponseCounts
    questions: list[QuestionResults]
