"""One cold start in a fresh process: import a handler, answer one HTTP API v2 event, report timings.

Run by bench/cold_start.py; prints one JSON line last."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class Context:
    function_name = "bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:ap-south-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def main(variant: str, event_path: str) -> None:
    event = json.loads(Path(event_path).read_text())
    before_import = time.perf_counter()
    if variant == "lookup":
        sys.path[:0] = [str(ROOT / "layers/common"), str(ROOT / "functions/lookup")]
        from lookup.api import handler
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        from baseline_handler import handler  # type: ignore[no-redef]
    imported = time.perf_counter()
    response = handler(event, Context())
    answered = time.perf_counter()
    body = json.loads(response["body"])
    print(
        json.dumps(
            {
                "status": response["statusCode"],
                "items": len(body["items"]),
                "import_ms": (imported - before_import) * 1000,
                "first_request_ms": (answered - imported) * 1000,
                "init_ms": (answered - STARTED) * 1000,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
