"""A create retried over HTTP on the local stack (API.md 1.10): the same Idempotency-Key and body replay the
first grievance, through the gateway's headers and the local DynamoDB's IdempotencyTable."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

TokenFactory = Callable[..., str]
BODY = {
    "category": "streetlight_not_working",
    "description": "The streetlight outside the Kasba Peth post office has been off for a week.",
    "lat": 18.5196,
    "lng": 73.8553,
}


def test_a_create_retried_over_http_files_one_grievance(stack: str, token: TokenFactory) -> None:
    headers = {"authorization": f"Bearer {token('+919800001301')}", "idempotency-key": str(uuid.uuid4())}
    with httpx.Client(base_url=stack, timeout=30) as http:
        first = http.post("/grievances", json=BODY, headers=headers)
        assert first.status_code == 201, first.text
        again = http.post("/grievances", json=BODY, headers=headers)
        other = http.post(
            "/grievances", json=BODY | {"description": "Another streetlight, near the temple."}, headers=headers
        )
        mine = http.get("/me/grievances", headers={"authorization": headers["authorization"]})

    assert again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["location"] == first.headers["location"]
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert [g["id"] for g in mine.json()["items"]] == [first.json()["id"]]
