"""The 15 wards as data (GET /wards, GET /wards/{ward}; issue 16): code, bilingual name and boundary from
the ward polygons bundled with the function (links to data/), the ward office from LookupTable's offices.

The phone-sized boundary is made at build time (data/tools/simplify_wards.py, checked by check_data.py):
nothing here simplifies geometry or imports shapely. Pure: the route reads the offices, this decides."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from lookup import domain

FOLDER = Path(__file__).with_name("reference")
Detail = Literal["simplified", "full"]
FILES: dict[str, str] = {"simplified": "wards_simplified.geojson", "full": "wards.geojson"}


@dataclass(frozen=True)
class Ward:
    code: str
    name: dict[str, str]
    boundary: dict[str, Any]  # a GeoJSON Polygon or MultiPolygon geometry, [lng, lat] pairs


@cache
def wards(detail: Detail) -> dict[str, Ward]:
    """Code -> ward, W01..W15 in order, with the boundary at that detail."""
    collection = json.loads((FOLDER / FILES[detail]).read_text(encoding="utf-8"))
    found = [
        Ward(
            str(f["properties"]["ward"]),
            {"en": f["properties"]["name_en"], "mr": f["properties"]["name_mr"]},
            f["geometry"],
        )
        for f in collection["features"]
    ]
    return {w.code: w for w in sorted(found, key=lambda w: w.code)}


def offices_by_ward(offices: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each ward's ward office (type `ward_office`): the first in the offices route's order if an admin
    added a second; a ward whose office was deleted has none."""
    found: dict[str, dict[str, Any]] = {}
    for office in sorted(offices, key=domain.offices_order):
        if office["type"] == "ward_office" and office["ward"] is not None:
            found.setdefault(office["ward"], office)
    return found


def load() -> None:
    """Both files, now: at the function's init rather than on a first request (and in SnapStart's snapshot)."""
    for detail in FILES:
        wards(detail)  # type: ignore[arg-type]
