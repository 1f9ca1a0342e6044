"""The Idempotency-Key header's form (API.md 1.10): 8-64 of [A-Za-z0-9_-], optional or required per route."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmc_common.errors import BadRequest
from pmc_common.idempotency import checked_key, replayed, stored

ALLOWED = string.ascii_letters + string.digits + "_-"


@pytest.mark.parametrize(
    "value", ["6f1c2b9e-3d4a-4e5f-8a7b-1c2d3e4f5a6b", "a" * 8, "Z" * 64, "retry_01-abc", "--------", "12345678"]
)
def test_a_well_formed_key_is_taken_as_sent(value: str) -> None:
    assert checked_key(value, required=False) == value
    assert checked_key(value, required=True) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a" * 7,
        "a" * 65,
        "has space1",
        "dot.in.key",
        "slash/1234",
        "plus+1234",
        "ünïcode-12",
        "key\n12345",
        " padded12",
    ],
)
@pytest.mark.parametrize("required", [False, True])
def test_a_malformed_key_is_a_400_whether_or_not_the_route_requires_one(value: str, required: bool) -> None:
    with pytest.raises(BadRequest) as raised:
        checked_key(value, required=required)
    assert raised.value.code == "idempotency_key_missing"
    assert value not in raised.value.detail or value == ""  # the detail never echoes what was sent


def test_no_key_is_fine_where_optional() -> None:
    assert checked_key(None, required=False) is None


def test_no_key_is_a_400_where_required() -> None:
    with pytest.raises(BadRequest) as raised:
        checked_key(None, required=True)
    assert raised.value.code == "idempotency_key_missing"
    assert raised.value.status == 400


@given(st.text(max_size=80))
def test_a_key_is_accepted_exactly_when_it_is_8_to_64_allowed_characters(value: str) -> None:
    well_formed = 8 <= len(value) <= 64 and all(c in ALLOWED for c in value)
    try:
        checked_key(value, required=True)
    except BadRequest:
        assert not well_formed
    else:
        assert well_formed


def test_a_kept_reply_replays_its_status_body_and_location_marked_as_replayed() -> None:
    from pmc_common.app import Response

    first = Response(
        '{"id":"GRV-2606-7K3M9Q","name":"कचरा"}'.encode(),
        201,
        headers={"Location": "/grievances/GRV-2606-7K3M9Q", "X-Request-Id": "r1", "Cache-Control": "no-store"},
        media_type="application/json",
    )
    kept = stored(first)
    assert set(kept["headers"]) == {"location", "content-type"}  # not the request's own id, nor house headers
    again = replayed(kept)
    assert (again.status_code, again.body) == (201, first.body)
    assert again.headers["location"] == "/grievances/GRV-2606-7K3M9Q"
    assert again.headers["content-type"] == "application/json"
    assert again.headers["idempotency-replayed"] == "true"
    assert int(again.headers["content-length"]) == len(first.body)
