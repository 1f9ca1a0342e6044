"""Reads per route × filter form at two table sizes: what GET /staff/grievances (every filter form),
/staff/grievances/stats, /grievances/nearby and /facilities read to answer, at 1,000 and 100,000
grievances with 20,000 facilities.

Loads the grievances (batch writes, with their stats counters and due markers) and facilities into
DynamoDB Local (moto when it is not installed), calls each route in-process through the template's
routes, and counts on the stores' botocore clients every request, the items each Query read
(ScannedCount; GetItem counts its item) and the read capacity DynamoDB reports
(ReturnConsumedCapacity=TOTAL).
Usage: .venv/bin/python bench/reads.py [--grievances 1000 100000] [--facilities 20000] [--no-write]"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
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
from tests.harness import CITIZEN, STAFF, Api  # noqa: E402

BATCH = 25  # BatchWriteItem's limit
DENSE_POINT = (18.52, 73.85)  # every pothole is logged here: the dense point of nearby
CITY = (18.45, 18.60, 73.78, 73.95)  # south, north, west, east: where the rest are spread
# most closed or rejected; open ones logged up to 90 h ago, so about half of them are overdue
STATUS_MIX = ["closed"] * 12 + ["rejected"] * 2 + ["resolved", "submitted", "submitted", "assigned", "in_progress"]
STATUS_MIX += ["reopened"]
NO_MATCH_CATEGORY = "tree_fall"  # the tree authority has no grievances: the issue's "no match" forms
QUEUE_FORMS = list(
    itertools.product(
        ("submitted", "open", "all"),
        (None, "W07"),
        (None, "water_supply"),
        (None, "no_water_supply", NO_MATCH_CATEGORY),
        (None, "true", "false"),
    )
)
ISSUE_ROWS = [  # the issue's table: (form, before)
    ("GET /staff/grievances?category=tree_fall", "861 requests, 42,914 items read, 26 s"),
    ("GET /staff/grievances?ward=W07&department=tree_authority", "61 requests, 2,861 items"),
    ("GET /grievances/nearby at the dense point", "28 requests, 21,457 items read to return 20"),
    ("GET /facilities (default radius)", "2,800 items read to return 20"),
    ("GET /staff/grievances/stats", "17 requests, 86 ms p50"),
]


class ReadMeter:
    """Requests, items read and read capacity of every DynamoDB call a store's client makes."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.items_read = 0
        self.capacity = 0.0
        self.counts: list[tuple[int, float]] = []  # each COUNT Query (no Items): keys read, RCU

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send.dynamodb", self._sent)
        for operation in ("Query", "GetItem", "Scan", "BatchGetItem"):
            client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", self._ask_capacity)
            client.meta.events.register(f"after-call.dynamodb.{operation}", self._record)

    def _sent(self, **_: Any) -> None:
        self.requests += 1

    @staticmethod
    def _ask_capacity(params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    def _record(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            self.items_read += 1 if "Item" in parsed else 0
        else:
            self.items_read += int(parsed.get("ScannedCount", 0))
        capacity = parsed.get("ConsumedCapacity") or {}
        units = sum(
            float(entry.get("CapacityUnits", 0.0)) for entry in (capacity if isinstance(capacity, list) else [capacity])
        )
        self.capacity += units
        if model.name == "Query" and "Items" not in parsed:
            self.counts.append((int(parsed.get("ScannedCount", 0)), units))


@dataclass(frozen=True)
class Measure:
    requests: int
    items_read: int
    capacity: float
    returned: int
    ms: float
    counts: tuple[tuple[int, float], ...] = ()  # the COUNT Queries: keys read, RCU


def grievance_items(
    start: int, stop: int, now: datetime
) -> tuple[list[dict[str, Any]], Counter[str], Counter[str], list[Any]]:
    """Serialized grievances start..stop-1, what they add to the counters (`ward#department#status`,
    and `sla#ward#department` resolved / within), and the grievances themselves. Every category but the tree
    authority's, every status, 15 wards; potholes all on the dense point, the rest spread over the city. Each
    records what it adds to the scorecard's open now / overdue now as a sweep at `now` would leave it (open
    ones due before now counted overdue, as at level 3)."""
    from grievance import domain, reference, scorecard, store

    categories = sorted(
        (c for c in reference.categories().values() if c.department_id != "tree_authority"), key=lambda c: c.id
    )
    rng = random.Random(start)
    items, counters, sla, grievances = [], Counter[str](), Counter[str](), []
    for n in range(start, stop):
        category = categories[n % len(categories)]
        ward = reference.WARDS[(n // len(categories)) % len(reference.WARDS)]
        status = STATUS_MIX[(n * 7) % len(STATUS_MIX)]
        is_open = status in domain.OPEN
        created = now - timedelta(hours=1 + (n % 90) * (24 if not is_open else 1))
        spread = (rng.uniform(CITY[0], CITY[1]), rng.uniform(CITY[2], CITY[3]))
        at = DENSE_POINT if category.id == "pothole" else spread
        g = domain.log(
            grievance_id=f"GRV-READS-{n:07d}",
            category=category.id,
            department=category.department_id,
            sla_hours=category.sla_hours,
            ward=ward,
            description="A grievance of the reads benchmark.",
            lat=at[0],
            lng=at[1],
            owner_sub=f"bench-{n % 5000}",
            owner_phone_number=None,
            channel="app",
            now=created,
        ).grievance
        if status in ("resolved", "closed"):
            g = replace(g, status=status, resolved_at=g.due_at, first_resolved_at=g.due_at)
            sla[f"sla#{ward}#{category.department_id}#resolved"] += 1
            sla[f"sla#{ward}#{category.department_id}#within"] += n % 5 != 0
        else:
            g = replace(g, status=status)
        g = scorecard.settled(None, g, overdue=g.overdue(now))
        grievances.append(g)
        counters[f"{ward}#{category.department_id}#{status}"] += 1
        doc = {k: v for k, v in asdict(g).items() if k not in ("followers_count", "photo_count", "version")}
        item = store.GrievanceItem(
            g.id, store.GRIEVANCE, kind=store.GRIEVANCE, doc=doc, version=1, followers_count=0, photo_count=0
        )
        for name, value in store.index_keys(g).items():
            if value is not None:
                setattr(item, name, value)
        items.append(item.serialize())
        items.extend(marker.serialize() for marker in store.due_markers(g))  # what `overdue` counts
    return items, counters, sla, grievances


def counter_items(counters: Counter[str], sla: Counter[str]) -> list[dict[str, Any]]:
    from grievance import store

    items = [store.GrievanceItem(store.STATS, key, tally=n).serialize() for key, n in counters.items()]
    for key in {k.rsplit("#", 1)[0] for k in sla}:
        item = store.GrievanceItem(store.STATS, key, tally=sla[f"{key}#resolved"], within=sla[f"{key}#within"])
        items.append(item.serialize())
    return items


def facility_items(count: int) -> list[dict[str, Any]]:
    from lookup import seed, store

    shape = seed.documents(store.FACILITY, ROOT / "data")[0]
    categories = sorted({f["category"] for f in seed.documents(store.FACILITY, ROOT / "data")})
    rng = random.Random(20_000)
    items = []
    for n in range(count):
        doc = {
            **shape,
            "id": f"FAC-B{n:07d}",
            "category": categories[n % len(categories)],
            "lat": round(rng.uniform(CITY[0], CITY[1]), 6),
            "lng": round(rng.uniform(CITY[2], CITY[3]), 6),
        }
        item = store._item(store.FACILITY, doc)
        item.version = 1
        items.append(item.serialize())
    return items


class GrievanceLoader:
    """Loads the bench's grievances into GrievancesTable in steps, each table size adding to the one before,
    with the stats counters and due markers to match; `derived` gives further items from every grievance
    loaded so far, written with each step (the scorecard bench: its aggregates)."""

    def __init__(
        self,
        client: Any,
        table: str,
        now: datetime,
        derived: Callable[[list[Any]], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.client, self.table, self.now, self.derived = client, table, now, derived
        self.loaded = 0
        self.counters, self.sla = Counter[str](), Counter[str]()
        self.grievances: list[Any] = []

    def load_to(self, size: int) -> str:
        """Grievances up to `size` in all; returns what it loaded and how long it took."""
        started = time.perf_counter()
        items, counters, sla, grievances = grievance_items(self.loaded, size, self.now)
        self.counters.update(counters)
        self.sla.update(sla)
        self.grievances.extend(grievances)
        items += counter_items(self.counters, self.sla)
        if self.derived is not None:
            items += self.derived(self.grievances)
        load(self.client, self.table, items)
        self.loaded = size
        return f"{size:,} grievances in {time.perf_counter() - started:.0f} s"


def load(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    def write(chunk: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])

    chunks = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, chunks))


def call(api: Api, meter: ReadMeter, path: str, query: dict[str, Any], caller: Any) -> Measure:
    meter.reset()
    started = time.perf_counter()
    reply = api.get(path.removeprefix("GET "), query=query, caller=caller)
    ms = (time.perf_counter() - started) * 1000
    if reply.status != 200:
        raise SystemExit(f"{path} {query}: {reply.status} {reply.body[:300]!r}")
    body = reply.json()
    returned = len(body["items"]) if "items" in body else 1
    return Measure(meter.requests, meter.items_read, meter.capacity, returned, ms, tuple(meter.counts))


def forms() -> list[tuple[str, str, dict[str, Any], Any]]:
    """(route, form, query, caller) for every measured call."""
    rows: list[tuple[str, str, dict[str, Any], Any]] = []
    for status, ward, department, category, overdue in QUEUE_FORMS:
        query = {"status": status, "ward": ward, "department": department, "category": category, "overdue": overdue}
        query = {k: v for k, v in query.items() if v is not None and (k, v) != ("status", "open")}  # the default
        form = "&".join(f"{k}={v}" for k, v in query.items()) or "(no filter)"
        rows.append(("GET /staff/grievances", form, query, STAFF))
    rows.append(
        (
            "GET /staff/grievances",
            "ward=W07&department=tree_authority",
            {"ward": "W07", "department": "tree_authority"},
            STAFF,
        )
    )
    rows.append(
        (
            "GET /staff/grievances",
            "department=water_supply&category=tree_fall (disagree)",
            {"department": "water_supply", "category": "tree_fall"},
            STAFF,
        )
    )
    rows.append(("GET /staff/grievances", "limit=100", {"limit": 100}, STAFF))
    rows.append(("GET /staff/grievances/stats", "city", {}, STAFF))
    rows.append(("GET /staff/grievances/stats", "ward=W07", {"ward": "W07"}, STAFF))
    point = {"lat": DENSE_POINT[0], "lng": DENSE_POINT[1]}
    rows.append(("GET /grievances/nearby", "dense point, category=pothole", point | {"category": "pothole"}, CITIZEN))
    nearby_spread = {"lat": 18.53, "lng": 73.86}
    rows.append(
        (
            "GET /grievances/nearby",
            "spread, category=garbage_not_collected",
            nearby_spread | {"category": "garbage_not_collected"},
            CITIZEN,
        )
    )
    rows.append(
        ("GET /grievances/nearby", "no match, category=tree_fall", point | {"category": NO_MATCH_CATEGORY}, CITIZEN)
    )
    centre = {"lat": 18.5204, "lng": 73.8567}
    rows.append(("GET /facilities", "lat,lng (default radius 2000, limit 20)", centre, None))
    rows.append(("GET /facilities", "lat,lng&category=hospital", centre | {"category": "hospital"}, None))
    rows.append(("GET /facilities", "lat,lng&radius_m=500&limit=5", centre | {"radius_m": 500, "limit": 5}, None))
    rows.append(
        ("GET /facilities", "lat,lng&radius_m=10000&limit=100", centre | {"radius_m": 10_000, "limit": 100}, None)
    )
    rows.append(
        (
            "GET /facilities",
            "lat,lng&radius_m=10000&limit=100&category=crematorium",
            centre | {"radius_m": 10_000, "limit": 100, "category": "crematorium"},
            None,
        )
    )
    rows.append(("GET /facilities", "list by id (limit 20)", {}, None))
    rows.append(("GET /facilities", "list by id&category=garden", {"category": "garden"}, None))
    return rows


def plural(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def cell(m: Measure) -> str:
    return f"{m.requests} | {m.items_read:,} | {m.capacity:.1f} | {m.returned}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grievances", type=int, nargs="+", default=[1_000, 100_000], help="table sizes, ascending")
    parser.add_argument("--facilities", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true", help="print, leave bench/RESULTS.md as it is")
    args = parser.parse_args()
    sizes = sorted(args.grievances)

    results: dict[int, list[Measure]] = {}
    loads: list[str] = []
    with bench_aws() as (template, aws):
        from grievance import store as grievance_store
        from lookup import seed
        from lookup import store as lookup_store

        client = aws.client("dynamodb")
        seed.load(ROOT / "data")
        started = time.perf_counter()
        load(client, os.environ["LOOKUP_TABLE_NAME"], facility_items(args.facilities))
        loads.append(f"{args.facilities:,} facilities in {time.perf_counter() - started:.0f} s")
        api = Api(template)
        meter = ReadMeter()
        meter.attach(lookup_store.LookupItem._get_connection().connection.client)
        meter.attach(grievance_store.GrievanceItem._get_connection().connection.client)
        now = datetime.now(UTC).replace(microsecond=0)
        loader = GrievanceLoader(client, os.environ["GRIEVANCES_TABLE_NAME"], now)
        for size in sizes:
            loads.append(loader.load_to(size))
            results[size] = [call(api, meter, path, query, caller) for path, _, query, caller in forms()]
        engine = aws.dynamodb_description.split(" (pid")[0]

    rows = forms()
    header = " | ".join(f"requests, items read, RCU, returned at {s:,}" for s in sizes)
    table_rows = []
    for n, (path, form, _, _) in enumerate(rows):
        measures = " | ".join(cell(results[s][n]) for s in sizes)
        table_rows.append(f"| {path} | {form} | {measures} |")
    columns = "| route | form | " + " | ".join(f"req ({s:,}) | items read | RCU | returned" for s in sizes) + " |"
    align = "|---|---|" + "---:|---:|---:|---:|" * len(sizes)

    def find(path: str, form: str) -> Measure:
        return results[sizes[-1]][next(n for n, r in enumerate(rows) if r[0] == path and r[1] == form)]

    after = [
        find("GET /staff/grievances", f"category={NO_MATCH_CATEGORY}"),
        find("GET /staff/grievances", "ward=W07&department=tree_authority"),
        find("GET /grievances/nearby", "dense point, category=pothole"),
        find("GET /facilities", "lat,lng (default radius 2000, limit 20)"),
        find("GET /staff/grievances/stats", "city"),
    ]
    stats = find("GET /staff/grievances/stats", "city")
    ward_stats = find("GET /staff/grievances/stats", "ward=W07")
    overdue_keys = sum(keys for keys, _ in stats.counts)
    overdue_rcu = sum(units for _, units in stats.counts)
    marker_bytes = overdue_rcu * 8192 / max(1, overdue_keys)  # an upper bound: RCU round up per 4 KB
    dynamodb_pages = max(1, math.ceil(overdue_keys * marker_bytes / 1_048_576))
    issue = "\n".join(
        f"| {label} | {before} | {m.requests} requests, {m.items_read:,} items read, {m.capacity:.1f} RCU, "
        f"{m.returned} returned, {m.ms:.0f} ms |"
        for (label, before), m in zip(ISSUE_ROWS, after, strict=True)
    )
    body = f"""Engine: {engine}. Data: {", then ".join(loads)} (batch writes, 8 threads; the
larger table adds to the smaller one). Grievances: every category but the tree authority's (so
`category=tree_fall` and `department=tree_authority` match nothing), 15 wards, every status (most closed
or rejected, about half of the open ones overdue), each pothole on one point ({DENSE_POINT[0]},
{DENSE_POINT[1]}), the rest spread over the city; the stats counters written to match. Facilities:
spread over the city, every category. Requests, items read (ScannedCount; GetItem's item) and
read capacity (ReturnConsumedCapacity) are counted on the stores' botocore clients for one call each;
{header}.

The issue's figures at {sizes[-1]:,} grievances. Before: as issue 14 measured them, on commit 7f10bd3's
code with 100,000 grievances and 20,000 facilities in DynamoDB Local (another data set: the escalation
bench's, every grievance on one point); after: this run.

| form | before | after |
|---|---|---|
{issue}

Every form (`status` default `open`; limit 20 unless given):

{columns}
{align}
{chr(10).join(table_rows)}

Bounds asserted by tests/integration/test_read_bounds.py: a queue page reads at most 2 × returned + one
page; stats at most 3 requests; nearby and facilities in proportion to `limit`.

Stats: the counters are one Query (two for a ward), then `overdue` is one COUNT Query, `sk < now`, of the
due markers: a key-only item per open grievance at its due_at in the city's partition (`open-due`) and
one in its ward's (`open-due#<ward>`), written in the transaction of every change that opens, closes or
escalates it. A marker costs at most {marker_bytes:.0f} bytes (RCU × 8 KB, eventually consistent, / keys
read), so a 1 MB page counts about {1_048_576 / marker_bytes:,.0f}, on DynamoDB Local as on DynamoDB.
The city's {overdue_keys:,} overdue markers: {plural(len(stats.counts), "COUNT request")}, \
{overdue_rcu:.1f} RCU; {stats.requests} requests in all for the city, {ward_stats.requests} for W07; \
{plural(dynamodb_pages, "page")} on DynamoDB.
Before (commit 0c717ff's run): the same count on a KEYS_ONLY index (OpenByDueCity; OpenByDue for a
ward), which DynamoDB Local pages by the whole grievance item, about 780 keys a page: 16 COUNT requests
for the city (17 in all, 135.5 RCU), 2 for W07 (4 in all), and 3–4 pages on DynamoDB."""
    command = (
        "python bench/reads.py --grievances " + " ".join(str(s) for s in sizes) + f" --facilities {args.facilities}"
    )
    if not args.no_write:
        write_section("Reads per route and filter form", command, body)
    print(body)


if __name__ == "__main__":
    main()
