"""The survey API (API.md section 5, issue 18) on DynamoDB Local through the template's routes: definitions
and their one-way lifecycle, answering in 5.3's order of checks, every bad input of the issue a 4xx naming the
field with nothing stored and the counters unchanged, one response per device and per citizen even when
concurrent, a burst of 200 responses counted exactly, results that read the same items whatever the number
of responses, and the CSV export."""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.dynamodb_local import DYNAMODB_LOCAL, MOTO
from pmc_common.clock import FixedClock
from tests.harness import ADMIN, STAFF, Api, Caller, Reply, fixed_clock

DATA = Path(__file__).resolve().parents[2] / "data"
PROBLEM = "application/problem+json"
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
WARD_OFFICER = Caller("+919800000107", ("ward_officer",), "W07")
PARALLEL_ONLY = pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO,
    reason="moto's TransactWriteItems is not thread-safe: parallel ones are not isolated",
)


def bi(text: str) -> dict[str, str]:
    return {"en": text, "mr": "मराठी " + text}


def definition(audience: str = "all") -> dict[str, Any]:
    choices = [{"id": "metro", "text": bi("Metro")}, {"id": "bus", "text": bi("PMPML bus")}]
    return {
        "audience": audience,
        "title": bi("Test survey"),
        "description": bi("A survey made by a test"),
        "questions": [
            {"id": "q_clean", "type": "rating", "audience": "all", "required": True, "text": bi("Clean?")},
            {"id": "q_nps", "type": "nps", "audience": "all", "required": False, "text": bi("Recommend?")},
            {"id": "q_water", "type": "single_choice", "audience": "citizen", "required": True,
             "options": [{"id": "good", "text": bi("Good")}, {"id": "bad", "text": bi("Bad")}], "text": bi("Water?")},
            {"id": "q_transport", "type": "multi_choice", "audience": "tourist", "required": False, "max": 2,
             "options": choices, "text": bi("Transport?")},
            {"id": "q_note", "type": "text", "audience": "all", "required": False, "text": bi("Anything else?")},
        ],
    }  # fmt: skip


def device() -> str:
    return str(uuid.uuid4())


def citizen() -> Caller:
    return Caller(f"+9197{uuid.uuid4().int % 10**8:08d}")


def assert_problem(reply: Reply, status: int, code: str | None = None, field: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == PROBLEM
    problem = reply.json()
    assert problem["status"] == status
    if code is not None:
        assert problem["code"] == code
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem


@pytest.fixture(scope="module")
def survey_seed(api: Api) -> None:
    from survey import seed

    seed.load(DATA)


@pytest.fixture
def clock(api: Api, survey_seed: None) -> Iterator[FixedClock]:
    yield from fixed_clock("survey", NOW)


def create(api: Api, body: dict[str, Any] | None = None) -> str:
    reply = api.request("POST", "/admin/surveys", json_body=body or definition(), caller=ADMIN)
    assert reply.status == 201, reply.body
    assert reply.headers["location"] == f"/surveys/{reply.json()['id']}"
    return str(reply.json()["id"])


def opened(api: Api, body: dict[str, Any] | None = None) -> str:
    survey_id = create(api, body)
    assert api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF).status == 200
    return survey_id


def answer(api: Api, survey_id: str, body: dict[str, Any], caller: Caller | None = None) -> Reply:
    path = f"/me/surveys/{survey_id}/responses" if caller else f"/surveys/{survey_id}/responses"
    return api.request("POST", path, json_body=body, caller=caller)


def tourist_body(**answers: Any) -> dict[str, Any]:
    return {"respondent_type": "tourist", "device_id": device(), "answers": {"q_clean": 4, **answers}}


def citizen_body(**answers: Any) -> dict[str, Any]:
    return {
        "respondent_type": "citizen",
        "device_id": device(),
        "answers": {"q_clean": 3, "q_water": "good", **answers},
    }


