"""One cold start in a fresh process: import a handler, answer one HTTP API v2 event, report timings.

Usage: cold_probe.py TARGET EVENT_JSON ROOT; TARGET one of baseline, baseline_grievance, lookup, grievance;
ROOT the source tree to import the service from (this one, or an exported earlier commit). Run by
bench/cold_start.py, which sets the environment (tracing on or off); prints one JSON line last."""

from __future__ import annotations

import time

STARTED = time.perf_counter()
STARTED_CPU = time.process_time()  # CPU time: steadier than wall time on a shared machine

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

BENCH = Path(__file__).resolve().parent


class Context:
    function_name = "bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def main(target: str, event_path: str, root: str) -> None:
    event = json.loads(Path(event_path).read_text())
    before_import = time.perf_counter()
    if target in ("lookup", "grievance"):
        sys.path[:0] = [str(Path(root) / "layers/common"), str(Path(root) / f"functions/{target}")]
        handler = __import__(f"{target}.api", fromlist=["handler"]).handler
    else:
        sys.path.insert(0, str(BENCH))
        handler = __import__("baseline_handler" if target == "baseline" else target).handler
    imported = time.perf_counter()
    response = handler(event, Context())
    answered = time.perf_counter()
    answered_cpu = time.process_time()
    print(
        json.dumps(
            {
                "status": response["statusCode"],
                "import_ms": (imported - before_import) * 1000,
                "first_request_ms": (answered - imported) * 1000,
                "init_ms": (answered - STARTED) * 1000,
                "init_cpu_ms": (answered_cpu - STARTED_CPU) * 1000,
                "xray": "aws_xray_sdk" in sys.modules,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
