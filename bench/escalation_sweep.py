"""Items read by one escalation sweep over a large table, against a Scan with a filter (the obvious
way without the sparse OpenByDue index), both measured in the same run on the same table.

Loads N grievances (default 100,000) of which 100 are overdue into DynamoDB Local (moto when it is
not installed), runs grievance.escalation.handler once, and counts at the botocore layer the items
each Query/GetItem/Scan returned or scanned, with ConsumedCapacity where the engine reports it.
Usage: .venv/bin/python bench/escalation_sweep.py [--grievances 100000] [--overdue 100]"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common"), str(ROOT / "functions/grievance")]

from bench.results import write_section  # noqa: E402
from local.aws import LocalAws  # noqa: E402
from local.events import LambdaContext, scheduled_event  # noqa: E402
from local.template import ACCOUNT_ID, REGION, Template  # noqa: E402

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
CATEGORIES = (("garbage_not_collected", "solid_waste_management", 48), ("pothole", "roads", 72))
STATUSES_NOT_DUE = ("closed", "closed", "closed", "rejected", "submitted", "assigned", "in_progress")
BATCH = 25  # BatchWriteItem's limit


class ReadMeter:
    """Counts, per operation, the calls, the items returned, the items scanned and the capacity."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.returned: Counter[str] = Counter()
        self.scanned: Counter[str] = Counter()
        self.capacity: dict[str, float] = defaultdict(float)

    def attach(self, client: Any) -> None:
        for operation in ("Query", "GetItem", "Scan"):
            client.meta.events.register(f"before-parameter-build.dynamodb.{operation}", self._ask_capacity)
            client.meta.events.register(f"after-call.dynamodb.{operation}", self._record)

    @staticmethod
    def _ask_capacity(params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    def _record(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        self.calls[name] += 1
        if name == "GetItem":
            found = 1 if "Item" in parsed else 0
            self.returned[name] += found
            self.scanned[name] += found
        else:
            self.returned[name] += int(parsed.get("Count", 0))
            self.scanned[name] += int(parsed.get("ScannedCount", 0))
        capacity = parsed.get("ConsumedCapacity") or {}
        self.capacity[name] += float(capacity.get("CapacityUnits", 0.0))

    def items_read(self) -> int:
        return sum(self.scanned.values())

    def capacity_units(self) -> float:
        return sum(self.capacity.values())


def grievance_items(total: int, overdue: int) -> list[dict[str, Any]]:
    """Serialized grievance items: `overdue` open and past due, the rest closed, rejected or open and
    not yet due, spread over the 15 wards and over the past months."""
    from grievance import domain, store
    from grievance.reference import WARDS
    from pmc_common.clock import iso

    body = {"description": "Sample grievance for the escalation benchmark.", "lat": 18.52, "lng": 73.85}
    items = []
    for n in range(total):
        category, department, sla_hours = CATEGORIES[n % len(CATEGORIES)]
        is_overdue = n < overdue
        created = (
            NOW - timedelta(hours=sla_hours + 1 + n % 500) if is_overdue else NOW - timedelta(minutes=1 + n % 2000)
        )
        g = domain.log(
            grievance_id=f"GRV-BENCH-{n:07d}",
            category=category,
            department=department,
            sla_hours=sla_hours,
            ward=WARDS[n % len(WARDS)],
            **body,
            owner_sub=f"bench-{n % 5000}",
            owner_phone_number=None,
            channel="app",
            now=created,
        ).grievance
        if not is_overdue:
            status = STATUSES_NOT_DUE[n % len(STATUSES_NOT_DUE)]
            if status in ("closed", "rejected"):  # long since done: past due_at, but out of the index
                g = replace(g, status=status, due_at=iso(NOW - timedelta(days=30)), closed_at=iso(created))
            else:
                g = replace(g, status=status)
        doc = {k: v for k, v in asdict(g).items() if k not in ("followers_count", "photo_count", "version")}
        item = store.GrievanceItem(
            g.id, store.GRIEVANCE, kind=store.GRIEVANCE, doc=doc, version=1, followers_count=0, photo_count=0
        )
        for name, value in store.index_keys(g).items():
            if value is not None:
                setattr(item, name, value)
        items.append(item.serialize())
    return items


def load(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    def write(chunk: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in chunk]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])

    chunks = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, chunks))