def results(api: Api, survey_id: str) -> dict[str, Any]:
    reply = api.get(f"/admin/surveys/{survey_id}/results", caller=STAFF)
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.json()
    body.pop("as_of")
    return body


def export(api: Api, survey_id: str) -> list[list[str]]:
    reply = api.get(f"/admin/surveys/{survey_id}/export.csv", caller=STAFF)
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.headers["content-disposition"] == f'attachment; filename="{survey_id}.csv"'
    assert reply.body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"), newline="")))


def stored(survey_id: str) -> int:
    from survey import store

    return store.response_count(survey_id)


# --- definitions ---------------------------------------------------------------------------------------


def test_admin_creates_a_draft_and_staff_open_and_close_it(api: Api, clock: FixedClock) -> None:
    survey_id = create(api)
    draft = api.get(f"/surveys/{survey_id}").json()
    assert (draft["status"], draft["opened_at"], draft["closed_at"]) == ("draft", None, None)
    assert [q["min"] for q in draft["questions"]] == [1, 0, None, 1, 1]
    assert_problem(api.request("POST", f"/admin/surveys/{survey_id}/close", caller=STAFF), 409, "survey_not_open")
    first = api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF)
    assert (first.status, first.json()["opened_at"]) == (200, "2026-12-01T06:00:00Z")
    again = api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF)
    assert again.json() == first.json()
    assert survey_id in [s["id"] for s in api.get("/surveys").json()["items"]]
    closed = api.request("POST", f"/admin/surveys/{survey_id}/close", caller=STAFF)
    assert closed.json()["status"] == "closed"
    assert api.request("POST", f"/admin/surveys/{survey_id}/close", caller=STAFF).json() == closed.json()
    assert_problem(api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF), 409, "survey_closed")
    assert survey_id not in [s["id"] for s in api.get("/surveys").json()["items"]]


def test_roles_on_definitions(api: Api, clock: FixedClock) -> None:
    before = api.get("/admin/surveys", caller=STAFF, query={"limit": 100}).json()["items"]
    assert_problem(api.request("POST", "/admin/surveys", json_body=definition(), caller=STAFF), 403)
    survey_id = create(api)
    assert_problem(api.request("POST", f"/admin/surveys/{survey_id}/open", caller=WARD_OFFICER), 403)
    assert api.get(f"/surveys/{survey_id}").json()["status"] == "draft"
    assert_problem(api.get("/admin/surveys", caller=citizen()), 403)
    after = api.get("/admin/surveys", caller=STAFF, query={"limit": 100}).json()["items"]
    assert len(after) == len(before) + 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"questions": []}, "body.questions"),
        ({"title": {"en": "ab", "mr": "अबक"}}, "body.title.en"),
        ({"status": "open"}, "body.status"),
        ({"questions": [{"id": "Q1", "type": "rating", "text": bi("x")}]}, "body.questions.0.id"),
        ({"questions": [{"id": "q_r", "type": "rating", "min": 4, "max": 2, "text": bi("x")}]}, "body.questions.0.max"),
        ({"questions": [{"id": "q_s", "type": "single_choice", "options": [], "text": bi("x")}]},
         "body.questions.0.options"),
        ({"audience": "citizen",
          "questions": [{"id": "q_t", "type": "rating", "audience": "tourist", "text": bi("x")}]},
         "body.questions.0.audience"),
    ],
)  # fmt: skip
def test_a_malformed_definition_is_422_naming_the_path_and_stores_nothing(
    api: Api, clock: FixedClock, change: dict[str, Any], field: str
) -> None:
    before = api.get("/admin/surveys", caller=STAFF, query={"limit": 100}).json()["items"]
    reply = api.request("POST", "/admin/surveys", json_body={**definition(), **change}, caller=ADMIN)
    assert_problem(reply, 422, field=field)
    assert api.get("/admin/surveys", caller=STAFF, query={"limit": 100}).json()["items"] == before


