"""Generate data/localities.json: the locality gazetteer that places an Open311 request located only by an
address (API.md 6, issue 19): each locality of _common.LOCALITIES (English and Marathi names, an
approximate centre from general knowledge) with the ward whose polygon in data/wards.geojson holds that
centre. Deterministic: the same inputs always write the same file.

python data/tools/make_localities.py
"""

from __future__ import annotations

from _common import DATA, LOCALITIES, dump, ward_shapes, wards_containing


def localities() -> list[dict[str, object]]:
    shapes = ward_shapes()
    rows = []
    for en, mr, lat, lng in LOCALITIES:
        wards = wards_containing(shapes, lat, lng)
        if len(wards) != 1:
            continue  # a centre on a boundary or outside PMC places nothing
        rows.append({"name": {"en": en, "mr": mr}, "ward": wards[0]})
    return sorted(rows, key=lambda row: str(row["name"]["en"]))  # type: ignore[index]


if __name__ == "__main__":
    dump(DATA / "localities.json", localities())
