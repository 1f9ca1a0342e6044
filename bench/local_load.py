"""The local stack under load: `python -m local` on a free port, then 1, 4 and 16 concurrent clients
calling one public route over HTTP for a fixed time each; reports requests/s, p50, p99 and errors.

Bounded: loopback only, a fixed duration per level and a request cap per client, then the stack stops.
Usage: .venv/bin/python bench/local_load.py [--seconds 20] [--clients 1,4,16] [--path '/facilities?...']"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.results import write_section  # noqa: E402
from tests.e2e.conftest import start_stack, stop_stack  # noqa: E402

DEFAULT_PATH = "/facilities?lat=18.5196&lng=73.8553&radius_m=2000&limit=20"
MAX_REQUESTS_PER_CLIENT = 20_000  # a hard stop whatever the speed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(base_url: str, path: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base_url, timeout=10) as http:
            for _ in range(MAX_REQUESTS_PER_CLIENT):
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    ok = http.get(path).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - started)
                failed += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--path", default=DEFAULT_PATH)
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    stack = start_stack()
    try:
        for _ in range(20):  # warm: cold start and the first reads are not what this measures
            httpx.get(stack.base_url + args.path, timeout=30).raise_for_status()
        rows = [load(stack.base_url, args.path, clients, args.seconds) for clients in levels]
    finally:
        stop_stack(stack.process)
    table = "\n".join(
        f"| {r['clients']:.0f} | {r['requests']:.0f} | {r['errors']:.0f} | {r['rps']:.1f} | {r['p50_ms']:.0f} "
        f"| {r['p99_ms']:.0f} |"
        for r in rows
    )
    body = (
        f"`GET {args.path}` on `make run`'s stack (DynamoDB Local, seed data), {args.seconds:.0f} s per level after "
        "20 warm-up calls; each client sends its next request when the last one answers.\n\n"
        "| clients | requests | errors | req/s | p50 ms | p99 ms |\n|---:|---:|---:|---:|---:|---:|\n" + table + "\n"
    )
    print(body)
    defaults = (args.seconds, args.clients) == (20, "1,4,16")
    options = "" if defaults else f" --seconds {args.seconds:g} --clients {args.clients}"
    command = "python bench/local_load.py" + options
    write_section("Local stack under load", command, body)


if __name__ == "__main__":
    main()
