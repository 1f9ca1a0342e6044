"""Reads of the public ward scorecard (issue 20) at two table sizes: what GET /scorecard/wards,
/scorecard/wards/W07 and /scorecard/wards/W07/trend read to answer at 1,000 and 100,000 grievances.

Loads the reads bench's grievances with its loader (bench/reads.py GrievanceLoader: every status, 15 wards,
the stats counters and due markers to match), and the scorecard items a recount of them gives (the month
aggregates of grievance.scorecard.recount, open now / overdue now of scorecard.now_recount), into DynamoDB
Local (moto when it is not installed), calls each route in-process through the template's routes and counts
on the store's botocore client every request, the items each Query read (ScannedCount) and the read capacity
DynamoDB reports.
Usage: .venv/bin/python bench/scorecard.py [--grievances 1000 100000] [--no-write]"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common"), str(ROOT / "functions/grievance")]

from bench.aws import bench_aws  # noqa: E402
from bench.reads import GrievanceLoader, ReadMeter  # noqa: E402
from bench.results import write_section  # noqa: E402
from tests.harness import Api  # noqa: E402


@dataclass(frozen=True)
class Measure:
    requests: int
    items_read: int  # ScannedCount of each Query: month aggregates and open now / overdue now items
    counted: int  # keys read by COUNT Queries (none since open now / overdue now are kept as counts)
    capacity: float
    ms: float


TREND_MONTHS = 12


def routes(month: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/scorecard/wards", {"month": month}),
        ("/scorecard/wards/W07", {"month": month}),
        ("/scorecard/wards/W07/trend", {"month": month}),
    ]


def scorecard_items(grievances: list[Any], now: datetime) -> list[dict[str, Any]]:
    """The scorecard items of every grievance loaded so far, as the store's transactions leave them: the
    month aggregates and each ward × department's open now / overdue now. Every ward × department has its
    item in the partitions the routes read (this month's, the trend's 12 months, open now / overdue now), one
    no grievance touched holding its keys only (its figures 0): both sizes then have the whole key space, a
    city's after a month or so, and each route reads its bound at both."""
    from grievance import reference, scorecard, store

    keys = [(ward, department) for ward in reference.WARDS for department in sorted(reference.departments())]
    months = scorecard.months_until(scorecard.current_month(now), TREND_MONTHS)
    aggregates = scorecard.recount(grievances)
    now_counts = scorecard.now_recount(grievances)
    items = []
    for month in sorted({*months, *(m for m, _, _ in aggregates)}):
        for ward, department in keys:
            item = store.ScorecardItem(f"{store.SCORECARD}#{month}", f"{ward}#{department}")
            for name, n in aggregates.get((month, ward, department), {}).items():
                setattr(item, name, n)
            items.append(item.serialize())
    for ward, department in keys:
        item = store.ScorecardItem(store.SCORECARD_NOW, f"{ward}#{department}")
        for name, n in now_counts.get((ward, department), {}).items():
            setattr(item, name, n)
        items.append(item.serialize())
    return items


def call(api: Api, meter: ReadMeter, path: str, query: dict[str, str]) -> Measure:
    meter.reset()
    started = time.perf_counter()
    reply = api.get(path, query=query)
    ms = (time.perf_counter() - started) * 1000
    if reply.status != 200:
        raise SystemExit(f"{path} {query}: {reply.status} {reply.body[:300]!r}")
    counted = sum(keys for keys, _ in meter.counts)
    return Measure(meter.requests, meter.items_read - counted, counted, meter.capacity, ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grievances", type=int, nargs="+", default=[1_000, 100_000], help="table sizes, ascending")
    parser.add_argument("--no-write", action="store_true", help="print, leave bench/RESULTS.md as it is")
    args = parser.parse_args()
    sizes = sorted(args.grievances)

    results: dict[int, list[Measure]] = {}
    loads: list[str] = []
    with bench_aws() as (template, aws):
        from grievance import scorecard
        from grievance import store as grievance_store

        client = aws.client("dynamodb")
        api = Api(template)
        meter = ReadMeter()
        meter.attach(grievance_store.GrievanceItem._get_connection().connection.client)
        now = datetime.now(UTC).replace(microsecond=0)
        month = scorecard.current_month(now)
        table = os.environ["GRIEVANCES_TABLE_NAME"]
        loader = GrievanceLoader(client, table, now, derived=lambda grievances: scorecard_items(grievances, now))
        for size in sizes:
            loads.append(loader.load_to(size))
            overdue = sum(1 for g in loader.grievances if g.scorecard_now == scorecard.OVERDUE_NOW)
            loads[-1] += f" ({overdue:,} overdue now)"
            results[size] = [call(api, meter, path, query) for path, query in routes(month)]
        engine = aws.dynamodb_description.split(" (pid")[0]

    columns = "| route | " + " | ".join(f"req ({s:,}) | items read | RCU | ms" for s in sizes) + " |"
    align = "|---|" + "---:|---:|---:|---:|" * len(sizes)
    rows = []
    for n, (path, query) in enumerate(routes(month)):
        cells = " | ".join(
            f"{m.requests} | {m.items_read:,} | {m.capacity:.1f} | {m.ms:.0f}" for m in (results[s][n] for s in sizes)
        )
        rows.append(f"| GET {path}?month={query['month']} | {cells} |")
    counted = sum(m.counted for ms in results.values() for m in ms)
    body = f"""Engine: {engine}. Data: {", then ".join(loads)} (bench/reads.py's grievances and loader: 15 wards,
every status, created over the last 90 days, open ones due before now counted overdue as a sweep leaves
them at level 3; the larger table adds to the smaller one), with the stats counters, due markers and
scorecard items written as the store's transactions leave them: the month aggregates and each ward ×
department's open now / overdue now, every ward × department present in the partitions read (untouched
ones holding their keys only), so both sizes have the whole key space. Counted on the grievance store's
botocore client for one call of each route: requests, items read (ScannedCount of each Query), read
capacity (ReturnConsumedCapacity), time.

{columns}
{align}
{chr(10).join(rows)}

Items read are the key space, whatever the number of grievances: the ranking one Query of the month's
15 × 17 aggregates and one of the 15 × 17 open now / overdue now items; a ward 17 and 17; the trend 12 × 17
aggregates, in the requests shown. No route reads a due marker or a grievance any more (keys read by COUNT
Queries over both sizes: {counted}); before, `overdue_now` was a COUNT Query of the due markers before now
and read 114 keys for the ranking at 1,000 grievances and 11,692 at 100,000. What read capacity still
varies with is the size of the items read (bytes, in 4 KB units): an aggregate holds at most 181 number
attributes, more of its histogram buckets filled as grievances accumulate, so its capacity is bounded too."""
    command = "python bench/scorecard.py --grievances " + " ".join(str(s) for s in sizes)
    if not args.no_write:
        write_section("Public ward scorecard reads", command, body)
    print(body)


if __name__ == "__main__":
    main()
