"""Cold init of the lookup and grievance API functions (import + first request, fresh process each),
tracing off and on, against baseline handlers measured in the same run, interleaved in shuffled rounds.

Baselines: bench/baseline_handler.py (lookup: GET /emergency-numbers) and bench/baseline_grievance.py
(grievance: a citizen's GET /grievances/{id}), each a Powertools resolver on a plain botocore client.
`--before REF` also measures that commit's functions (exported with `git archive`) in the same rounds.
Against moto with the template's tables and the seed data.

Usage: .venv/bin/python bench/cold_start.py [--runs 15] [--before REF]"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "layers/common"),
    str(ROOT / "functions/lookup"),
    str(ROOT / "functions/grievance"),
]

from bench.results import write_section  # noqa: E402
from local.aws import LocalAws  # noqa: E402
from local.events import HttpRequest, http_api_event  # noqa: E402
from local.template import Template  # noqa: E402

# As in a Lambda environment (LAMBDA_TASK_ROOT set): tracing off by setting, or on as under the template's
# `Tracing: Active` (a sampled trace header, the daemon's address; segments are sent over UDP, unanswered).
OFF = {"LAMBDA_TASK_ROOT": str(ROOT), "POWERTOOLS_TRACE_DISABLED": "true"}
ON = {
    "LAMBDA_TASK_ROOT": str(ROOT),
    "POWERTOOLS_TRACE_DISABLED": "false",
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}
EXPECTED = {"lookup": 200, "grievance": 200, "create": 201}
LABELS = {
    "lookup": "lookup, GET /emergency-numbers",
    "grievance": "grievance, GET /grievances/{id}",
    "create": "grievance, POST /grievances",
}
BASELINE_OF = {"lookup": "L.baseline", "grievance": "G.baseline", "create": "G.baseline"}


def variants(before: Path | None) -> dict[str, tuple[str, str, dict[str, str], Path]]:
    """name -> (target, event, environment, source tree)."""
    found = {
        "L.baseline": ("baseline", "lookup", OFF, ROOT),
        "G.baseline": ("baseline_grievance", "grievance", OFF, ROOT),
    }
    trees = [("now", ROOT)] + ([("before", before)] if before else [])
    for tree, root in trees:
        for tracing, env in (("off", OFF), ("on", ON)):
            found[f"lookup.{tree}.{tracing}"] = ("lookup", "lookup", env, root)
            found[f"grievance.{tree}.{tracing}"] = ("grievance", "grievance", env, root)
        found[f"create.{tree}.off"] = ("grievance", "create", OFF, root)
    return found


def probe(target: str, event_path: str, env: dict[str, str], root: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench/cold_probe.py"), target, event_path, str(root)],
        capture_output=True,
        text=True,
        env=os.environ | env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{target} ({root}): {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def export(ref: str, into: Path) -> Path:
    """The tree of commit `ref`, read-only from git (no checkout, the working tree untouched)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    # the reference/ links point into data/, which the archive holds too
    return into


def precompile(root: Path) -> None:
    """Bytecode for every measured tree, as `make build` writes it into the deployment package: Lambda's
    file system is read-only, so a package without .pyc compiles its source at every cold start."""
    folders = [root / "layers/common", root / "functions", ROOT / "bench"]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", *map(str, folders)],
        check=True,
    )