def test_the_staff_list_pages_newest_first_with_signed_cursors(api: Api, clock: FixedClock) -> None:
    create(api)
    first = api.get("/admin/surveys", caller=STAFF, query={"limit": 2}).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = api.get("/admin/surveys", caller=STAFF, query={"limit": 2, "cursor": first["next_cursor"]}).json()
    keys = [(s["created_at"], s["id"]) for s in first["items"] + second["items"]]
    assert keys == sorted(keys, reverse=True)
    assert_problem(api.get("/admin/surveys", caller=STAFF, query={"limit": 3, "cursor": first["next_cursor"]}), 400)


def test_unknown_and_malformed_ids_are_404(api: Api, clock: FixedClock) -> None:
    assert_problem(api.get("/surveys/SUR-00000000"), 404)
    assert_problem(api.get("/surveys/nonsense"), 404)
    assert_problem(api.get("/admin/surveys/SUR-00000000/results", caller=STAFF), 404)


# --- answering -----------------------------------------------------------------------------------------


def test_a_tourist_and_a_citizen_answer_and_results_count_them(api: Api, clock: FixedClock) -> None:
    survey_id = opened(api)
    tourist = answer(api, survey_id, tourist_body(q_transport=["metro", "bus"], q_nps=10))
    assert tourist.status == 201, tourist.body
    assert "location" not in tourist.headers
    assert tourist.json()["id"].startswith("RSP-")
    assert tourist.json()["submitted_at"] == "2026-12-01T06:00:00Z"
    signed_in = answer(api, survey_id, citizen_body(q_nps=3, q_note="=1+1 <b>not html</b>"), citizen())
    assert signed_in.status == 201, signed_in.body
    found = results(api, survey_id)
    assert found["response_count"] == {"all": 2, "citizen": 1, "tourist": 1}
    clean, nps, water, transport, note = found["questions"]
    assert clean["all"] == {"answered": 2, "counts": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 0}, "mean": 3.5, "nps": None}
    assert nps["all"]["nps"] == 0.0
    assert nps["tourist"]["nps"] == 100.0
    assert water["tourist"] == {"answered": 0, "counts": {"good": 0, "bad": 0}, "mean": None, "nps": None}
    assert transport["tourist"]["counts"] == {"metro": 1, "bus": 1}
    assert note["citizen"] == {"answered": 1, "counts": {}, "mean": None, "nps": None}
    rows = export(api, survey_id)
    assert rows[0] == ["response_id", "submitted_at", "respondent_type", "channel", "q_clean", "q_nps", "q_water",
                       "q_transport", "q_note"]  # fmt: skip
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[tourist.json()["id"]][2:] == ["tourist", "anonymous", "4", "10", "", "metro|bus", ""]
    assert by_id[signed_in.json()["id"]][2:] == ["citizen", "signed_in", "3", "3", "good", "", "'=1+1 <b>not html</b>"]


BAD_ANSWERS = [
    ("unknown question", citizen_body(q_nonsense=1), "body.answers.q_nonsense"),
    ("rating of 6", citizen_body(q_clean=6), "body.answers.q_clean"),
    ("option not offered", citizen_body(q_water="excellent"), "body.answers.q_water"),
    ("duplicate choices", tourist_body(q_transport=["metro", "metro"]), "body.answers.q_transport"),
    ("50 KB text", citizen_body(q_note="x" * 50_000), "body.answers.q_note"),
    ("missing required", {"respondent_type": "citizen", "device_id": device(), "answers": {"q_clean": 3}},
     "body.answers.q_water"),
    ("tourist-only as citizen", citizen_body(q_transport=["metro"]), "body.answers.q_transport"),
    ("float rating", citizen_body(q_clean=4.0), "body.answers.q_clean"),
    ("bad device id", {**citizen_body(), "device_id": "short"}, "body.device_id"),
    ("unknown field", {**citizen_body(), "ward": "W07"}, "body.ward"),
    ("bad respondent type", {**citizen_body(), "respondent_type": "resident"}, "body.respondent_type"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "field"), BAD_ANSWERS, ids=[b[0] for b in BAD_ANSWERS])
