"""The most DynamoDB requests one call of a public location search can make, over a grid of hostile
inputs: the poles, the antimeridian, the edges of the Pune region, every radius class, every category.

Calls GET /facilities and GET /grievances/nearby in-process through the template's routes (real API
Gateway v2 events, the functions' own handlers) against DynamoDB Local (moto when it is not
installed), with the seed facilities and open grievances of every category near Kasba Peth, and
counts every HTTP request each call sends to DynamoDB (a botocore before-send hook on the stores'
clients: GetItem, every Query page, retries). A call that reaches --ceiling requests is stopped there.
Usage: .venv/bin/python bench/hostile_cost.py [--quick] [--ceiling 30000]"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "layers/common"),
    str(ROOT / "functions/lookup"),
    str(ROOT / "functions/grievance"),
]

from bench.aws import bench_aws  # noqa: E402
from bench.results import write_section  # noqa: E402
from pmc_common.geo import MAX_CELLS  # noqa: E402
from tests.harness import CITIZEN, Api, Caller  # noqa: E402

KASBA = (18.5196, 73.8553)
WIDEST = (18.5, 73.87)  # its 10 km circle meets 6 × 6 five-character cells, the most any point of the region does
# Poles and near them, a mid latitude, the equator; the Pune region's edges (18.35–18.70, 73.65–74.10)
# and just beyond them; Kasba Peth and the widest point; the antimeridian from both sides.
LATS = (90.0, 89.95, 89.7, 60.0, 18.7001, 18.70, KASBA[0], WIDEST[0], 18.35, 18.3499, 0.0, -89.7, -90.0)
LNGS = (-180.0, -179.99, 0.0, 73.6499, 73.65, KASBA[1], WIDEST[1], 74.10, 74.1001, 179.99, 180.0)
RADII: tuple[int | None, ...] = (None, 1, 1_000, 1_001, 10_000)  # None: the default, 2000 m
# --quick: the worst inputs for the code before the bound, few enough to run it to the end.
QUICK_LATS = (90.0, 89.95, 89.7, KASBA[0])
QUICK_LNGS = (0.0, 180.0)
QUICK_RADII: tuple[int | None, ...] = (10_000,)


class CeilingReached(Exception):
    pass


@dataclass
class RequestMeter:
    """Counts the HTTP requests the stores' botocore clients send to DynamoDB."""

    ceiling: int
    count: int = 0
    operations: dict[str, int] = field(default_factory=dict)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send.dynamodb", self._count)

    def reset(self) -> None:
        self.count = 0
        self.operations = {}

    def _count(self, request: Any, **_: Any) -> None:
        operation = str(request.headers.get("X-Amz-Target", b"?"), "ascii", "replace").rpartition(".")[2]
        self.operations[operation] = self.operations.get(operation, 0) + 1
        self.count += 1
        if self.count >= self.ceiling:
            raise CeilingReached(f"{self.count} requests")


@dataclass
class Worst:
    """The costliest call of one route over the grid."""

    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    requests: int = -1
    query: dict[str, Any] = field(default_factory=dict)
    operations: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stopped: int = 0
    total_requests: int = 0

    def record(self, query: dict[str, Any], status: int, meter: RequestMeter, seconds: float) -> None:
        self.calls += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.total_requests += meter.count
        self.stopped += meter.count >= meter.ceiling
        self.seconds = max(self.seconds, seconds)
        if meter.count > self.requests:
            self.requests, self.query, self.operations = meter.count, query, dict(meter.operations)


def seed_grievances(api: Api, categories: list[str]) -> int:
    """Three open grievances of every category within 100 m of Kasba Peth (through POST /grievances)."""
    created = 0
    for category in categories:
        for n in range(3):
            body = {
                "category": category,
                "description": f"Benchmark grievance {n} of {category} near Kasba Peth.",
                "lat": round(KASBA[0] + 0.0002 * n, 6),
                "lng": round(KASBA[1] + 0.0002 * n, 6),
            }
            reply = api.request("POST", "/grievances", json_body=body, caller=Caller(f"+9198000{n:05d}"))
            if reply.status != 201:
                raise SystemExit(f"seeding failed: {reply.status} {reply.body!r}")
            created += 1
    return created


def run(api: Api, meter: RequestMeter, path: str, queries: list[dict[str, Any]], caller: Caller | None = None) -> Worst:
    worst = Worst()
    for query in queries:
        meter.reset()
        started = time.perf_counter()
        try:
            status = api.get(path, query=query, caller=caller).status
        except CeilingReached:
            status = 0
        worst.record(query, status, meter, time.perf_counter() - started)
    return worst


def facility_queries(
    lats: tuple[float, ...], lngs: tuple[float, ...], radii: tuple[int | None, ...], categories: list[str | None]
) -> list[dict[str, Any]]:
    return [
        {"lat": lat, "lng": lng}
        | ({"radius_m": radius} if radius is not None else {})
        | ({"category": category} if category is not None else {})
        | {"limit": 100}
        for lat in lats
        for lng in lngs
        for radius in radii
        for category in categories
    ]


