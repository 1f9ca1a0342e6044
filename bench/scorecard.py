"""Reads of the public ward scorecard (issue 20) at two table sizes: what GET /scorecard/wards,
/scorecard/wards/W07 and /scorecard/wards/W07/trend read to answer at 1,000 and 100,000 grievances.

Loads the reads bench's grievances (bench/reads.py: every status, 15 wards, the stats counters and due
markers to match) and the scorecard aggregates a recount of them gives (grievance.scorecard.recount), into
DynamoDB Local (moto when it is not installed), calls each route in-process through the template's routes
and counts on the store's botocore client every request, the items each Query read (ScannedCount), the
keys each COUNT Query counted, and the read capacity DynamoDB reports.
Usage: .venv/bin/python bench/scorecard.py [--grievances 1000 100000] [--no-write]"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common"), str(ROOT / "functions/grievance")]

from bench.reads import ReadMeter, counter_items, grievance_items, load  # noqa: E402
from bench.results import write_section  # noqa: E402
from local.aws import LocalAws  # noqa: E402
from local.template import Template  # noqa: E402
from tests.harness import Api  # noqa: E402


@dataclass(frozen=True)
class Measure:
    requests: int
    items_read: int  # by the Queries that return items: aggregates and counters
    counted: int  # keys the COUNT Queries read: the overdue due markers
    capacity: float
    ms: float


def routes(month: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/scorecard/wards", {"month": month}),
        ("/scorecard/wards/W07", {"month": month}),
        ("/scorecard/wards/W07/trend", {"month": month}),
    ]


def aggregate_items(grievance_rows: list[dict[str, Any]], total: dict[Any, Counter[str]]) -> list[dict[str, Any]]:
    """The scorecard items of the grievances loaded so far (`total` gathers across sizes)."""
    from grievance import scorecard, store

    grievances = [
        store._grievance(store.GrievanceItem.from_raw_data(row))
        for row in grievance_rows
        if row["sk"]["S"] == "grievance"
    ]
    for key, counts in scorecard.recount(grievances).items():
        total.setdefault(key, Counter()).update(counts)
    items = []
    for (month, ward, department), counts in total.items():
        item = store.ScorecardItem(f"{store.SCORECARD}#{month}", f"{ward}#{department}")
        for name, n in counts.items():
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

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    template = Template.load(ROOT / "template.yaml")
    aws = LocalAws(template)
    aws.start()
    results: dict[int, list[Measure]] = {}
    loads: list[str] = []
    try:
        os.environ.update({"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"})
        from grievance import scorecard
        from grievance import store as grievance_store

        client = aws.client("dynamodb")
        api = Api(template)
        meter = ReadMeter()
        meter.attach(grievance_store.GrievanceItem._get_connection().connection.client)
        now = datetime.now(UTC).replace(microsecond=0)
        month = scorecard.current_month(now)
        loaded = 0
        counters, sla = Counter[str](), Counter[str]()
        aggregates: dict[Any, Counter[str]] = {}
        table = os.environ["GRIEVANCES_TABLE_NAME"]
        for size in sizes:
            started = time.perf_counter()
            items, more_counters, more_sla = grievance_items(loaded, size, now)
            counters.update(more_counters)
            sla.update(more_sla)
            load(client, table, items + counter_items(counters, sla) + aggregate_items(items, aggregates))
            loaded = size
            loads.append(f"{size:,} grievances in {time.perf_counter() - started:.0f} s")
            results[size] = [call(api, meter, path, query) for path, query in routes(month)]
        engine = aws.dynamodb_description.split(" (pid")[0]
    finally:
        aws.stop()

    columns = "| route | " + " | ".join(f"req ({s:,}) | items read | markers counted | RCU | ms" for s in sizes) + " |"
    align = "|---|" + "---:|---:|---:|---:|---:|" * len(sizes)
    rows = []
    for n, (path, query) in enumerate(routes(month)):
        cells = " | ".join(
            f"{m.requests} | {m.items_read:,} | {m.counted:,} | {m.capacity:.1f} | {m.ms:.0f}"
            for m in (results[s][n] for s in sizes)
        )
        rows.append(f"| GET {path}?month={query['month']} | {cells} |")
    plural_counts = ", ".join(f"{results[s][0].counted:,} keys for the ranking at {s:,} grievances" for s in sizes)
    body = f"""Engine: {engine}. Data: {", then ".join(loads)} (bench/reads.py's grievances: 15 wards,
every status, created over the last 90 days, about half of the open ones overdue; the larger table adds to
the smaller one), with the stats counters, due markers and scorecard aggregates written to match. Counted
on the grievance store's botocore client for one call of each route: requests, items read by the Queries
that return items (scorecard aggregates and status counters; ScannedCount), keys counted by the COUNT
Queries of the overdue due markers (no item returned), read capacity (ReturnConsumedCapacity), time.

{columns}
{align}
{chr(10).join(rows)}

Items read are bounded by the key space, not by the grievances: the ranking reads at most 15 × 17
aggregates of the month and 15 × 17 × 8 status and SLA counters (2,295 items); a ward at most 17 aggregates
and 17 × 8 counters (153); the trend at most 12 × 17 aggregates (204), in the requests shown, the same at
both sizes. Between the two sizes items read rise a little only because at 1,000 grievances fewer
ward × department × status (and month) combinations hold any grievance; neither size reaches the bound.
What grows with the table is the overdue markers the COUNT Queries read for `overdue_now` (no item is
returned; about 20,000 keys a 1 MB page), as for /staff/grievances/stats: {plural_counts}."""
    command = "python bench/scorecard.py --grievances " + " ".join(str(s) for s in sizes)
    if not args.no_write:
        write_section("Public ward scorecard reads", command, body)
    print(body)


if __name__ == "__main__":
    main()