def test_a_bad_answer_is_422_naming_the_field_with_nothing_stored(
    api: Api, clock: FixedClock, name: str, body: dict[str, Any], field: str
) -> None:
    survey_id = opened(api)
    answer(api, survey_id, citizen_body(q_nps=8))
    before = results(api, survey_id)
    for caller in (None, citizen()):
        assert_problem(answer(api, survey_id, body, caller), 422, field=field)
    assert results(api, survey_id) == before
    assert stored(survey_id) == 1
    retry = answer(api, survey_id, citizen_body() | {"device_id": body["device_id"]})  # the device was not marked
    assert retry.status == (201 if body["device_id"] != "short" else 422)


def test_a_citizen_only_survey_refuses_tourists(api: Api, clock: FixedClock) -> None:
    survey_id = opened(api, {**definition("citizen"), "questions": definition()["questions"][:3]})
    assert_problem(answer(api, survey_id, tourist_body()), 422, field="body.respondent_type")
    assert stored(survey_id) == 0


def test_checks_run_in_5_3_order(api: Api, clock: FixedClock) -> None:
    draft = create(api)
    assert_problem(answer(api, "SUR-00000000", {"respondent_type": "x"}), 422, field="body.respondent_type")
    assert_problem(answer(api, "SUR-00000000", citizen_body(q_clean=6)), 404)
    assert_problem(answer(api, draft, citizen_body(q_clean=6)), 409, "survey_not_open")
    body = citizen_body()
    survey_id = opened(api)
    assert answer(api, survey_id, body).status == 201
    assert_problem(answer(api, survey_id, {**body, "answers": {"q_clean": 6}}), 422, field="body.answers.q_clean")
    assert_problem(answer(api, survey_id, body), 409, "already_responded")
    api.request("POST", f"/admin/surveys/{survey_id}/close", caller=STAFF)
    assert_problem(answer(api, survey_id, citizen_body()), 409, "survey_closed")
    assert stored(survey_id) == 1


def test_one_response_per_device_and_per_citizen(api: Api, clock: FixedClock) -> None:
    survey_id = opened(api)
    person = citizen()
    first = citizen_body()
    assert answer(api, survey_id, first, person).status == 201
    assert_problem(answer(api, survey_id, first), 409, "already_responded")  # same device, anonymous
    assert_problem(answer(api, survey_id, citizen_body(), person), 409, "already_responded")  # same citizen
    assert stored(survey_id) == 1
    assert results(api, survey_id)["response_count"]["all"] == 1


@PARALLEL_ONLY
def test_concurrent_duplicates_keep_one(api: Api, clock: FixedClock) -> None:
    survey_id = opened(api)
    body = citizen_body()
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: answer(api, survey_id, body), range(8)))
    assert [r.status for r in replies].count(201) == 1, [r.body for r in replies]
    for r in replies:
        if r.status != 201:
            assert_problem(r, 409, "already_responded")
    assert stored(survey_id) == 1
    assert results(api, survey_id)["response_count"]["all"] == 1


@PARALLEL_ONLY
def test_a_burst_of_200_responses_all_lands_and_counts_exactly(api: Api, clock: FixedClock) -> None:
    survey_id = opened(api)
    bodies = [
        citizen_body(q_clean=1 + i % 5, q_nps=i % 11) if i % 4 else tourist_body(q_clean=1 + i % 5, q_transport=["bus"])
        for i in range(200)
    ]
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda b: answer(api, survey_id, b), bodies))
    assert [r.status for r in replies] == [201] * 200, [r.body for r in replies if r.status != 201][:3]
    assert stored(survey_id) == 200
    found = results(api, survey_id)
    assert found["response_count"] == {"all": 200, "citizen": 150, "tourist": 50}
    assert found["questions"][0]["all"]["counts"] == {str(v): 40 for v in range(1, 6)}
    rows = export(api, survey_id)[1:]
    assert len(rows) == 200
    assert Counter(r[4] for r in rows) == Counter(str(1 + i % 5) for i in range(200))
    assert found["questions"][1]["citizen"]["answered"] == 150
    times = [(r[1], r[0]) for r in rows]
    assert times == sorted(times)


