"""Reference data bundled with the function (links to data/): categories, departments, ward polygons
and PMC's boundary. Loaded once per cold start, the geometry only when first needed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pmc_common.errors import Invalid

FOLDER = Path(__file__).with_name("reference")
OUTSIDE_PMC = "location is outside Pune Municipal Corporation limits"


def _read(name: str) -> Any:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Category:
    id: str
    name: dict[str, str]
    department_id: str
    sla_hours: int
    attributes: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def categories() -> dict[str, Category]:
    return {row["id"]: Category(**row) for row in _read("grievance_categories.json")}


def category(category_id: str) -> Category:
    found = categories().get(category_id)
    if found is None:
        raise Invalid.of("body.category", "unknown grievance category")
    return found


@cache
def departments() -> dict[str, dict[str, str]]:
    """Department id -> bilingual name."""
    return {row["id"]: row["name"] for row in _read("departments.json")}


@cache
def ward_names() -> dict[str, dict[str, str]]:
    return {
        f["properties"]["ward"]: {"en": f["properties"]["name_en"], "mr": f["properties"]["name_mr"]}
        for f in _read("wards.geojson")["features"]
    }


WARDS = tuple(f"W{n:02d}" for n in range(1, 16))


class Geography:
    """PMC's boundary and its 15 ward polygons (shapely, prepared for fast point tests)."""

    def __init__(self) -> None:
        from shapely import prepare
        from shapely.geometry import Point, shape

        self._point = Point
        self.boundary = shape(_read("pmc_boundary.geojson")["features"][0]["geometry"])
        self.wards = [(f["properties"]["ward"], shape(f["geometry"])) for f in _read("wards.geojson")["features"]]
        prepare(self.boundary)
        for _, polygon in self.wards:
            prepare(polygon)

    def ward_of(self, lat: float, lng: float) -> str:
        """The ward whose polygon holds the point, else the nearest ward; outside PMC is a 422."""
        point = self._point(lng, lat)
        if not self.boundary.covers(point):
            raise Invalid.of("body", OUTSIDE_PMC)
        for ward, polygon in self.wards:
            if polygon.covers(point):
                return str(ward)
        return str(min(self.wards, key=lambda item: item[1].distance(point))[0])


@cache
def geography() -> Geography:
    return Geography()
