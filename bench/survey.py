"""Survey results and response writes (issue 18): what GET /admin/surveys/{id}/results reads at 10 and at
100,000 responses (the same), and the response write throughput of a burst of concurrent answers.

On DynamoDB Local (moto when it is not installed), through the template's routes in-process. The seeded city
survey takes 10 answers through the API; then the remaining responses are bulk-loaded (batch writes of the
response items and the sharded counter items their answers add up to, computed by survey.domain exactly as
the response transaction adds them), and the results route is read again; requests, items read and read
capacity are counted on the store's botocore client. The burst: N concurrent anonymous answers to a fresh
open survey, 16 threads, each its own transaction; every one must be 201 and the counters exact.
Usage: .venv/bin/python bench/survey.py [--responses 100000] [--burst 1000] [--no-write]"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common"), str(ROOT / "functions/survey")]

from bench.aws import bench_aws  # noqa: E402
from bench.reads import ReadMeter, load  # noqa: E402
from bench.results import write_section  # noqa: E402
from tests.harness import ADMIN, STAFF, Api  # noqa: E402

SEED = 18
THREADS = 16


@dataclass(frozen=True)
class Read:
    responses: int
    requests: int
    items_read: int
    capacity: float
    ms: float


def answers(survey: Any, respondent_type: str, rng: random.Random) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for q in survey.questions:
        if not q.meant_for(respondent_type) or (not q.required and rng.random() < 0.3):
            continue
        low, high = q.bounds() if q.type != "single_choice" else (0, 0)
        if q.type in ("rating", "nps"):
            chosen[q.id] = rng.randint(low, high)
        elif q.type == "single_choice":
            chosen[q.id] = rng.choice(q.options).id
        elif q.type == "multi_choice":
            chosen[q.id] = [o.id for o in rng.sample(q.options, rng.randint(low, high))]
        else:
            chosen[q.id] = rng.choice(["Footpaths", "More buses", "Clean the river"])
    return chosen


def read_results(api: Api, meter: ReadMeter, survey_id: str, responses: int) -> Read:
    times = []
    for _ in range(5):
        meter.reset()
        started = time.perf_counter()
        reply = api.get(f"/admin/surveys/{survey_id}/results", caller=STAFF)
        times.append((time.perf_counter() - started) * 1000)
        if reply.status != 200 or reply.json()["response_count"]["all"] != responses:
            raise SystemExit(f"results: {reply.status} {reply.body[:300]!r}")
    return Read(responses, meter.requests, meter.items_read, meter.capacity, statistics.median(times))


def bulk_load(client: Any, table: str, survey: Any, count: int, rng: random.Random) -> None:
    """`count` responses as the response transaction would leave them: their items, and the counter items
    holding what they add (counted in memory, then added to the stored counters with one UpdateItem each)."""
    from survey import domain
    from survey.answering import response_id

    start = datetime(2026, 11, 26, tzinfo=UTC)
    items: list[dict[str, Any]] = []
    added: dict[tuple[int, str, int], Counter[str]] = {}
    for n in range(count):
        respondent_type = "citizen" if n % 4 else "tourist"
        at = start + timedelta(seconds=n)
        rid = response_id(at)
        submission = domain.check_answers(survey, respondent_type, answers(survey, respondent_type, rng))
        for chunk, numbers in domain.increments(survey, submission).items():
            added.setdefault((domain.shard_of(rid), respondent_type, chunk), Counter()).update(numbers)
        doc = {"id": rid, "submitted_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "respondent_type": respondent_type,
               "channel": "anonymous", "answers": submission.answers}  # fmt: skip
        items.append({"pk": {"S": f"responses#{survey.id}"}, "sk": {"S": rid}, "doc": {"S": _json(doc)}})
    load(client, table, items)
    for (shard, respondent_type, chunk), numbers in added.items():
        names = {f"#n{i}": name for i, name in enumerate(numbers)}
        values = {f":v{i}": {"N": str(value)} for i, value in enumerate(numbers.values())}
        client.update_item(
            TableName=table,
            Key={"pk": {"S": f"counts#{survey.id}#{shard}"}, "sk": {"S": f"{respondent_type}#{chunk:02d}"}},
            UpdateExpression="ADD " + ", ".join(f"#n{i} :v{i}" for i in range(len(numbers))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


def _json(doc: dict[str, Any]) -> str:
    import json

    return json.dumps(doc)


class Transactions:
    """TransactWriteItems sent and cancelled, counted on the store's botocore client."""

    def __init__(self, client: Any) -> None:
        self.sent = 0
        self.cancelled: Counter[str] = Counter()
        client.meta.events.register("before-send.dynamodb.TransactWriteItems", self._sent)
        client.meta.events.register("after-call.dynamodb.TransactWriteItems", self._answered)

    def _sent(self, **_: Any) -> None:
        self.sent += 1

    def _answered(self, http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        for reason in parsed.get("CancellationReasons") or []:
            if reason.get("Code") not in (None, "None"):
                self.cancelled[str(reason["Code"])] += 1


def burst(api: Api, count: int, transactions: Transactions) -> tuple[float, Counter[int], dict[str, Any], int]:
    """A fresh open survey (the city survey's questions), `count` concurrent anonymous answers."""
    from survey import definitions

    body = api.get(f"/surveys/{CITY_ID}").json()
    create = {k: body[k] for k in ("audience", "title", "description", "questions")}
    created = api.request("POST", "/admin/surveys", json_body=create, caller=ADMIN).json()
    api.request("POST", f"/admin/surveys/{created['id']}/open", caller=STAFF)
    survey = definitions.known(created["id"])
    rng = random.Random(SEED + 1)
    bodies = []
    for n in range(count):
        respondent_type = "citizen" if n % 4 else "tourist"
        bodies.append({"respondent_type": respondent_type, "device_id": str(uuid.UUID(int=rng.getrandbits(128))),
                       "answers": answers(survey, respondent_type, rng)})  # fmt: skip
    transactions.sent, transactions.cancelled = 0, Counter()  # the answers' own, not the survey's creation
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        replies = list(pool.map(lambda b: api.request("POST", f"/surveys/{survey.id}/responses", json_body=b), bodies))
    seconds = time.perf_counter() - started
    statuses = Counter(r.status for r in replies)
    results = api.get(f"/admin/surveys/{survey.id}/results", caller=STAFF).json()
    from survey import store

    return seconds, statuses, results, store.response_count(survey.id)


CITY_ID = ""


def main() -> None:
    global CITY_ID
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="print, leave bench/RESULTS.md as it is")
    args = parser.parse_args()

    with bench_aws() as (template, aws):
        from survey import definitions, domain, seed, store

        seed.load(ROOT / "data")
        api = Api(template)
        CITY_ID = next(s["id"] for s in api.get("/surveys").json()["items"] if s["question_count"] >= 12)
        survey = definitions.known(CITY_ID)
        meter = ReadMeter()
        meter.attach(store.SurveyItem._get_connection().connection.client)
        rng = random.Random(SEED)
        for n in range(10):
            respondent_type = "citizen" if n % 4 else "tourist"
            body = {"respondent_type": respondent_type, "device_id": str(uuid.uuid4()),
                    "answers": answers(survey, respondent_type, rng)}  # fmt: skip
            reply = api.request("POST", f"/surveys/{CITY_ID}/responses", json_body=body)
            if reply.status != 201:
                raise SystemExit(f"answer: {reply.status} {reply.body[:300]!r}")
        small = read_results(api, meter, CITY_ID, 10)
        started = time.perf_counter()
        bulk_load(aws.client("dynamodb"), os.environ["SURVEY_TABLE_NAME"], survey, args.responses - 10, rng)
        load_seconds = time.perf_counter() - started
        large = read_results(api, meter, CITY_ID, args.responses)
        transactions = Transactions(store.SurveyItem._get_connection().connection.client)
        seconds, statuses, results, stored = burst(api, args.burst, transactions)
        engine = aws.dynamodb_description.split(" (pid")[0]

    expected = {"all": args.burst, "citizen": args.burst - -(-args.burst // 4), "tourist": -(-args.burst // 4)}
    exact = results["response_count"] == expected and stored == args.burst and statuses == Counter({201: args.burst})
    reads = "\n".join(
        f"| {r.responses:,} | {r.requests} | {r.items_read} | {r.capacity:.1f} | {r.ms:.0f} |" for r in (small, large)
    )
    chunks = domain.chunks(survey)
    body = f"""Engine: {engine}. The seeded city survey ({len(survey.questions)} questions, so {chunks} counter
chunks, {domain.COUNTER_SHARDS} shards): 10 answers through the API, results read; then
{args.responses - 10:,} more responses bulk-loaded in {load_seconds:.0f} s (response items by batch writes,
the counters they add up to by one ADD per counter item, as survey.domain computes them), results read again.
Requests, items read (ScannedCount) and read capacity counted on the survey store's botocore client; median
of 5 calls. The results route reads the survey item and {domain.COUNTER_SHARDS} × 2 × {chunks} = \
{domain.COUNTER_SHARDS * 2 * chunks} counter items (all of them exist from the open), whatever the number of
responses (docs/survey-counters.md).

| responses | requests | items read | RCU | ms (median) |
|---:|---:|---:|---:|---:|
{reads}

Burst: {args.burst:,} concurrent anonymous answers ({THREADS} threads, in-process handler, each answer one
TransactWriteItems of the response, its device marker and its counter items) to a fresh open survey with the
city survey's questions: {seconds:.1f} s wall, **{args.burst / seconds:.0f} responses/s**; statuses
{dict(statuses)}; {transactions.sent:,} transactions sent (cancellation reasons:
{dict(transactions.cancelled) or "none"}; a cancelled one is retried under a new id); {stored:,} responses
stored; results response_count {results["response_count"]}
({"exact" if exact else "NOT EXACT"}). On 2 shared cores the figure is bound by the Python handler and
DynamoDB Local's JVM on the same machine, not by the counter items."""
    print(body)
    if not args.no_write:
        command = f".venv/bin/python bench/survey.py --responses {args.responses} --burst {args.burst}"
        write_section("Survey results reads and response burst", command, body)
    if not exact:
        raise SystemExit("burst: counters or statuses not exact")


if __name__ == "__main__":
    main()
