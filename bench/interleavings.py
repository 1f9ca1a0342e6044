"""The payments interleavings state machine (tests/integration/test_payments_interleavings.py) at scale: runs it
with PAYMENTS_INTERLEAVINGS=N (default 10,000) on DynamoDB Local and records how many examples ran (the test's own
count), how long they took and the DynamoDB requests per example. Baseline in the same run: the same test before
it was made cheaper (commit 246c375's file, a smaller scenario without second captures) and the current one, both
at --compare examples.
The section is rewritten after each part when --runs splits the full run (so a run stopped early records what ran).
Usage: .venv/bin/python bench/interleavings.py [--examples 10000] [--compare 50] [--runs 1]"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from bench.results import write_section  # noqa: E402

TEST = "tests/integration/test_payments_interleavings.py"
BEFORE_COMMIT = "246c375"  # the test as it was before issue 17's speed-up (60 examples in make test)
BEFORE = "tests/integration/test_zz_payments_interleavings_before_bench.py"  # written for the run, then removed


def run(path: str, examples: int) -> dict[str, float]:
    """One pytest run of `path` at `examples`: wall time of the test call, examples run, DynamoDB requests."""
    env = {**os.environ, "PAYMENTS_INTERLEAVINGS": str(examples)}
    command = [sys.executable, "-m", "pytest", path, "-q", "-p", "no:randomly", "-p", "bench.dynamodb_requests"]
    command += ["-rP", "--durations=1", "--durations-min=0", "-x"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{path} failed at {examples} examples:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    ran = re.search(r"payments interleavings: (\d+) examples run", done.stdout)
    call = re.search(r"([\d.]+)s call", done.stdout)
    requests = re.search(r"dynamodb requests in test calls: (\d+)", done.stdout)
    if call is None or requests is None:
        raise SystemExit(f"no duration or request count in the output:\n{done.stdout[-2000:]}")
    return {
        "examples": float(ran.group(1)) if ran else float(examples),  # the old test does not count them
        "counted": 1.0 if ran else 0.0,
        "seconds": float(call.group(1)),
        "wall": wall,
        "requests": float(requests.group(1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--compare", type=int, default=50)
    parser.add_argument("--runs", type=int, default=1, help="split the full run into this many pytest runs")
    args = parser.parse_args()
    command = f"python bench/interleavings.py --examples {args.examples} --compare {args.compare} --runs {args.runs}"

    before_source = subprocess.run(
        ["git", "show", f"{BEFORE_COMMIT}:{TEST}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (ROOT / BEFORE).write_text(before_source, encoding="utf-8")
    try:
        before = run(BEFORE, args.compare)
    finally:
        (ROOT / BEFORE).unlink()
    after = run(TEST, args.compare)

    def row(name: str, r: dict[str, float], ratio: bool = True) -> str:
        per = r["seconds"] / r["examples"]
        count = f"{int(r['examples']):,}" + ("" if r["counted"] else " (asked; not counted by that test)")
        versus = f"{per / (before['seconds'] / before['examples']):.2f}×" if ratio else "—"
        requests = r["requests"] / r["examples"]
        fewer = requests / (before["requests"] / before["examples"])
        return (
            f"| {name} | {count} | {r['seconds']:.1f} s | {per * 1000:.0f} ms | "
            f"{requests:.1f} | {fewer:.2f}× | {versus} |"
        )

    full = {"examples": 0.0, "counted": 1.0, "seconds": 0.0, "wall": 0.0, "requests": 0.0}
    size = -(-args.examples // args.runs)
    for n in range(args.runs):
        part = run(TEST, min(size, args.examples - n * size))
        full = {k: full[k] + part[k] if k != "counted" else 1.0 for k in full}
        split = f" in {n + 1} pytest runs of up to {size:,}" if args.runs > 1 else ""
        done = "" if n + 1 == args.runs else f" (stopped or still running after {n + 1} of {args.runs} runs)"
        body = f"""Engine: DynamoDB Local. `PAYMENTS_INTERLEAVINGS=N` examples of up to 12 steps, each delivering 1–4
duplicated, reordered or dropped webhook / confirm / stale messages for three payments (and, since issue 17's
duplicate captures, a second capture on every order), the invariants checked after every step, then what
stale_payments would enqueue and the final checks. Time = the test call (pytest's durations), per example =
that / examples; requests = DynamoDB requests during the test call (bench/dynamodb_requests.py). Baseline: the
test at commit {BEFORE_COMMIT} (its smaller scenario, the sandbox's ledger and POST /payments' reads) at
{args.compare} examples, in the same run just before this test at as many; the full run comes later, under other
load (no ratio: a shared machine's load changes over minutes).

| run | examples run | time | per example | DynamoDB requests per example | requests vs baseline | time vs baseline |
|---|---:|---:|---:|---:|---:|---:|
{row(f"baseline: the test at {BEFORE_COMMIT}", before)}
{row("this test", after)}
{row("this test, the full run" + split, full, ratio=False)}

Examples run in the full run: **{int(full["examples"]):,}**{done} (counted by the test, which fails when fewer
than asked ran). `make test` runs 500."""
        write_section("Payments interleavings", command, body)
    print(body)


if __name__ == "__main__":
    main()
