"""Ward derivation from PMC's boundary and the 15 ward polygons (shapely, data/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmc_common.errors import Invalid

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def geography():  # type: ignore[no-untyped-def]
    from grievance.reference import geography

    return geography()


def test_every_ward_office_lies_in_its_own_ward(geography) -> None:  # type: ignore[no-untyped-def]
    offices = json.loads((DATA / "offices.json").read_text(encoding="utf-8"))
    ward_offices = [o for o in offices if o["type"] == "ward_office"]
    assert len(ward_offices) == 15
    for office in ward_offices:
        assert geography.ward_of(office["lat"], office["lng"]) == office["ward"], office["name"]["en"]


def test_kasba_peth_is_w07(geography) -> None:  # type: ignore[no-untyped-def]
    assert geography.ward_of(18.5196, 73.8553) == "W07"


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(19.0760, 72.8777), (18.60, 73.65), (18.5, 74.5), (0.0, 0.0)],  # Mumbai, west of Pune, east, null island
)
def test_points_outside_pmc_are_refused(geography, lat: float, lng: float) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as raised:
        geography.ward_of(lat, lng)
    assert raised.value.errors[0].message == "location is outside Pune Municipal Corporation limits"