def scan_baseline(client: Any, table: str, now_iso: str) -> int:
    """The sweep without the sparse index: Scan the table for open items due before now."""
    found = 0
    start: dict[str, Any] | None = None
    while True:
        page = client.scan(
            TableName=table,
            FilterExpression="attribute_exists(open_ward) AND due_key < :now",
            ExpressionAttributeValues={":now": {"S": now_iso}},
            **({"ExclusiveStartKey": start} if start else {}),
        )
        found += int(page["Count"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grievances", type=int, default=100_000)
    parser.add_argument("--overdue", type=int, default=100)
    args = parser.parse_args()

    with ExitStack() as stack:
        engine, dynamodb_endpoint = "moto", None
        try:
            from local.dynamodb_local import DynamoDBLocal, installation

            installation()
            ddb = stack.enter_context(DynamoDBLocal())
            engine, dynamodb_endpoint = "DynamoDB Local", ddb.endpoint_url
        except Exception as error:  # not installed, no Java: fall back to moto, say so
            print(f"DynamoDB Local unavailable ({error}); using moto", file=sys.stderr)
        aws = LocalAws(
            Template.load(ROOT / "template.yaml"),
            dynamodb_endpoint_url=dynamodb_endpoint,
            dynamodb_engine="dynamodb-local" if dynamodb_endpoint else "moto",
        )
        aws.start()
        stack.callback(aws.stop)
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"

        from grievance import escalation, store
        from pmc_common.clock import iso

        table = os.environ["GRIEVANCES_TABLE_NAME"]
        started = time.perf_counter()
        items = grievance_items(args.grievances, args.overdue)
        load(aws.client("dynamodb"), table, items)
        load_seconds = time.perf_counter() - started

        sweep_meter, scan_meter = ReadMeter(), ReadMeter()
        # The baseline first: it only reads, while the sweep moves what it escalates out of range.
        scan_client = aws.client("dynamodb")
        scan_meter.attach(scan_client)
        started = time.perf_counter()
        scan_found = scan_baseline(scan_client, table, iso(NOW))
        scan_seconds = time.perf_counter() - started

        sweep_meter.attach(store.GrievanceItem._get_connection().connection.client)
        event = scheduled_event("escalation", f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/bench", NOW)
        started = time.perf_counter()
        result = escalation.handler(event, LambdaContext("EscalationFunction", 512, 300))
        sweep_seconds = time.perf_counter() - started

    if result["escalated"] != args.overdue or scan_found != args.overdue:
        raise SystemExit(f"unexpected: sweep {result}, scan found {scan_found}, expected {args.overdue}")
    ratio = scan_meter.items_read() / max(1, sweep_meter.items_read())
    capacity = (
        f"{sweep_meter.capacity_units():.1f} RCU vs {scan_meter.capacity_units():.1f} RCU"
        if scan_meter.capacity_units()
        else "not reported by this engine"
    )
    body = f"""Engine: {engine}. Table: {args.grievances:,} grievances, {args.overdue} open and overdue at the
event's time (the rest closed, rejected, or open and not yet due), spread over 15 wards; loaded in
{load_seconds:.0f} s. The baseline Scan, then one escalation run, on the same table.

| | items read | requests | read capacity | time |
|---|---|---|---|---|
| escalation sweep (OpenByDue Query per ward + GetItem per hit) | {sweep_meter.items_read():,} \
({sweep_meter.scanned["Query"]} index keys + {sweep_meter.scanned["GetItem"]} items) \
| {sum(sweep_meter.calls.values())} | {sweep_meter.capacity_units():.1f} RCU | {sweep_seconds:.2f} s |
| baseline: Scan with filter over the table | {scan_meter.items_read():,} | {scan_meter.calls["Scan"]} \
| {scan_meter.capacity_units():.1f} RCU | {scan_seconds:.2f} s |

The sweep escalated {result["escalated"]} and read {ratio:,.0f}× fewer items than the Scan
(capacity: {capacity}); its reads follow the backlog, the Scan's the table. Writes (one UpdateItem
and one PutEvents per escalation) are the same either way and not counted."""
    command = f"python bench/escalation_sweep.py --grievances {args.grievances} --overdue {args.overdue}"
    write_section("Escalation sweep", command, body)
    print(body)


if __name__ == "__main__":
    main()
