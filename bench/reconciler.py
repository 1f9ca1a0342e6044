"""The reconciler's throughput on DynamoDB Local: messages per second through its SQS handler (Powertools
BatchProcessor, as Lambda calls it) for batches of 10, against batches of 1 and one plain PutItem per message
(the floor: one round trip), all measured in the same run, rounds interleaved, medians.

Each round makes fresh payments (not timed) and one shape of messages, the same for every variant, timed in paired
chunks of 10 messages (the variants back to back, order rotated) to cancel a shared machine's load: a capture
webhook per payment (captured: lines paid, the FY's next receipt number, the day's collections), a replay of 30 %
of them (a duplicate: ignored) and a second capture on 10 % of the orders (a new refund_due record), shuffled.
Afterwards the receipt numbers are checked gap-free and every capture recorded once.
Usage: .venv/bin/python bench/reconciler.py [--payments 150] [--rounds 5]"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common"), str(ROOT / "functions/payments")]

from bench.results import write_section  # noqa: E402
from local.aws import LocalAws  # noqa: E402
from local.events import LambdaContext, sqs_event  # noqa: E402
from local.template import Template  # noqa: E402

T0 = datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
AT = T0 + timedelta(minutes=5)
QUEUE_ARN = "arn:aws:sqs:ap-south-1:000000000000:ReconciliationQueue"
REPLAYED, SECOND = 0.30, 0.10
NUMBERS = itertools.count(900000)
CHUNK = 10
VARIANTS = ("batches of 10", "batches of 1", "baseline: one PutItem per message")


class Requests:
    """DynamoDB requests made on one botocore client, by operation."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        client.meta.events.register("after-call.dynamodb", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1


def payments(count: int, rng: random.Random) -> list[Any]:
    """`count` payments, each of a fresh property's two unpaid lines, stored as POST /payments stores them."""
    from payments import domain, payment_store, store
    from pmc_common.clock import iso, ist_date
    from pmc_common.ids import ulid

    made = []
    records = []
    for _ in range(count):
        property_id = f"PMC-W{rng.randint(1, 15):02d}-{next(NUMBERS):06d}"  # never one of data/'s
        lines = [
            {"id": f"2026-27-{h}", "principal_paise": 500000, "general_tax_paise": 300000, "paid_principal_paise": 0}
            for h in ("H1", "H2")
        ]
        records.append((property_id, {"property_id": property_id, "ward": property_id[4:7], "owner_name": "B"}, lines))
    store.put_records("property", records)
    for property_id, doc, lines in records:
        quote = domain.quote_property(
            [domain.DemandLine(line["id"], 500000, 300000) for line in lines], None, ist_date(T0)
        )
        expires = T0 + domain.ORDER_TTL
        payment = domain.Payment(
            id=f"PAY-{ulid(T0)}",
            owner_sub=f"bench-{uuid.uuid4()}",
            kind="property_tax",
            reference=property_id,
            ward=doc["ward"],
            amount_paise=quote.amount_paise,
            lines=quote.lines,
            rebates=quote.rebates,
            gateway="sandbox",
            gateway_order_id=f"order_{uuid.uuid4().hex[:14]}",
            gateway_key_id="rzp_test_sandbox",
            checkout_url=None,
            created_at=iso(T0),
            expires_at=iso(expires),
        )
        assert payment_store.create(payment, "property", int(expires.timestamp()), int(T0.timestamp()))
        made.append(payment)
    return made


