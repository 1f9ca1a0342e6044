"""Cold init of the lookup API function: a fresh process imports the handler and answers one
GET /emergency-numbers, against moto with the template's table and the seed data.

Compared with a baseline handler (Powertools resolver + botocore) measured in the same run.
Usage: .venv/bin/python bench/cold_start.py [--runs 10]"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common"), str(ROOT / "functions/lookup")]

from bench.results import write_section  # noqa: E402
from local.aws import LocalAws  # noqa: E402
from local.events import HttpRequest, http_api_event  # noqa: E402
from local.template import Template  # noqa: E402


def run_probe(variant: str, event_path: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench/cold_probe.py"), variant, event_path],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 200 or result["items"] < 1:
        raise SystemExit(f"{variant}: unexpected answer {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    # The engine does not matter for import time; moto starts faster. Both variants use the same one.
    aws = LocalAws(Template.load(ROOT / "template.yaml"), dynamodb_engine="moto")
    aws.start()
    try:
        from lookup import seed

        seed.load(ROOT / "data")
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "false"  # as deployed: metrics flushed per invocation
        request = HttpRequest("GET", "/emergency-numbers", "", [("host", "api.local")], b"", "127.0.0.1")
        event = http_api_event(request, "GET /emergency-numbers", {}, None, "bench")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(event, handle)
        samples: dict[str, list[dict[str, float]]] = {"baseline": [], "lookup": []}
        for _ in range(args.runs):  # interleaved, so drift on a shared machine hits both alike
            for variant in samples:
                samples[variant].append(run_probe(variant, handle.name))
    finally:
        aws.stop()

    def median(variant: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[variant])

    rows = []
    for variant, label in (
        ("baseline", "baseline: Powertools resolver + botocore"),
        ("lookup", "LookupApiFunction: FastAPI + Mangum + PynamoDB"),
    ):
        rows.append(
            f"| {label} | {median(variant, 'import_ms'):.0f} | {median(variant, 'first_request_ms'):.0f} "
            f"| {median(variant, 'init_ms'):.0f} |"
        )
    ratio = median("lookup", "init_ms") / median("baseline", "init_ms")
    body = (
        f"Fresh process, median of {args.runs} runs each (interleaved), milliseconds; the request is "
        "`GET /emergency-numbers` against moto with the seed data.\n\n"
        "| handler | import | first request | import + first request |\n|---|---:|---:|---:|\n"
        + "\n".join(rows)
        + f"\n\nLookup cold init = **{median('lookup', 'init_ms'):.0f} ms**, {ratio:.2f}× the baseline.\n"
    )
    write_section("Cold init of the lookup function", "make bench (bench/cold_start.py)", body)
    print(body)


if __name__ == "__main__":
    main()
