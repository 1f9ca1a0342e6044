"""The survey over HTTP on the local stack (issue 18): the seeded city survey is open, a tourist answers
anonymously and a citizen signed in, staff read the live results and export the CSV; the seeded closed survey
shows results on a fresh stack."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import TokenFactory

SURVEYS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "surveys.json").read_text(encoding="utf-8")
)
CITY = next(s for s in SURVEYS if s["status"] == "open")
CLOSED = next(s for s in SURVEYS if s["status"] == "closed")


def test_a_tourist_and_a_citizen_answer_and_staff_read_results_and_csv(stack: str, token: TokenFactory) -> None:
    with httpx.Client(base_url=stack, timeout=30) as http:
        listed = http.get("/surveys")
        assert listed.status_code == 200
        assert listed.headers["cache-control"] == "public, max-age=60"
        assert CITY["id"] in [s["id"] for s in listed.json()["items"]]
        survey = http.get(f"/surveys/{CITY['id']}").json()
        assert len(survey["questions"]) >= 12

        staff = {"authorization": f"Bearer {token('+919800000100', ['staff'])}"}
        before = http.get(f"/admin/surveys/{CITY['id']}/results", headers=staff).json()["response_count"]

        tourist = http.post(
            f"/surveys/{CITY['id']}/responses",
            json={
                "respondent_type": "tourist",
                "device_id": str(uuid.uuid4()),
                "answers": {"q_clean_streets": 4, "q_roads": 3, "q_overall": 4, "q_recommend": 9,
                            "q_transport_used": ["metro", "app_cab"],
                            "q_improve_first": "+ more signs at Shaniwar Wada"},
            },
        )  # fmt: skip
        assert tourist.status_code == 201, tourist.text
        citizen = {"authorization": f"Bearer {token(f'+9195{uuid.uuid4().int % 10**8:08d}')}"}
        answers = {"q_clean_streets": 2, "q_water_supply": 3, "q_roads": 2, "q_overall": 3, "q_recommend": 6}
        body = {"respondent_type": "citizen", "device_id": str(uuid.uuid4()), "answers": answers}
        signed_in = http.post(f"/me/surveys/{CITY['id']}/responses", json=body, headers=citizen)
        assert signed_in.status_code == 201, signed_in.text
        again = http.post(f"/me/surveys/{CITY['id']}/responses", json=body, headers=citizen)
        assert (again.status_code, again.json()["code"]) == (409, "already_responded")
        assert http.post(f"/me/surveys/{CITY['id']}/responses", json=body).status_code == 401

        results = http.get(f"/admin/surveys/{CITY['id']}/results", headers=staff)
        assert results.status_code == 200
        counts = results.json()["response_count"]
        assert counts == {"all": before["all"] + 2, "citizen": before["citizen"] + 1, "tourist": before["tourist"] + 1}
        assert http.get(f"/admin/surveys/{CITY['id']}/results", headers=citizen).status_code == 403

        export = http.get(f"/admin/surveys/{CITY['id']}/export.csv", headers=staff)
        assert export.status_code == 200
        assert export.headers["content-type"] == "text/csv; charset=utf-8"
        assert export.headers["content-disposition"] == f'attachment; filename="{CITY["id"]}.csv"'
        assert export.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline="")))
        by_id = {r[0]: r for r in rows[1:]}
        header = rows[0]
        tourist_row = by_id[tourist.json()["id"]]
        assert tourist_row[header.index("q_transport_used")] == "metro|app_cab"
        assert tourist_row[header.index("q_improve_first")] == "'+ more signs at Shaniwar Wada"
        assert by_id[signed_in.json()["id"]][3] == "signed_in"


def test_the_seeded_closed_survey_shows_results_on_a_fresh_stack(stack: str, token: TokenFactory) -> None:
    staff = {"authorization": f"Bearer {token('+919800000100', ['staff'])}"}
    with httpx.Client(base_url=stack, timeout=30) as http:
        results = http.get(f"/admin/surveys/{CLOSED['id']}/results", headers=staff).json()
        assert results["response_count"]["all"] == len(CLOSED["responses"])
        closed = http.post(
            f"/surveys/{CLOSED['id']}/responses",
            json={"respondent_type": "citizen", "device_id": str(uuid.uuid4()), "answers": {}},
        )
        assert (closed.status_code, closed.json()["code"]) == (409, "survey_closed")