def seed_events() -> dict[str, dict[str, Any]]:
    from grievance import domain, store
    from lookup import seed
    from pmc_common import ids

    seed.load(ROOT / "data")
    now = datetime.now(UTC)
    change = domain.log(
        grievance_id=ids.grievance_id(now),
        category="garbage_not_collected",
        department="solid_waste_management",
        sla_hours=48,
        ward="W07",
        description="Garbage not collected behind Kasba Ganpati for three days.",
        lat=18.5196,
        lng=73.8553,
        owner_sub="bench-citizen",
        owner_phone_number="+919800000001",
        channel="app",
        now=now,
    )
    assert store.create(change)
    gid = change.grievance.id
    claims = {"sub": "bench-citizen", "phone_number": "+919800000001"}
    host = [("host", "api.local")]
    body = {
        "category": "garbage_not_collected",
        "description": "Garbage heap near the bus stop.",
        "lat": 18.5196,
        "lng": 73.8553,
    }

    def event(
        method: str, path: str, route: str, params: dict[str, str], auth: bool, raw: bytes = b""
    ) -> dict[str, Any]:
        headers = [*host, ("content-type", "application/json")] if raw else host
        request = HttpRequest(method, path, "", headers, raw, "127.0.0.1")
        return http_api_event(request, route, params, claims if auth else None, "bench")

    return {
        "lookup": event("GET", "/emergency-numbers", "GET /emergency-numbers", {}, auth=False),
        "grievance": event("GET", f"/grievances/{gid}", "GET /grievances/{grievance_id}", {"grievance_id": gid}, True),
        "create": event("POST", "/grievances", "POST /grievances", {}, True, json.dumps(body).encode()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", help="also measure this commit's functions, e.g. the one before a change")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        before = export(args.before, Path(scratch) / "before") if args.before else None
        names = variants(before)
        for root in {ROOT, *([before] if before else [])}:
            precompile(root)
        # The engine does not matter for import time; moto starts faster. Every variant uses the same one.
        aws = LocalAws(Template.load(ROOT / "template.yaml"), dynamodb_engine="moto")
        aws.start()
        try:
            os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"  # as deployed: metrics flushed per invocation
            paths = {}
            for name, event in seed_events().items():
                path = Path(scratch) / f"{name}.json"
                path.write_text(json.dumps(event))
                paths[name] = path
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            rng = random.Random(14)
            for round_no in range(args.runs):
                order = list(names)
                rng.shuffle(order)  # interleaved and shuffled: drift on a shared machine hits all alike
                for name in order:
                    target, event_name, env, root = names[name]
                    result = probe(target, str(paths[event_name]), env, root)
                    expected = EXPECTED.get(event_name, 200)
                    if result["status"] != expected:
                        raise SystemExit(f"{name}: unexpected answer {result}")
                    samples[name].append(result)
                print(f"round {round_no + 1}/{args.runs}", file=sys.stderr, flush=True)
        finally:
            aws.stop()

    body = report(samples, args.runs, args.before)
    print(body)
    if not args.no_write:
        command = "python bench/cold_start.py" + (f" --runs {args.runs}" if args.runs != 15 else "")
        command += f" --before {args.before}" if args.before else ""
        write_section("Cold init of the API functions", command, body)


def report(samples: dict[str, list[dict[str, Any]]], runs: int, before: str | None) -> str:
    def median(name: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[name])

    def ratio(name: str, key: str) -> float:
        return median(name, key) / median(BASELINE_OF[name.split(".")[0]], key)

    rows = []
    for name in ("L.baseline", "G.baseline"):
        label = "baseline: Powertools resolver + botocore, " + ("lookup" if name[0] == "L" else "grievance")
        rows.append(
            f"| {label} | | {median(name, 'import_ms'):.0f} | {median(name, 'first_request_ms'):.0f} "
            f"| {median(name, 'init_ms'):.0f} | 1.00× | {median(name, 'init_cpu_ms'):.0f} | 1.00× |"
        )
    for name in samples:
        if name.endswith("baseline"):
            continue
        function, tree, tracing = name.split(".")
        label = f"{LABELS[function]}, {'this tree' if tree == 'now' else before}"
        rows.append(
            f"| {label} | {tracing} | {median(name, 'import_ms'):.0f} | {median(name, 'first_request_ms'):.0f} "
            f"| {median(name, 'init_ms'):.0f} | **{ratio(name, 'init_ms'):.2f}×** "
            f"| {median(name, 'init_cpu_ms'):.0f} | {ratio(name, 'init_cpu_ms'):.2f}× |"
        )
    return (
        f"Fresh process per cold start, {runs} rounds, every variant once per round in shuffled order; medians in "
        "milliseconds. Import + first request, as Lambda's init and first invoke; ratios against the baseline "
        "of the same function in the same run (POST /grievances against the GET baseline). Tracing *off*: "
        "`POWERTOOLS_TRACE_DISABLED=true`; *on*: as under template.yaml's `Tracing: Active` (the template's "
        "setting; Tracer patching botocore only). `LAMBDA_TASK_ROOT` is set in both, as in Lambda. Every tree is "
        "byte-compiled first (checked-hash .pyc), as `make build` leaves the deployment package.\n\n"
        "| handler | tracing | import | first request | init (wall) | vs baseline | init (CPU) | vs baseline |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    main()
