"""Reference data bundled with the function (links to data/): categories, departments, ward polygons
and PMC's boundary. Read once per cold start; an API function reads it all at init (load), so that no
request pays for it and SnapStart's snapshot holds it."""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pmc_common import ids
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


@cache
def localities() -> list[dict[str, Any]]:
    """The locality gazetteer (data/localities.json): `{"name": {"en", "mr"}, "ward"}` rows, for Open311
    requests located only by an address (API.md 6)."""
    rows: list[dict[str, Any]] = _read("localities.json")
    return rows


def ward_name(ward: str) -> dict[str, str]:
    """A ward's bilingual name; its code in both languages for one the reference data does not know."""
    return ward_names().get(ward) or {"en": ward, "mr": ward}


def department_name(department: str) -> dict[str, str]:
    """A department's bilingual name; its id in both languages for one the reference data does not know."""
    return departments().get(department) or {"en": department, "mr": department}


WARDS = ids.WARDS


type Ring = tuple[tuple[float, float], ...]
type Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Polygon:
    """A GeoJSON polygon as rings of (lng, lat) vertices, the first the outer one, with its bounding box."""

    box: Box
    rings: tuple[Ring, ...]

    @classmethod
    def of(cls, geometry: dict[str, Any]) -> Polygon:
        rings = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in geometry["coordinates"])
        xs, ys = [x for x, _ in rings[0]], [y for _, y in rings[0]]
        return cls((min(xs), min(ys), max(xs), max(ys)), rings)

    def covers(self, x: float, y: float) -> bool:
        """Inside or on the boundary (shapely's `covers`): the even-odd rule over every ring, holes too."""
        x0, y0, x1, y1 = self.box
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        inside = False
        for ring in self.rings:
            for (ax, ay), (bx, by) in itertools.pairwise(ring):
                if (ay > y and by > y) or (ay < y and by < y):
                    continue  # wholly above or below: neither crossed nor touched
                if _on_segment(x, y, ax, ay, bx, by):
                    return True
                if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
                    inside = not inside
        return inside

    def distance(self, x: float, y: float) -> float:
        """Planar distance to the nearest edge, in degrees (as shapely measures it)."""
        best = math.inf
        for ring in self.rings:
            for (ax, ay), (bx, by) in itertools.pairwise(ring):
                dx, dy = bx - ax, by - ay
                t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy or 1.0)))
                best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
        return best


def _on_segment(x: float, y: float, ax: float, ay: float, bx: float, by: float) -> bool:
    return (
        (x - ax) * (by - ay) == (y - ay) * (bx - ax)
        and min(ax, bx) <= x <= max(ax, bx)
        and min(ay, by) <= y <= max(ay, by)
    )


class Geography:
    """PMC's boundary and its 15 ward polygons, in pure Python: about 5,000 vertices and a bounding box per
    polygon answer a point in microseconds, without importing shapely (about 200 ms of a cold start; the
    data tools in data/tools use it, and a test checks both agree)."""

    def __init__(self) -> None:
        self.boundary = Polygon.of(_read("pmc_boundary.geojson")["features"][0]["geometry"])
        self.wards = [
            (str(f["properties"]["ward"]), Polygon.of(f["geometry"])) for f in _read("wards.geojson")["features"]
        ]

    def ward_of(self, lat: float, lng: float) -> str:
        """The ward whose polygon holds the point, else the nearest ward; outside PMC is a 422."""
        if not self.boundary.covers(lng, lat):
            raise Invalid.of("body", OUTSIDE_PMC)
        for ward, polygon in self.wards:
            if polygon.covers(lng, lat):
                return ward
        return min(self.wards, key=lambda item: item[1].distance(lng, lat))[0]


@cache
def geography() -> Geography:
    return Geography()


def load() -> None:
    """Everything, now: called at an API function's init rather than on its first request."""
    categories()
    departments()
    ward_names()
    geography()
