"""The survey's rules (API.md 5.2-5.4), pure: a definition's checks and defaults, the draft → open → closed
table, an answer's checks in 5.3's order, the counters one response moves, and results from summed counters.

No I/O and no clock: times are given. The counter layout (docs/survey-counters.md) is decided here so that
the store only writes what this module says and the results are a function of the counters alone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from pmc_common.clock import iso
from pmc_common.errors import Conflict, FieldError, Invalid
from pmc_common.lifecycle import Effect, Lifecycle, Refusal, Rule
from pmc_common.models import plain_text
from survey.models import MAX_OPTIONS, MAX_QUESTIONS, SurveyCreate

RESPONDENT_TYPES = ("citizen", "tourist")
CHOICE_TYPES = ("single_choice", "multi_choice")
SCALE_TYPES = ("rating", "nps")
TEXT_MAX = 2000

# --- counter layout (docs/survey-counters.md) ---------------------------------------------------------
# A response adds to the counter items of its shard and respondent type: one item per chunk of
# QUESTIONS_PER_COUNTER questions, so a response's transaction holds at most
#   1 response + 1 device marker + 1 citizen marker + ceil(MAX_QUESTIONS / QUESTIONS_PER_COUNTER) counters
# = 13 items, far under DynamoDB's 100 (checked below), and a counter item stays a few KB (a chunk of 10
# questions of 20 options is ~210 numbers). COUNTER_SHARDS items of each chunk and type take a burst in
# parallel; the results read COUNTER_SHARDS × 2 × chunks items, whatever the number of responses.
COUNTER_SHARDS = 8
QUESTIONS_PER_COUNTER = 10
MAX_CHUNKS = -(-MAX_QUESTIONS // QUESTIONS_PER_COUNTER)
MAX_TRANSACTION_ITEMS = 3 + MAX_CHUNKS
assert MAX_TRANSACTION_ITEMS <= 100, "a response must fit one DynamoDB transaction"
RESPONSES = "responses"  # the count of responses, kept in chunk 0's item


@dataclass(frozen=True)
class Option:
    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    audience: str
    required: bool
    min: int | None
    max: int | None
    options: tuple[Option, ...]
    text: dict[str, str]

    def bounds(self) -> tuple[int, int]:
        """min and max of a scale, a multi-choice count or a text length (set by `define`)."""
        if self.min is None or self.max is None:
            raise ValueError(f"question {self.id} has no bounds")
        return self.min, self.max

    def meant_for(self, respondent_type: str) -> bool:
        return self.audience in ("all", respondent_type)

    def values(self) -> tuple[str, ...]:
        """The keys of `counts` in the results (API.md 5.4): every scale value or option id; none for text."""
        if self.type in SCALE_TYPES:
            low, high = self.bounds()
            return tuple(str(v) for v in range(low, high + 1))
        return tuple(o.id for o in self.options)


@dataclass(frozen=True)
class Survey:
    id: str
    status: str
    audience: str
    title: dict[str, str]
    description: dict[str, str]
    questions: tuple[Question, ...]
    created_at: str
    opened_at: str | None = None
    closed_at: str | None = None
    version: int = 0

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def fits(self, respondent_type: str) -> bool:
        return self.audience in ("all", respondent_type)


def survey_from(doc: Mapping[str, Any]) -> Survey:
    """A survey from its stored or seeded document (fields of Survey; others, as `sample`, ignored)."""
    questions = tuple(Question(**{**q, "options": tuple(Option(**o) for o in q["options"])}) for q in doc["questions"])
    names = ("id", "status", "audience", "title", "description", "created_at", "opened_at", "closed_at", "version")
    return Survey(**{k: doc[k] for k in names if k in doc}, questions=questions)


# --- definitions (5.2) ---------------------------------------------------------------------------------


def _bilingual(part: Any) -> dict[str, str]:
    """A checked `{"en", "mr"}` body part (pmc_common.models.bilingual_input) as a plain dict."""
    return {"en": part.en, "mr": part.mr}


def define(body: SurveyCreate, survey_id: str, created_at: str) -> Survey:
    """A draft from a create body whose shape pydantic checked: 5.2's rules across fields, each failure
    named by its path (`body.questions.3.options`), every one reported at once; defaults filled in."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    questions: list[Question] = []
    for index, q in enumerate(body.questions):
        at = f"body.questions.{index}"

        def fail(name: str, message: str, at: str = at) -> None:
            errors.append(FieldError(f"{at}.{name}" if name else at, message))

        if q.id in seen:
            fail("id", "duplicates another question's id")
        seen.add(q.id)
        if q.audience != "all" and body.audience not in ("all", q.audience):
            fail("audience", f"does not fit the survey's audience {body.audience}")
        low, high = q.min, q.max
        if q.type in CHOICE_TYPES:
            ids = [o.id for o in q.options]
            if not 2 <= len(ids) <= MAX_OPTIONS:
                fail("options", f"must hold 2 to {MAX_OPTIONS} options")
            elif len(set(ids)) != len(ids):
                fail("options", "option ids must be unique")
        elif q.options:
            fail("options", f"must be empty for a {q.type} question")
        if q.type == "rating":
            low, high = (1 if low is None else low), (5 if high is None else high)
            if low < 0:
                fail("min", "must be at least 0")
            if high > 10:
                fail("max", "must be at most 10")
            if low >= high:
                fail("max", "must be greater than min")
        elif q.type == "nps":
            if low not in (None, 0):
                fail("min", "is fixed at 0 for nps")
            if high not in (None, 10):
                fail("max", "is fixed at 10 for nps")
            low, high = 0, 10
        elif q.type == "single_choice":
            if low is not None:
                fail("min", "must be null for single_choice")
            if high is not None:
                fail("max", "must be null for single_choice")
        elif q.type == "multi_choice":
            count = len(q.options)
            low, high = (1 if low is None else low), (count if high is None else high)
            if low < 1:
                fail("min", "must be at least 1")
            if high > count:
                fail("max", "must be at most the number of options")
            if low > high:
                fail("max", "must not be less than min")
        else:  # text
            low, high = (1 if low is None else low), (1000 if high is None else high)
            if low < 1:
                fail("min", "must be at least 1")
            if high > TEXT_MAX:
                fail("max", f"must be at most {TEXT_MAX}")
            if low > high:
                fail("max", "must not be less than min")
        options = tuple(Option(o.id, _bilingual(o.text)) for o in q.options)
        questions.append(Question(q.id, q.type, q.audience, q.required, low, high, options, _bilingual(q.text)))
    if errors:
        count = len(errors)
        raise Invalid(detail=f"{count} field{'s are' if count != 1 else ' is'} invalid", errors=errors)
    return Survey(
        id=survey_id,
        status="draft",
        audience=body.audience,
        title=_bilingual(body.title),
        description=_bilingual(body.description),
        questions=tuple(questions),
        created_at=created_at,
    )