def describe(route: str, worst: Worst) -> str:
    query = "&".join(f"{k}={v}" for k, v in worst.query.items())
    operations = ", ".join(f"{n} {op}" for op, n in sorted(worst.operations.items())) or "none"
    statuses = ", ".join(f"{n:,}× {s or 'stopped'}" for s, n in sorted(worst.statuses.items()))
    return (
        f"| {route} | {worst.calls:,} | {statuses} | **{worst.requests:,}**"
        f"{' (stopped at the ceiling)' if worst.stopped else ''} | `?{query}` ({operations}) "
        f"| {worst.total_requests:,} | {worst.seconds:.2f} s |"
    )


def verdict(*routes: Worst) -> str:
    failed = sum(n for worst in routes for status, n in worst.statuses.items() if not 200 <= status < 500)
    bound = (
        f"The bound whatever the input: `pmc_common.geo.MAX_CELLS` = {MAX_CELLS} cell Queries, plus one GetItem"
        " when a facility category is given; points outside the Pune region are a 422 before any request."
    )
    return bound + (f" **{failed} calls failed (5xx or stopped).**" if failed else " No call answered 5xx.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only the worst inputs, one category each")
    parser.add_argument("--ceiling", type=int, default=30_000, help="stop a call after this many requests")
    parser.add_argument("--no-write", action="store_true", help="print, leave bench/RESULTS.md as it is")
    args = parser.parse_args()

    with bench_aws() as (template, aws):
        from grievance import reference
        from grievance import store as grievance_store
        from lookup import seed
        from lookup import store as lookup_store

        seed.load(ROOT / "data")
        facility_categories = [c["id"] for c in json.loads((ROOT / "data/facility_categories.json").read_text())]
        grievance_categories = sorted(reference.categories())
        api = Api(template)
        seeded = seed_grievances(api, grievance_categories)

        meter = RequestMeter(args.ceiling)
        meter.attach(lookup_store.LookupItem._get_connection().connection.client)
        meter.attach(grievance_store.GrievanceItem._get_connection().connection.client)

        if args.quick:
            lats, lngs, radii = QUICK_LATS, QUICK_LNGS, QUICK_RADII
            facility_cats: list[str | None] = [None]
            grievance_cats = ["pothole"]
        else:
            lats, lngs, radii = LATS, LNGS, RADII
            facility_cats = [None, *facility_categories]
            grievance_cats = grievance_categories
        facilities = run(api, meter, "/facilities", facility_queries(lats, lngs, radii, facility_cats))
        nearby_queries = [{"lat": a, "lng": o, "category": c} for a in lats for o in lngs for c in grievance_cats]
        nearby = run(api, meter, "/grievances/nearby", nearby_queries, CITIZEN)
        engine = aws.dynamodb_description.split(" (pid")[0]

    grid = (
        f"{len(lats)} latitudes × {len(lngs)} longitudes"
        + (f" × {len(radii)} radii (default, 1, 1000, 1001, 10000 m)" if len(radii) > 1 else " at 10000 m")
        + f" × {'no category and each of ' if not args.quick else ''}{len(facility_cats) - (not args.quick)}"
        f" facility categories; nearby: the same points × {len(grievance_cats)} grievance categories"
    )
    body = f"""Engine: {engine}. Data: the {len(json.loads((ROOT / "data/facilities.json").read_text())):,} seed \
facilities, {seeded} open grievances (3 of each category within 100 m of Kasba Peth). Grid: {grid}; latitudes
{", ".join(map(str, lats))}; longitudes {", ".join(map(str, lngs))}. Requests are every HTTP request the
function sent to DynamoDB during the call (each Query page, GetItem, retries), counted on its botocore client.

| route | calls | statuses | most requests in one call | costliest input | requests, all calls | slowest call |
|---|---:|---|---:|---|---:|---:|
{describe("GET /facilities", facilities)}
{describe("GET /grievances/nearby", nearby)}

{verdict(facilities, nearby)}

{BEFORE}"""
    command = "python bench/hostile_cost.py" + (" --quick" if args.quick else "")
    if not args.no_write:
        write_section("Hostile search inputs", command, body)
    print(body)


# Measured once with this script on the commit before the bound (no region check, no cell cap), kept
# for comparison: `--quick --ceiling 30000`, DynamoDB Local 3.3.0, the same seed data.
BEFORE = """Before the bound (commit 46f2c00, `python bench/hostile_cost.py --quick --ceiling 30000`):
GET /facilities made up to **24,576** requests in one call (`lat=90&lng=0&radius_m=10000`; 18,768 at
lat 89.95, 3,910 at 89.7; slowest call 99.9 s), GET /grievances/nearby was stopped at the 30,000-request
ceiling at `lat=90` (a cover of 262,144 cells; 4,506 at lat 89.95; slowest call 121.3 s). Every one of
those calls ran past the functions' 10 s timeout; each request is billed."""

if __name__ == "__main__":
    main()
