"""Payments over HTTP on the local stack (issue 17): the stack seeds the sample records of data/, the quick
view is public and never cached, a citizen links a property and reads its dues."""

from __future__ import annotations

import uuid

import httpx

from tests.e2e.conftest import TokenFactory


def test_the_local_stack_serves_seeded_records_and_links(stack: str, token: TokenFactory) -> None:
    with httpx.Client(base_url=stack, timeout=30) as http:
        quick = http.get("/properties/PMC-W07-000001")
        assert quick.status_code == 200
        assert quick.headers["cache-control"] == "no-store"
        assert quick.json()["owner_name_masked"] == "R***** K*******"
        assert http.get("/water-connections/WC-1000001").json()["connection_type"] == "domestic"
        assert http.get("/properties/PMC-W07-999999").status_code == 404

        citizen = {"authorization": f"Bearer {token(f'+9196{uuid.uuid4().int % 10**8:08d}')}"}
        assert http.get("/me/properties", headers=citizen).json() == {"items": [], "next_cursor": None}
        linked = http.post(
            "/me/properties",
            json={"property_id": "PMC-W07-000001", "owner_name": "ramesh  KULKARNI"},
            headers=citizen,
        )
        assert linked.status_code == 201
        dues = http.get(linked.headers["location"], headers=citizen)
        assert dues.status_code == 200
        assert dues.json()["total_paise"] == quick.json()["outstanding_paise"]
        assert http.post("/me/properties", json={}, headers=citizen).status_code == 422
        assert http.get("/me/properties/PMC-W07-000001/dues").status_code == 401  # the gateway's check