# --- lifecycle (5.2): draft → open → closed, one way ----------------------------------------------------

STAFF = frozenset({"staff"})
LIFECYCLE: Lifecycle[Survey] = Lifecycle(
    ("draft", "open", "closed"),
    [
        Rule("open", "draft", "open", STAFF, sets={"opened_at": Effect("now", lambda s, g, now: iso(now))}),
        Rule("open", "open", "open", STAFF),  # 200 unchanged
        Rule("close", "open", "closed", STAFF, sets={"closed_at": Effect("now", lambda s, g, now: iso(now))}),
        Rule("close", "closed", "closed", STAFF),  # 200 unchanged
    ],
    refusals={
        "open": Refusal("survey_closed", "The survey is closed; it cannot open again"),
        "close": Refusal("survey_not_open", "The survey is not open yet"),
    },
    initial=("draft", "admin"),
    final=("closed",),
)


# --- answering (5.3) --------------------------------------------------------------------------------


def accepting(survey: Survey) -> None:
    """5.3's third check: only an open survey takes answers (409 `survey_not_open`, `survey_closed`)."""
    if survey.status == "draft":
        raise Conflict("The survey is not open yet", code="survey_not_open")
    if survey.status == "closed":
        raise Conflict("The survey is closed", code="survey_closed")


