"""Build data/wards_simplified.geojson: the 15 ward polygons of data/wards.geojson simplified for phones.

    python data/tools/simplify_wards.py

GET /wards and GET /wards/{ward} serve this geometry by default (`?detail=full` serves wards.geojson's),
so the lookup function never simplifies (nor imports shapely) at request time. The wards are simplified
as one coverage (shapely.coverage_simplify): neighbours keep one shared edge, no gap or overlap appears.
TOLERANCE 0.001° (about 110 m) takes the 15 wards from 4,278 to 1,163 vertices (26 KB of compact JSON
instead of 94 KB; GET /wards is about 35 KB, 9 KB gzipped), fine for a city or ward map on a phone; an
app that decides whether a point lies in a ward near its edge asks for `detail=full` (the API itself
decides a grievance's ward on the full polygons). Coordinates keep wards.geojson's 6 decimals (rounding to 5 would make one ring
cross itself). Deterministic; check_data.py checks the file is what this script writes.
"""

from __future__ import annotations

from typing import Any

import shapely
from _common import DATA, dump_geojson, load
from shapely.geometry import MultiPolygon, Polygon, shape

TOLERANCE = 0.001  # degrees (~110 m)
DECIMALS = 6  # as wards.geojson: coverage_simplify keeps a subset of its vertices, so nothing moves
NAME = "wards_simplified.geojson"


def _rings(p: Polygon) -> list[list[list[float]]]:
    def rnd(coords: Any) -> list[list[float]]:
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]

    return [rnd(p.exterior.coords)] + [rnd(i.coords) for i in p.interiors]


def geometry(g: Any) -> dict[str, Any]:
    if isinstance(g, Polygon):
        return {"type": "Polygon", "coordinates": _rings(g)}
    assert isinstance(g, MultiPolygon), g.geom_type
    return {"type": "MultiPolygon", "coordinates": [_rings(p) for p in g.geoms]}


def build() -> dict[str, Any]:
    """The simplified feature collection, from data/wards.geojson as it is now."""
    full = load("wards.geojson")
    simplified = shapely.coverage_simplify([shape(f["geometry"]) for f in full["features"]], TOLERANCE)
    return {
        "type": "FeatureCollection",
        "license": full["license"],
        "attribution": full["attribution"],
        "simplification": f"shapely.coverage_simplify, tolerance {TOLERANCE} degrees, {DECIMALS} decimals",
        "features": [
            {"type": "Feature", "properties": f["properties"], "geometry": geometry(g)}
            for f, g in zip(full["features"], simplified, strict=True)
        ],
    }


def main() -> None:
    fc = build()
    dump_geojson(DATA / NAME, fc)
    vertices = sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in fc["features"])
    print(f"{NAME}: {len(fc['features'])} wards, {vertices} vertices, tolerance {TOLERANCE}°")


if __name__ == "__main__":
    main()
