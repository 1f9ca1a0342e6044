"""The survey's pure rules (API.md 5.2-5.5, issue 18): definition checks naming the path, the one-way
lifecycle, answer checks in 5.3's terms, counters that always equal a recount of the accepted responses
(hypothesis), mean and NPS as 5.4 defines them, and the CSV cells."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pmc_common.errors import Conflict, Invalid
from pmc_common.exports import csv_chunks
from survey import domain
from survey.domain import LIFECYCLE, Submission, Survey
from survey.models import SurveyCreate

DATA = Path(__file__).resolve().parents[2] / "data"
SURVEYS = json.loads((DATA / "surveys.json").read_text(encoding="utf-8"))
CITY: Survey = domain.survey_from(next(s for s in SURVEYS if s["status"] == "open"))
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def bi(text: str) -> dict[str, str]:
    return {"en": text, "mr": "मराठी " + text}


def question(qid: str = "q_one", qtype: str = "rating", **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": qtype, "text": bi("How is it?"), **extra}


def definition(*questions: dict[str, Any], audience: str = "all") -> dict[str, Any]:
    return {
        "audience": audience,
        "title": bi("City survey"),
        "description": bi("About the city"),
        "questions": list(questions) or [question()],
    }


def defined(body: dict[str, Any]) -> Survey:
    return domain.define(SurveyCreate.model_validate(body), "SUR-7M2K9Q4T", "2026-06-01T00:00:00Z")


def fields(error: Invalid) -> list[str]:
    return [e.field for e in error.errors]


# --- definitions ---------------------------------------------------------------------------------------


def test_a_definition_gets_5_2_defaults() -> None:
    survey = defined(
        definition(
            question("q_rate"),
            question("q_nps", "nps"),
            question("q_multi", "multi_choice", options=[{"id": "a", "text": bi("A")}, {"id": "b", "text": bi("B")}]),
            question("q_text", "text"),
        )
    )
    assert [(q.min, q.max) for q in survey.questions] == [(1, 5), (0, 10), (1, 2), (1, 1000)]
    assert survey.status == "draft"
    assert survey.questions[1].values() == tuple(str(v) for v in range(11))


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (question("q_r", min=3, max=3), "body.questions.1.max"),
        (question("q_r", max=11), "body.questions.1.max"),
        (question("q_r", min=-1), "body.questions.1.min"),
        (question("q_n", "nps", min=1), "body.questions.1.min"),
        (question("q_s", "single_choice", options=[{"id": "a", "text": bi("A")}]), "body.questions.1.options"),
        (
            question("q_s", "single_choice", options=[{"id": "a", "text": bi("A")}, {"id": "a", "text": bi("B")}]),
            "body.questions.1.options",
        ),
        (question("q_t", "text", max=2001), "body.questions.1.max"),
        (question("q_t", "text", options=[{"id": "a", "text": bi("A")}]), "body.questions.1.options"),
        (question("q_one"), "body.questions.1.id"),
        (
            question(
                "q_m", "multi_choice", max=3, options=[{"id": "a", "text": bi("A")}, {"id": "b", "text": bi("B")}]
            ),
            "body.questions.1.max",
        ),
    ],
)
def test_a_malformed_definition_names_the_path(bad: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        defined(definition(question(), bad))
    assert field in fields(raised.value)


def test_a_question_for_tourists_does_not_fit_a_citizen_survey() -> None:
    with pytest.raises(Invalid) as raised:
        defined(definition(question(audience="tourist"), audience="citizen"))
    assert fields(raised.value) == ["body.questions.0.audience"]


def test_the_body_shape_refuses_101_questions_and_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        SurveyCreate.model_validate(definition(*(question(f"q_{i}") for i in range(101))))
    with pytest.raises(ValidationError):
        SurveyCreate.model_validate({**definition(), "status": "open"})


# --- lifecycle -----------------------------------------------------------------------------------------


def test_open_and_close_go_one_way() -> None:
    draft = defined(definition())
    opened = LIFECYCLE.apply(draft, None, by="staff", via="open", given={}, now=NOW).after
    assert (opened.status, opened.opened_at) == ("open", "2026-12-01T06:00:00Z")
    assert not LIFECYCLE.apply(opened, None, by="staff", via="open", given={}, now=NOW).rule.moves_status
    closed = LIFECYCLE.apply(opened, None, by="staff", via="close", given={}, now=NOW).after
    assert closed.status == "closed"
    with pytest.raises(Conflict) as reopened:
        LIFECYCLE.apply(closed, None, by="staff", via="open", given={}, now=NOW)
    assert reopened.value.code == "survey_closed"
    with pytest.raises(Conflict) as early:
        LIFECYCLE.apply(draft, None, by="staff", via="close", given={}, now=NOW)
    assert early.value.code == "survey_not_open"


# --- answers -------------------------------------------------------------------------------------------

CITIZEN_ANSWERS: dict[str, Any] = {
    "q_clean_streets": 4,
    "q_water_supply": 2,
    "q_roads": 3,
    "q_overall": 3,
    "q_recommend": 9,
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"q_nonsense": 3}, "body.answers.q_nonsense"),
        ({"q_clean_streets": 6}, "body.answers.q_clean_streets"),
        ({"q_clean_streets": True}, "body.answers.q_clean_streets"),
        ({"q_waste_collection": "hourly"}, "body.answers.q_waste_collection"),
        ({"q_road_problems": ["potholes", "potholes"]}, "body.answers.q_road_problems"),
        (
            {"q_road_problems": ["potholes", "waterlogging", "traffic_jams", "dark_streetlights"]},
            "body.answers.q_road_problems",
        ),
        ({"q_road_problems": []}, "body.answers.q_road_problems"),
        ({"q_improve_first": "x" * 50_000}, "body.answers.q_improve_first"),
        ({"q_improve_first": "   "}, "body.answers.q_improve_first"),
        ({"q_improve_first": "ok\u202e"}, "body.answers.q_improve_first"),
        ({"q_tourist_signage": 4}, "body.answers.q_tourist_signage"),
        ({"q_recommend": 11}, "body.answers.q_recommend"),
    ],
)
def test_a_bad_answer_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        domain.check_answers(CITY, "citizen", {**CITIZEN_ANSWERS, **change})
    assert fields(raised.value) == [field]


def test_a_missing_required_answer_is_named_only_for_those_asked() -> None:
    answers = {k: v for k, v in CITIZEN_ANSWERS.items() if k != "q_water_supply"}
    with pytest.raises(Invalid) as raised:
        domain.check_answers(CITY, "citizen", answers)
    assert fields(raised.value) == ["body.answers.q_water_supply"]
    tourist = domain.check_answers(CITY, "tourist", answers)  # q_water_supply is for citizens only
    assert tourist.answers == answers


def test_text_is_stored_trimmed_and_order_follows_the_survey() -> None:
    accepted = domain.check_answers(CITY, "citizen", {"q_improve_first": "  Footpaths  ", **CITIZEN_ANSWERS})
    assert accepted.answers["q_improve_first"] == "Footpaths"
    assert list(accepted.answers) == [q.id for q in CITY.questions if q.id in accepted.answers]


def test_a_survey_for_citizens_refuses_tourists() -> None:
    for_citizens = defined(definition(audience="citizen"))
    with pytest.raises(Invalid) as raised:
        domain.check_answers(for_citizens, "tourist", {"q_one": 3})
    assert fields(raised.value) == ["body.respondent_type"]


def test_a_draft_or_closed_survey_takes_no_answers() -> None:
    draft = defined(definition())
    with pytest.raises(Conflict) as refused:
        domain.accepting(draft)
    assert refused.value.code == "survey_not_open"


# --- counters: always a recount of the accepted responses ------------------------------------------------


def answer_value(q: domain.Question) -> st.SearchStrategy[Any]:
    """Valid and invalid values alike: the counters must only ever see the accepted ones."""
    ids = [o.id for o in q.options] + ["not_offered"]
    return st.one_of(
        st.integers(-1, 12),
        st.sampled_from(ids),
        st.lists(st.sampled_from(ids), max_size=5),
        st.text(max_size=5),
        st.booleans(),
    )


@st.composite
def attempts(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    respondent_type = draw(st.sampled_from(["citizen", "tourist"]))
    chosen = draw(st.lists(st.sampled_from(CITY.questions), unique_by=lambda q: q.id, max_size=len(CITY.questions)))
    answers = {q.id: draw(answer_value(q)) for q in chosen}
    if draw(st.booleans()):  # mostly valid: fill the required ones with a valid value
        for q in CITY.questions:
            if q.required and q.meant_for(respondent_type):
                answers[q.id] = draw(st.integers(*q.bounds()))
    return respondent_type, answers


def recount(accepted: list[Submission]) -> dict[str, dict[str, int]]:
    """The counters from the stored responses themselves, the slow way."""
    by_type: dict[str, Counter[str]] = {"citizen": Counter(), "tourist": Counter()}
    for s in accepted:
        tally = by_type[s.respondent_type]
        tally["responses"] += 1
        for qid, value in s.answers.items():
            tally[f"a#{qid}"] += 1
            q = CITY.question(qid)
            assert q is not None
            if q.type == "multi_choice":
                assert isinstance(value, list)
                tally.update(f"v#{qid}#{one}" for one in value)
            elif q.type != "text":
                tally[f"v#{qid}#{value}"] += 1
    return {kind: dict(c) for kind, c in by_type.items()}


@settings(max_examples=60, deadline=None)
@given(st.lists(attempts(), max_size=25), st.lists(st.integers(0, domain.COUNTER_SHARDS - 1), min_size=25, max_size=25))
def test_counters_equal_a_recount_of_accepted_responses(
    tries: list[tuple[str, dict[str, Any]]], shards: list[int]
) -> None:
    items: dict[tuple[int, str, int], Counter[str]] = {}
    accepted: list[Submission] = []
    for (respondent_type, answers), shard in zip(tries, shards, strict=False):
        try:
            submission = domain.check_answers(CITY, respondent_type, answers)
        except Invalid:
            continue  # refused: nothing stored, nothing counted
        accepted.append(submission)
        for chunk, added in domain.increments(CITY, submission).items():
            assert chunk < domain.chunks(CITY)
            items.setdefault((shard, respondent_type, chunk), Counter()).update(added)
    by_type = {
        kind: domain.summed(dict(c) for (_, k, _), c in items.items() if k == kind) for kind in ("citizen", "tourist")
    }
    assert {k: {n: v for n, v in t.items() if v} for k, t in by_type.items()} == recount(accepted)
    result = domain.results(CITY, by_type, "2026-12-01T06:00:00Z")
    assert result["response_count"]["all"] == len(accepted)
    for q in CITY.questions:
        entry = next(r for r in result["questions"] if r["id"] == q.id)
        for kind in ("citizen", "tourist", "all"):
            values = [s.answers[q.id] for s in accepted if q.id in s.answers and kind in ("all", s.respondent_type)]
            assert entry[kind]["answered"] == len(values)
            if q.type == "rating":
                expected = round(sum(values) / len(values) + 1e-9, 2) if values else None
                assert entry[kind]["mean"] == expected
            if q.type == "nps":
                promoters = sum(v >= 9 for v in values)
                detractors = sum(v <= 6 for v in values)
                expected_nps = round((promoters - detractors) * 100 / len(values) + 1e-9, 1) if values else None
                assert entry[kind]["nps"] == expected_nps
            if q.type == "text":
                assert entry[kind]["counts"] == {}


def test_a_response_to_the_largest_survey_fits_one_transaction() -> None:
    largest = defined(definition(*(question(f"q_{i}") for i in range(100))))
    everything = domain.check_answers(largest, "citizen", {f"q_{i}": 3 for i in range(100)})
    counter_items = len(domain.increments(largest, everything))
    assert counter_items == 10
    assert 1 + 2 + counter_items <= domain.MAX_TRANSACTION_ITEMS <= 100


def test_mean_and_nps_follow_5_4() -> None:
    # 5.4's example counts: 440 / 120 = 3.666… → 3.67 (the example's "all" mean, 3.65, does not fit its
    # counts; its citizen and tourist means do)
    assert domain.mean_of({"1": 5, "2": 10, "3": 30, "4": 50, "5": 25}) == 3.67
    assert domain.mean_of({"1": 5, "2": 9, "3": 26, "4": 40, "5": 20}) == 3.61
    assert domain.mean_of({"1": 0, "2": 1, "3": 4, "4": 10, "5": 5}) == 3.95
    assert domain.mean_of({"1": 0, "2": 0}) is None
    # 3 promoters, 1 passive, 2 detractors of 6: 50.0 - 33.3 = 16.7
    assert domain.nps_of({"10": 2, "9": 1, "8": 1, "3": 2}) == 16.7
    assert domain.nps_of({"0": 1}) == -100.0


# --- CSV -----------------------------------------------------------------------------------------------


def test_csv_cells_are_guarded_and_rfc_4180() -> None:
    survey = defined(definition(question("q_t", "text")))
    rows = [
        domain.csv_row(
            survey,
            {"id": "RSP-1", "submitted_at": "t", "respondent_type": "citizen", "channel": "anonymous", "answers": a},
        )
        for a in ({"q_t": '=HYPERLINK("x")'}, {"q_t": '- a, "b"\r\n- c'}, {"q_t": "@SUM(1)"}, {})
    ]
    data = b"".join(csv_chunks(domain.csv_header(survey), rows, rows_per_chunk=2))
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["response_id", "submitted_at", "respondent_type", "channel", "q_t"]
    assert [r[4] for r in parsed[1:]] == ['\'=HYPERLINK("x")', '\'- a, "b"\r\n- c', "'@SUM(1)", ""]
    assert data.count(b"\r\n") >= 5


def test_the_lifecycle_in_docs_is_the_table() -> None:
    from pmc_common.lifecycle import with_generated

    text = (DATA.parent / "docs" / "survey-counters.md").read_text(encoding="utf-8")
    assert with_generated(text, "lifecycle", LIFECYCLE.document()) == text, (
        "docs/survey-counters.md is out of date: run .venv/bin/python tools/lifecycle_docs.py"
    )


def test_the_export_is_documented_as_csv_with_its_file_name() -> None:
    from survey.api import app  # defines the store's models (no request): the table name is the conftest's

    export = app.openapi()["paths"]["/admin/surveys/{survey_id}/export.csv"]["get"]["responses"]["200"]
    assert export["content"] == {"text/csv; charset=utf-8": {"schema": {"type": "string"}}}
    assert "Content-Disposition" in export["headers"]
