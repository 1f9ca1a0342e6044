"""Build data/wards.geojson and data/pmc_boundary.geojson.

Input: Pune/pune-admin-wards_2017.geojson from the DataMeet repository
datameet/Municipal_Spatial_Data (CC BY-SA 2.5 India). Usage:

    python data/tools/make_wards.py path/to/pune-admin-wards_2017.geojson

Steps: resolve the small overlaps between neighbouring source polygons (a ward keeps what
no lower-numbered 2017 ward already claims), give each sliver gap inside the outer limit to
the ward sharing most of its edge, drop holes < 0.1 km², simplify the 15 polygons as one
coverage (shared edges stay shared, shapely.coverage_simplify), round to 6 decimals.
The output is deterministic for a given input.
"""

from __future__ import annotations

import json
import sys

import shapely
from _common import DATA, WARD_NAMES
from _common import dump_geojson as dump
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union

# 2017 admin ward name -> project ward code (see data/README.md for the reasoning)
MAPPING = {
    "Admin Ward 01 Aundh": "W01",
    "Admin Ward 02 Ghole Road": "W11",
    "Admin Ward 03 Kothrud Karveroad": "W09",
    "Admin Ward 04 Warje Karvenagar": "W14",
    "Admin Ward 05 Dhole Patil Rd": "W05",
    "Admin Ward 06 Yerawda - Sangamwadi": "W15",
    "Admin Ward 07 Nagar Road": "W10",
    "Admin Ward 08 KasbaVishrambaugwada": "W07",
    "Admin Ward 09 Tilak Road": "W12",
    "Admin Ward 10 Sahakarnagar": "W04",
    "Admin Ward 11 Bibwewadi": "W03",
    "Admin Ward 12 Bhavani Peth": "W02",
    "Admin Ward 13 Hadapsar": "W06",
    "Admin Ward 14 Dhankawadi": "W08",
    "Admin Ward 15 Kondhwa Wanavdi": "W13",
}
GRID = 1e-6
TOLERANCE = 0.0001  # degrees (~11 m)
KM2 = 111.32 * 111.32 * 0.948  # deg² -> km² at ~18.5° N
MIN_HOLE_KM2 = 0.1


def polygons(g):
    if isinstance(g, Polygon):
        return [g]
    if isinstance(g, MultiPolygon):
        return list(g.geoms)
    return [p for p in getattr(g, "geoms", []) if isinstance(p, Polygon)]


def areal(g):
    """Only the polygonal part of an overlay result."""
    parts = polygons(g)
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def drop_small_holes(p: Polygon) -> Polygon:
    return Polygon(p.exterior, [i for i in p.interiors if Polygon(i).area * KM2 >= MIN_HOLE_KM2])


def clean(g):
    parts = [drop_small_holes(p) for p in polygons(g) if p.area * KM2 > 0.01]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def round_geom(g):
    def rnd(coords):
        return [[round(x, 6), round(y, 6)] for x, y in coords]

    def poly(p):
        return [rnd(p.exterior.coords)] + [rnd(i.coords) for i in p.interiors]

    if isinstance(g, Polygon):
        return {"type": "Polygon", "coordinates": poly(g)}
    return {"type": "MultiPolygon", "coordinates": [poly(p) for p in g.geoms]}


def main(src: str) -> None:
    fc = json.load(open(src, encoding="utf-8"))
    feats = sorted(fc["features"], key=lambda f: f["properties"]["name"])
    assert len(feats) == 15 and {f["properties"]["name"] for f in feats} == set(MAPPING)
    raw = [shapely.set_precision(shapely.make_valid(shape(f["geometry"])), GRID) for f in feats]
    # 1. resolve overlaps (all overlays on a fixed 1e-6 grid, so shared edges stay identical)
    geoms, claimed = [], Polygon()
    for g in raw:
        geoms.append(areal(shapely.difference(g, claimed, grid_size=GRID)))
        claimed = shapely.union(claimed, g, grid_size=GRID)
    # 2. outer limit without slivers, and the gaps inside it
    outer = unary_union(raw).buffer(0.00002, join_style="mitre").buffer(-0.00002, join_style="mitre")
    outer = shapely.set_precision(clean(outer), GRID)
    gaps = shapely.difference(outer, shapely.union_all(geoms, grid_size=GRID), grid_size=GRID)
    for gap in sorted(polygons(gaps), key=lambda p: p.representative_point().coords[0]):
        probe = gap.buffer(0.000005)
        best = max(range(15), key=lambda i: (probe.intersection(geoms[i]).area, -i))
        geoms[best] = areal(shapely.union(geoms[best], gap, grid_size=GRID))
    geoms = [areal(shapely.intersection(g, outer, grid_size=GRID)) for g in geoms]
    # node all edges together and rebuild each ward from the faces, so neighbours share
    # exactly the same vertices (a valid coverage)
    lines = shapely.union_all([g.boundary for g in geoms], grid_size=GRID)
    faces = [f for f in shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))) if f.area > 0]
    owned = [[] for _ in geoms]
    for face in faces:
        pt = face.point_on_surface()
        hits = [i for i, g in enumerate(geoms) if g.contains(pt)]
        if hits:
            owned[hits[0]].append(face)
    geoms = [areal(shapely.coverage_union_all(fs)) for fs in owned]
    bad = [i for i, b in enumerate(shapely.coverage_invalid_edges(geoms)) if not b.is_empty]
    assert not bad, bad
    # 3. simplify as a coverage
    simplified = shapely.coverage_simplify(geoms, TOLERANCE)
    out = []
    for f, g in zip(feats, simplified):
        assert g.is_valid
        g = clean(g)
        src_name = f["properties"]["name"]
        ward = MAPPING[src_name]
        en, mr = WARD_NAMES[ward]
        out.append(
            (
                ward,
                {
                    "type": "Feature",
                    "properties": {"ward": ward, "name_en": en, "name_mr": mr, "source_name": src_name},
                    "geometry": round_geom(g),
                },
            )
        )
    out.sort(key=lambda t: t[0])
    attribution = (
        "Ward polygons derived from DataMeet Municipal_Spatial_Data, Pune/pune-admin-wards_2017.geojson, "
        "© DataMeet Trust (Pune chapter), CC BY-SA 2.5 India; simplified and renumbered by PuneConnect; "
        "this file is shared under the same licence."
    )
    dump(
        DATA / "wards.geojson",
        {
            "type": "FeatureCollection",
            "license": "CC-BY-SA-2.5-IN",
            "attribution": attribution,
            "features": [f for _, f in out],
        },
    )
    union = clean(shapely.union_all([shape(f["geometry"]) for _, f in out], grid_size=GRID))
    dump(
        DATA / "pmc_boundary.geojson",
        {
            "type": "FeatureCollection",
            "license": "CC-BY-SA-2.5-IN",
            "attribution": attribution,
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "Pune Municipal Corporation (2017 limits)"},
                    "geometry": round_geom(union),
                }
            ],
        },
    )
    for ward, f in out:
        g = shape(f["geometry"])
        print(ward, f["properties"]["source_name"], g.geom_type, round(g.area * KM2, 2), "km²", g.is_valid)
    print(
        "union",
        round(union.area * KM2, 1),
        "km²",
        union.geom_type,
        "holes",
        sum(len(p.interiors) for p in polygons(union)),
    )


if __name__ == "__main__":
    main(sys.argv[1])
