"""Filing at a Citizen Facilitation Centre over HTTP on the local stack (issue 20): a clerk, with a token the
local issuer gives the cfc_clerk group and a CFC, files for a walk-in citizen; the citizen's own token (the
same number) sees it in their list; the SMS with its id reaches that number through the outbox and notifier."""

from __future__ import annotations

import uuid

import httpx

from tests.e2e.support import BODY, KASBA_CFC, TokenFactory, bearer, wait_for

KASBA_OFFICE_CFC = "OFF-BQ6WFEJC"


def test_a_clerk_files_for_a_walk_in_citizen_who_sees_it_and_gets_the_sms(stack: str, token: TokenFactory) -> None:
    phone_number = f"+9195{uuid.uuid4().int % 10**8:08d}"
    clerk = bearer(token("+919800002001", ["cfc_clerk"], office=KASBA_CFC))
    other_clerk = bearer(token("+919800002002", ["cfc_clerk"], office=KASBA_OFFICE_CFC))
    with httpx.Client(base_url=stack, timeout=30) as http:
        created = http.post("/cfc/grievances", json={**BODY, "citizen_phone_number": phone_number}, headers=clerk)
        assert created.status_code == 201, created.text
        g = created.json()
        assert created.headers["location"] == f"/cfc/grievances/{g['id']}"
        assert (g["office"]["id"], g["timeline"][0]["actor"]) == (KASBA_CFC, "cfc_clerk")

        citizen = bearer(token(phone_number))  # the walk-in citizen signs in with that number later
        mine = http.get("/me/grievances", headers=citizen)
        assert mine.status_code == 200, mine.text
        assert [(i["id"], i["relation"]) for i in mine.json()["items"]] == [(g["id"], "owner")]
        detail = http.get(f"/grievances/{g['id']}", headers=citizen).json()
        assert detail["timeline"][0]["office"] == g["office"]

        def texted() -> list[str]:
            items = http.get("/_local/sms").json()["items"]
            return [i["message"] for i in items if i["phone_number"] == phone_number and g["id"] in i["message"]]

        assert wait_for(texted) == [f"PMC CARE: आपली तक्रार {g['id']} - सद्यस्थिती: नोंदवली."]

        listed = http.get("/cfc/grievances", headers=clerk)
        assert listed.status_code == 200, listed.text
        assert g["id"] in [i["id"] for i in listed.json()["items"]]
        assert http.get(f"/cfc/grievances/{g['id']}", headers=clerk).status_code == 200
        refused = http.get(f"/cfc/grievances/{g['id']}", headers=other_clerk)  # another CFC's: 404
        assert (refused.status_code, refused.headers["content-type"]) == (404, "application/problem+json")
        assert g["id"] not in [i["id"] for i in http.get("/cfc/grievances", headers=other_clerk).json()["items"]]
        assert http.get("/cfc/grievances", headers=citizen).status_code == 403


def test_the_local_issuer_refuses_a_malformed_office(stack: str) -> None:
    reply = httpx.post(f"{stack}/_local/token", json={"phone_number": "+919800002003", "office": "W07"}, timeout=10)
    assert reply.status_code == 422
    assert [e["field"] for e in reply.json()["errors"]] == ["body.office"]