def pattern(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """The mix of the module docstring as (payment index, `capture` | `replay` | `second`), shuffled (a replay or
    second capture before its first capture is then simply the first to apply)."""
    out = []
    for n in range(count):
        out.append((n, "capture"))
        if rng.random() < REPLAYED:
            out.append((n, "replay"))
        if rng.random() < SECOND:
            out.append((n, "second"))
    rng.shuffle(out)
    return out


def messages(made: list[Any], shape: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """`shape` on the payments `made`: every variant gets the same work, on its own payments."""

    def capture(payment: Any, gateway_payment_id: str) -> dict[str, Any]:
        return {
            "source": "webhook",
            "event_id": f"evt_{uuid.uuid4().hex[:14]}",
            "event": "payment.captured",
            "payment_id": payment.id,
            "gateway_order_id": payment.gateway_order_id,
            "gateway_payment_id": gateway_payment_id,
            "amount_paise": payment.amount_paise,
            "currency": "INR",
            "status": "captured",
        }

    firsts = [f"pay_{uuid.uuid4().hex[:14]}" for _ in made]
    return [capture(made[n], f"pay_{uuid.uuid4().hex[:14]}" if kind == "second" else firsts[n]) for n, kind in shape]


def deliver(handler: Any, mix: list[dict[str, Any]], size: int) -> float:
    """Seconds to reconcile `mix` in SQS batches of `size`."""
    context = LambdaContext("ReconcilerFunction", 512, 60)
    started = time.perf_counter()
    for start in range(0, len(mix), size):
        records = [
            {"MessageId": str(n), "ReceiptHandle": f"r{n}", "Body": json.dumps(m)}
            for n, m in enumerate(mix[start : start + size])
        ]
        result = handler(sqs_event(records, QUEUE_ARN), context)
        if result != {"batchItemFailures": []}:
            raise SystemExit(f"batch item failures: {result}")
    return time.perf_counter() - started


def plain_writes(mix: list[dict[str, Any]]) -> float:
    """Seconds for one unconditional PutItem per message: the floor of one round trip each."""
    from payments.store import PaymentsItem

    started = time.perf_counter()
    for message in mix:
        PaymentsItem(f"bench#{message['event_id']}", "plain", doc=message).save()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with ExitStack() as stack:
        from local.dynamodb_local import DynamoDBLocal, installation

        installation()
        ddb = stack.enter_context(DynamoDBLocal())
        aws = LocalAws(Template.load(ROOT / "template.yaml"), ddb.endpoint_url, dynamodb_engine="dynamodb-local")
        aws.start()
        stack.callback(aws.stop)
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"

        from payments import payment_store, reconciler
        from payments.store import PaymentsItem
        from pmc_common.batches import batch_handler
        from pmc_common.clock import FixedClock

        handler = batch_handler("SQS", reconciler.record_handler(FixedClock(AT), lambda: None))  # type: ignore[arg-type,return-value]
        requests = Requests(PaymentsItem._get_connection().connection.client)
        rng = random.Random(17)
        rates: dict[str, list[float]] = {v: [] for v in VARIANTS}  # per chunk of CHUNK messages
        ratios: dict[str, list[float]] = {v: [] for v in VARIANTS}  # per chunk, against batches of 1's
        requests_per: dict[str, list[float]] = {v: [] for v in VARIANTS}
        totals = {"messages": 0, "captures": 0, "seconds": 0}
        for _ in range(args.rounds):
            shape = pattern(args.payments, rng)
            mixes = {v: messages(payments(args.payments, rng), shape) for v in VARIANTS[:2]}
            mixes[VARIANTS[2]] = [m | {"event_id": f"evt_{uuid.uuid4().hex[:14]}"} for m in mixes[VARIANTS[1]]]
            totals["messages"] += 2 * len(shape)
            totals["captures"] += 2 * args.payments
            totals["seconds"] += 2 * sum(kind == "second" for _, kind in shape)
            # Paired chunks: the three variants one after the other on the same shape of CHUNK messages, the order
            # rotated per chunk, so the load of a shared machine at that moment weighs on all three alike.
            for c, start in enumerate(range(0, len(shape) - CHUNK + 1, CHUNK)):
                seconds: dict[str, float] = {}
                for variant in VARIANTS[c % 3 :] + VARIANTS[: c % 3]:
                    chunk = mixes[variant][start : start + CHUNK]
                    before = sum(requests.calls.values())
                    if variant == VARIANTS[2]:
                        seconds[variant] = plain_writes(chunk)
                    else:
                        seconds[variant] = deliver(handler, chunk, 10 if variant == VARIANTS[0] else 1)
                    requests_per[variant].append((sum(requests.calls.values()) - before) / CHUNK)
                for variant in VARIANTS:
                    rates[variant].append(CHUNK / seconds[variant])
                    ratios[variant].append(seconds[VARIANTS[1]] / seconds[variant])
            for variant in VARIANTS[:2]:  # the tail that fills no chunk, untimed, so every capture is applied
                deliver(handler, mixes[variant][len(shape) // CHUNK * CHUNK :], 10)
            reconciler.metrics.clear_metrics()  # disabled here, never flushed

        # every capture once: one captured payment each, one duplicate record per second capture, numbers gap-free
        counter = payment_store.receipt_counter("2026-27")
        if counter != totals["captures"]:
            raise SystemExit(f"receipt counter {counter} != {totals['captures']} payments captured")
        numbers = {
            item.doc["payment_id"] for item in PaymentsItem.scan(PaymentsItem.pk.startswith("receipt#PMC/2026-27/"))
        }
        if len(numbers) != totals["captures"]:
            raise SystemExit(f"{len(numbers)} receipt numbers for {totals['captures']} captures")
        day = payment_store.collections_of("2026-06-02")
        duplicates = sum(v for k, v in day.items() if k.startswith("exceptions#refund_due#") and k.endswith("#count"))
        if duplicates != totals["seconds"]:
            raise SystemExit(f"{duplicates} refund_due records for {totals['seconds']} second captures")

    rows = "\n".join(
        f"| {v} | {statistics.median(rates[v]):.0f} | {statistics.quantiles(rates[v], n=4)[0]:.0f}–"
        f"{statistics.quantiles(rates[v], n=4)[2]:.0f} | {statistics.median(requests_per[v]):.1f} | "
        f"**{statistics.median(ratios[v]):.2f}×** |"
        for v in VARIANTS
    )
    chunks = len(ratios[VARIANTS[0]])
    mix_size = round(args.payments * (1 + REPLAYED + SECOND))
    body = f"""Engine: DynamoDB Local, one process calling the reconciler's SQS handler in-process (loopback only), on a
shared 2-core machine (other work running: absolute rates vary, the paired ratios much less). {args.rounds} rounds; in
each, every variant on its own {args.payments} fresh payments with the same mix of about {mix_size} messages: a
capture webhook per payment (captured: lines paid, a receipt number, the day's collections), a replay of 30 %
(ignored) and a second capture on 10 % of the orders (a new refund_due record), shuffled. Timed in paired chunks of
{CHUNK} messages ({chunks} chunks): the three variants one after the other on the same shape of work, the order
rotated per chunk; rates and ratios are medians over the chunks (ratio = a chunk's time in batches of 1 / its
time in the variant). Checked afterwards: {totals["captures"]:,} captures numbered gap-free (counter = receipts),
one refund_due record per second capture ({totals["seconds"]}).

| variant | messages/s (median) | interquartile | DynamoDB requests per message | vs batches of 1 (paired) |
|---|---:|---:|---:|---:|
{rows}

A capture is three round trips (GetItem of the payment; BatchGetItem of its lines, locks and the FY's receipt
counter; one TransactWriteItems), a replay of a recorded capture one (the GetItem), so a batch of 10 costs what its
messages cost: BatchProcessor applies them one after the other (and the receipt counter every capture writes on
serialises captures anyway, for gap-free numbers); a batch saves only the per-invocation work."""
    write_section(
        "Reconciler throughput",
        f"python bench/reconciler.py --payments {args.payments} --rounds {args.rounds}",
        body,
    )
    print(body)


if __name__ == "__main__":
    main()