@dataclass(frozen=True)
class Submission:
    """An accepted response's content: answers checked and normalised (text trimmed)."""

    respondent_type: str
    answers: dict[str, int | str | list[str]] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _answer_problem(q: Question, value: Any) -> tuple[str | None, Any]:
    """(why the value is refused or None, the value as stored)."""
    if q.type in SCALE_TYPES:
        low, high = q.bounds()
        if not _is_int(value):
            return "must be an integer", value
        if not low <= value <= high:
            return f"must be between {low} and {high}", value
        return None, value
    offered = {o.id for o in q.options}
    if q.type == "single_choice":
        if not isinstance(value, str):
            return "must be one option id", value
        return (None if value in offered else "is not an option of this question"), value
    if q.type == "multi_choice":
        low, high = q.bounds()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a list of option ids", value
        if any(v not in offered for v in value):
            return "holds an option not offered", value
        if len(set(value)) != len(value):
            return "holds a choice twice", value
        if not low <= len(value) <= high:
            return f"must hold {low} to {high} choices", value
        return None, list(value)
    # text: trimmed, plain, its length in code points
    low, high = q.bounds()
    if not isinstance(value, str):
        return "must be a string", value
    trimmed = value.strip()
    if not low <= len(trimmed) <= high:
        return f"must be {low} to {high} characters", value
    try:
        plain_text(trimmed)
    except ValueError as exc:
        return str(exc), value
    return None, trimmed


def check_answers(survey: Survey, respondent_type: str, answers: Mapping[str, Any]) -> Submission:
    """The answers step of 5.3 (the survey is known and open): the respondent type fits the survey, every
    answer is to a question of this survey meant for this type and valid for it, every required question
    meant for this type is answered. Every problem at once, each at `body.answers.<question_id>`."""
    if not survey.fits(respondent_type):
        raise Invalid.of("body.respondent_type", f"this survey is for {survey.audience} respondents")
    errors: list[FieldError] = []
    kept: dict[str, int | str | list[str]] = {}
    for question_id, value in answers.items():
        at = f"body.answers.{question_id[:40]}"
        q = survey.question(question_id)
        if q is None:
            errors.append(FieldError(at, "is not a question of this survey"))
            continue
        if not q.meant_for(respondent_type):
            errors.append(FieldError(at, f"is not asked of {respondent_type} respondents"))
            continue
        problem, stored = _answer_problem(q, value)
        if problem is not None:
            errors.append(FieldError(at, problem))
        else:
            kept[question_id] = stored
    for q in survey.questions:
        if q.required and q.meant_for(respondent_type) and q.id not in answers:
            errors.append(FieldError(f"body.answers.{q.id}", "is required"))
    if errors:
        count = len(errors)
        raise Invalid(detail=f"{count} field{'s are' if count != 1 else ' is'} invalid", errors=errors)
    ordered = {q.id: kept[q.id] for q in survey.questions if q.id in kept}
    return Submission(respondent_type, ordered)


# --- counters ------------------------------------------------------------------------------------------


def shard_of(response_id: str) -> int:
    """The counter shard of a response: a stable hash of its id, so retries after a conflict with a new id
    spread over the shards."""
    return hashlib.sha256(response_id.encode()).digest()[0] % COUNTER_SHARDS


def chunk_of(survey: Survey, question_id: str) -> int:
    index = next(i for i, q in enumerate(survey.questions) if q.id == question_id)
    return index // QUESTIONS_PER_COUNTER