def test_results_read_the_same_items_at_any_number_of_responses(api: Api, clock: FixedClock) -> None:
    from survey import definitions, store

    survey_id = opened(api)
    survey = definitions.known(survey_id)
    _, none_read = store.counters(survey)
    for _ in range(12):
        assert answer(api, survey_id, citizen_body(q_nps=9)).status == 201
    _, read = store.counters(survey)
    assert none_read == read == 8 * 2 * 1  # every counter item exists from the open: shards × types × chunks


def test_seeded_closed_survey_has_results_and_an_export(api: Api, clock: FixedClock) -> None:
    import json

    seeded = next(s for s in json.loads((DATA / "surveys.json").read_text(encoding="utf-8")) if s["status"] == "closed")
    found = results(api, seeded["id"])
    assert found["response_count"]["all"] == len(seeded["responses"])
    rows = export(api, seeded["id"])
    assert [r[0] for r in rows[1:]] == [r["id"] for r in seeded["responses"]]
    assert not any("sample-device" in cell or "sample-citizen" in cell for row in rows for cell in row)
    listed = [s["id"] for s in api.get("/surveys").json()["items"]]
    assert seeded["id"] not in listed
    city = api.get("/surveys").json()["items"]
    assert any(s["question_count"] >= 12 for s in city)


ANSWER_VALUES = st.one_of(
    st.integers(-1, 12), st.sampled_from(["good", "bad", "metro", "bus", "nope"]),
    st.lists(st.sampled_from(["metro", "bus", "tram"]), max_size=3), st.text(max_size=3),
)  # fmt: skip
QUESTION_IDS = ["q_clean", "q_nps", "q_water", "q_transport", "q_note", "q_other"]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["citizen", "tourist"]),
            st.dictionaries(st.sampled_from(QUESTION_IDS), ANSWER_VALUES, max_size=5),
            st.booleans(),
            st.integers(0, 3),
        ),
        max_size=8,
    )
)
def test_stored_counters_equal_a_recount_of_stored_responses(
    api: Api, clock: FixedClock, attempts: list[tuple[str, dict[str, Any], bool, int]]
) -> None:
    """Any mix of accepted, refused and repeated answers: the counters DynamoDB holds are a recount of the
    responses it holds (read back through the export's reader)."""
    from survey import definitions, domain, store

    survey_id = opened(api)
    devices = [device() for _ in range(4)]
    assert answer(api, survey_id, tourist_body(q_transport=["bus"], q_nps=7)).status == 201  # never vacuous
    for respondent_type, answers, signed_in, which in attempts:
        body = {"respondent_type": respondent_type, "device_id": devices[which], "answers": answers}
        reply = answer(api, survey_id, body, citizen() if signed_in else None)
        assert reply.status in (201, 409, 422), reply.body
    survey = definitions.known(survey_id)
    by_type, _ = store.counters(survey)
    kept = {kind: {k: v for k, v in domain.summed(items).items() if v} for kind, items in by_type.items()}
    recount: dict[str, Counter[str]] = {"citizen": Counter(), "tourist": Counter()}
    stored_responses = list(store.responses(survey_id))
    for response in stored_responses:  # counted the slow way, independently of survey.domain.increments
        tally = recount[response["respondent_type"]]
        tally["responses"] += 1
        for qid, value in response["answers"].items():
            tally[f"a#{qid}"] += 1
            if isinstance(value, list):
                tally.update(f"v#{qid}#{option}" for option in value)
            elif qid != "q_note":  # text is counted as answered only
                tally[f"v#{qid}#{value}"] += 1
    assert kept == {kind: dict(c) for kind, c in recount.items()}
    assert 1 <= len(stored_responses) <= 1 + len(devices)
