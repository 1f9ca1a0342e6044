"""Warm time per request with the store stubbed (no I/O): the framework, validation, auth, shaping and
Powertools around each route, against baseline handlers (Powertools resolver + botocore, stubbed too).

Each variant runs in its own process (this tree, the baselines, and with `--before REF` that commit's
functions, exported with `git archive`), in interleaved chunks; 30 warm-up calls per route, then the timed
ones. Usage: .venv/bin/python bench/warm_overhead.py [--calls 1000] [--chunks 5] [--before REF]"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    "ENVIRONMENT": "local",
    "CURSOR_SECRET": "bench-secret",
    "LOOKUP_TABLE_NAME": "LookupTable",
    "GRIEVANCES_TABLE_NAME": "GrievancesTable",
    "PHOTOS_BUCKET_NAME": "photos",
    "EVENT_BUS_NAME": "bus",
    "AWS_DEFAULT_REGION": "ap-south-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "false",  # as deployed: metrics flushed per invocation
    "POWERTOOLS_METRICS_NAMESPACE": "PuneConnect",
    "POWERTOOLS_LOG_LEVEL": "INFO",  # as deployed: the request line is logged
}
ROUTES = {
    "L GET /emergency-numbers": "L",
    "L GET /facilities?category=hospital&limit=5": "L",
    "G GET /grievances/{id}": "G",
    "G POST /grievances": "G",
}
CLAIMS = {"sub": "bench-citizen", "phone_number": "+919800000001"}
BODY = {
    "category": "garbage_not_collected",
    "description": "Garbage heap near the bus stop.",
    "lat": 18.5196,
    "lng": 73.8553,
}


class Context:
    function_name = "bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def event(method: str, path: str, query: str, route: str, params: dict[str, str], body: bytes = b"") -> dict[str, Any]:
    from local.events import HttpRequest, http_api_event

    headers = [("host", "api.local"), *([("content-type", "application/json")] if body else [])]
    request = HttpRequest(method, path, query, headers, body, "127.0.0.1")
    return http_api_event(request, route, params, CLAIMS if route.split()[1].startswith("/grievances") else None, "b")


def baseline_handlers(contacts: list[dict[str, Any]], grievance: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    sys.path.insert(0, str(ROOT / "bench"))
    import baseline_grievance
    import baseline_handler

    class Dynamo:  # the botocore client, stubbed: the answers the handlers read
        def get_paginator(self, _: str) -> Any:
            return self

        def paginate(self, **_: Any) -> list[dict[str, Any]]:
            return [{"Items": [{"doc": {"S": json.dumps(c)}} for c in contacts]}]

        def get_item(self, **_: Any) -> dict[str, Any]:
            return {"Item": {"doc": {"S": json.dumps(grievance)}}}

        def query(self, **_: Any) -> dict[str, Any]:
            return {"Items": []}

    baseline_handler.dynamodb = baseline_grievance.dynamodb = Dynamo()
    gid = grievance["id"]
    return {
        "L GET /emergency-numbers": (
            baseline_handler.handler,
            event("GET", "/emergency-numbers", "", "GET /emergency-numbers", {}),
        ),
        "G GET /grievances/{id}": (
            baseline_grievance.handler,
            event("GET", f"/grievances/{gid}", "", "GET /grievances/{grievance_id}", {"grievance_id": gid}),
        ),
    }


def service_handlers(contacts: list[dict[str, Any]], facilities: list[dict[str, Any]]) -> dict[str, tuple[Any, Any]]:
    from grievance import api as grievance_api
    from grievance import domain, events, photo_store, store
    from lookup import api as lookup_api
    from pmc_common import ids

    by_kind = {"contact": contacts, "facility_category": [{"id": "hospital"}]}
    lookup_api.store.all_of = lambda kind: [dict(d) for d in by_kind.get(kind, [])]
    lookup_api.store.exists = lambda kind, item_id: True
    lookup_api.store.facilities_page = lambda category, limit, start: ([dict(f) for f in facilities[:limit]], None)
    now = datetime.now(UTC)
    change = domain.log(
        grievance_id=ids.grievance_id(now),
        category="garbage_not_collected",
        department="solid_waste_management",
        sla_hours=48,
        ward="W07",
        description="Garbage not collected for three days.",
        lat=18.5196,
        lng=73.8553,
        owner_sub=CLAIMS["sub"],
        owner_phone_number=CLAIMS["phone_number"],
        channel="app",
        now=now,
    )
    g = change.grievance
    store.get = lambda grievance_id: g
    store.is_follower = lambda grievance_id, sub: False
    photo_store.photos = lambda grievance_id: []
    store.create = lambda change: change.grievance
    events.status_changed = lambda change, at: None
    body = json.dumps(BODY).encode()
    return {
        "L GET /emergency-numbers": (
            lookup_api.handler,
            event("GET", "/emergency-numbers", "", "GET /emergency-numbers", {}),
        ),
        "L GET /facilities?category=hospital&limit=5": (
            lookup_api.handler,
            event("GET", "/facilities", "category=hospital&limit=5", "GET /facilities", {}),
        ),
        "G GET /grievances/{id}": (
            grievance_api.handler,
            event("GET", f"/grievances/{g.id}", "", "GET /grievances/{grievance_id}", {"grievance_id": g.id}),
        ),
        "G POST /grievances": (grievance_api.handler, event("POST", "/grievances", "", "POST /grievances", {}, body)),
    }


def child(variant: str, root: Path, calls: int, out: str) -> None:
    """In a fresh process: build the handlers, stub the stores, time `calls` calls per route."""
    sys.path[:0] = [str(root / "layers/common"), str(root / "functions/lookup"), str(root / "functions/grievance")]
    sys.path.append(str(ROOT))  # local.events, to make the v2 events
    from lookup.seed import documents  # the served shape, as seeded

    contacts = documents("contact", ROOT / "data")
    facilities = documents("facility", ROOT / "data")[:5]
    if variant == "baseline":
        grievance = {"id": "G-bench", "owner_sub": CLAIMS["sub"], "category": "garbage_not_collected"}
        handlers = baseline_handlers(contacts, grievance)
    else:
        handlers = service_handlers(contacts, facilities)
    results: dict[str, list[float]] = {}
    context = Context()
    for route, (handler, request) in handlers.items():
        expected = 201 if "POST" in route else 200
        for _ in range(30):  # warm: the first calls build plans, clients and caches
            answer = handler(request, context)
            assert answer["statusCode"] == expected, (route, answer)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            handler(request, context)
            times.append((time.perf_counter() - started) * 1000)
        results[route] = times
    Path(out).write_text(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000, help="timed calls per route and variant (≥ 500)")
    parser.add_argument("--chunks", type=int, default=5)
    parser.add_argument("--before", help="also measure this commit's functions")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.calls, args.child[2])
        return

    sys.path.insert(0, str(ROOT))
    from bench.cold_start import export
    from bench.results import write_section

    with tempfile.TemporaryDirectory() as scratch:
        variants = {"baseline": ROOT, "now": ROOT}
        if args.before:
            variants["before"] = export(args.before, Path(scratch) / "before")
        samples: dict[str, dict[str, list[float]]] = {v: {} for v in variants}
        for _ in range(args.chunks):
            for variant, root in variants.items():
                out = str(Path(scratch) / f"{variant}.json")
                command = [sys.executable, __file__, "--calls", str(args.calls // args.chunks)]
                subprocess.run(
                    [*command, "--child", variant, str(root), out],
                    env=os.environ | ENV,
                    stdout=subprocess.DEVNULL,
                    check=True,
                )
                for route, times in json.loads(Path(out).read_text()).items():
                    samples[variant].setdefault(route, []).extend(times)
    body = report(samples, args.before)
    print(body)
    if not args.no_write:
        command = "python bench/warm_overhead.py" + (f" --before {args.before}" if args.before else "")
        write_section("Warm overhead per request", command, body)


def report(samples: dict[str, dict[str, list[float]]], before: str | None) -> str:
    def p(variant: str, route: str, q: int) -> float:
        times = samples[variant][route]
        return statistics.median(times) if q == 50 else statistics.quantiles(times, n=100)[q - 1]

    base = {"L": "L GET /emergency-numbers", "G": "G GET /grievances/{id}"}
    header = "| route | calls | p50 | p90 | baseline p50 (same function) | vs baseline |"
    if before:
        header += f" p50 at {before} |"
    rows = [header, "|---|---:|---:|---:|---:|---:|" + ("---:|" if before else "")]
    for route, function in ROUTES.items():
        baseline = p("baseline", base[function], 50)
        now = p("now", route, 50)
        row = (
            f"| {route} | {len(samples['now'][route])} | **{now:.2f} ms** | {p('now', route, 90):.2f} ms "
            f"| {baseline:.2f} ms | {now / baseline:.1f}× |"
        )
        if before:
            row += f" {p('before', route, 50):.2f} ms |"
        rows.append(row)
    return (
        "Wall time per call of the Lambda handler (Mangum, app, Powertools Logger and Metrics; tracing off), "
        "the store stubbed so that no I/O is timed; each variant in its own process, interleaved in chunks. "
        "Baselines: the Powertools resolver handlers of bench/cold_start.py on a stubbed botocore client "
        "(lookup GET /emergency-numbers; grievance GET /grievances/{id}).\n\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    main()