def chunks(survey: Survey) -> int:
    return max(1, -(-len(survey.questions) // QUESTIONS_PER_COUNTER))


def answered_key(question_id: str) -> str:
    return f"a#{question_id}"


def value_key(question_id: str, value: str) -> str:
    return f"v#{question_id}#{value}"


def increments(survey: Survey, submission: Submission) -> dict[int, dict[str, int]]:
    """What one accepted response adds, by chunk: the response count (chunk 0), and per answered question
    its answered count and the count of its value or each chosen option. Text counts as answered only."""
    added: dict[int, dict[str, int]] = {0: {RESPONSES: 1}}
    for question_id, value in submission.answers.items():
        q = survey.question(question_id)
        assert q is not None
        into = added.setdefault(chunk_of(survey, question_id), {})
        into[answered_key(question_id)] = 1
        if q.type in (*SCALE_TYPES, "single_choice"):
            into[value_key(question_id, str(value))] = 1
        elif q.type == "multi_choice":
            assert isinstance(value, list)
            for option in value:
                into[value_key(question_id, option)] = 1
    return added


def summed(items: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Counter items of one respondent type (every shard and chunk) as one tally: their keys never overlap
    across chunks and add up across shards."""
    total: dict[str, int] = {}
    for item in items:
        for key, value in item.items():
            total[key] = total.get(key, 0) + int(value)
    return total


# --- results (5.4) -------------------------------------------------------------------------------------


def _rounded(value: Fraction, places: int) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def mean_of(counts: Mapping[str, int]) -> float | None:
    """Mean of a rating's answers, 2 decimals (half up); None when nobody answered."""
    answered = sum(counts.values())
    if answered == 0:
        return None
    return _rounded(Fraction(sum(int(v) * n for v, n in counts.items()), answered), 2)


def nps_of(counts: Mapping[str, int]) -> float | None:
    """% promoters (9-10) − % detractors (0-6) of those answering, 1 decimal (half up); None when none."""
    answered = sum(counts.values())
    if answered == 0:
        return None
    promoters = sum(n for v, n in counts.items() if int(v) >= 9)
    detractors = sum(n for v, n in counts.items() if int(v) <= 6)
    return _rounded(Fraction(100 * (promoters - detractors), answered), 1)


def _tally(q: Question, counters: Mapping[str, int]) -> dict[str, Any]:
    counts = {value: counters.get(value_key(q.id, value), 0) for value in q.values()}
    return {
        "answered": counters.get(answered_key(q.id), 0),
        "counts": counts,
        "mean": mean_of(counts) if q.type == "rating" else None,
        "nps": nps_of(counts) if q.type == "nps" else None,
    }


def results(survey: Survey, by_type: Mapping[str, Mapping[str, int]], as_of: str) -> dict[str, Any]:
    """ResultsView from the summed counters of each respondent type; `all` is their sum."""
    citizen, tourist = by_type.get("citizen", {}), by_type.get("tourist", {})
    everyone = summed([citizen, tourist])
    return {
        "survey_id": survey.id,
        "as_of": as_of,
        "response_count": {
            "all": everyone.get(RESPONSES, 0),
            "citizen": citizen.get(RESPONSES, 0),
            "tourist": tourist.get(RESPONSES, 0),
        },
        "questions": [
            {
                "id": q.id,
                "type": q.type,
                "all": _tally(q, everyone),
                "citizen": _tally(q, citizen),
                "tourist": _tally(q, tourist),
            }
            for q in survey.questions
        ],
    }


# --- CSV export (5.5) ----------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """One cell's text: multi-choice joined with `|`, unanswered empty (pmc_common.exports guards formulas)."""
    if value is None:
        return ""
    return "|".join(value) if isinstance(value, list) else str(value)


def csv_header(survey: Survey) -> list[str]:
    return ["response_id", "submitted_at", "respondent_type", "channel", *(q.id for q in survey.questions)]


def csv_row(survey: Survey, response: Mapping[str, Any]) -> list[str]:
    answers: Mapping[str, Any] = response["answers"]
    fixed = [response["id"], response["submitted_at"], response["respondent_type"], response["channel"]]
    return [csv_cell(v) for v in fixed] + [csv_cell(answers.get(q.id)) for q in survey.questions]


def replace_id(survey: Survey, survey_id: str) -> Survey:
    return replace(survey, id=survey_id)
