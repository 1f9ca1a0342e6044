"""The sample events of events/ for `sam local invoke` (README.md): the reconciler's SQS batch holds a captured
webhook's, a confirm's and a stale_payments message exactly as payments.intake and payments.stale enqueue them,
and the stale_payments schedule event runs the function. Each is accepted by the handler it is for."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local.aws import LocalAws
from tests.harness import lambda_context
from tests.integration.test_payments_intake import drained

EVENTS = Path(__file__).resolve().parents[2] / "events"
# The keys each producer puts in a message (payments.intake.confirm / webhook, payments.stale.news).
WEBHOOK_KEYS = {
    "source",
    "event_id",
    "event",
    "payment_id",
    "gateway_payment_id",
    "gateway_order_id",
    "amount_paise",
    "currency",
    "status",
}
CONFIRM_KEYS = {"source", "payment_id", "gateway_order_id", "gateway_payment_id"}


def sample(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def bodies() -> list[dict[str, Any]]:
    return [json.loads(record["body"]) for record in sample("reconciler_sqs_batch.json")["Records"]]


def test_each_record_is_a_message_as_its_producer_enqueues_it(local_aws: LocalAws) -> None:
    from payments import reconciler

    records = sample("reconciler_sqs_batch.json")["Records"]
    assert [json.loads(r["body"])["source"] for r in records] == ["webhook", "confirm", "stale"]
    for record in records:
        body = json.loads(record["body"])
        assert record["body"] == json.dumps(body, sort_keys=True)  # intake.enqueue's serialisation
        assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()  # noqa: S324 - SQS's checksum
        assert record["eventSource"] == "aws:sqs"
        reconciler.Message.model_validate(body)  # strict: what the reconciler accepts
    webhook, confirm, _ = bodies()
    assert set(webhook) == WEBHOOK_KEYS
    assert (webhook["event"], webhook["status"], webhook["currency"]) == ("payment.captured", "captured", "INR")
    assert set(confirm) == CONFIRM_KEYS


def test_the_stale_record_is_what_stale_payments_enqueues_for_an_expired_order(local_aws: LocalAws) -> None:
    from payments import stale
    from payments.domain import Payment, PaymentLine

    *_, message = bodies()
    payment = Payment(
        id=message["payment_id"],
        owner_sub="citizen",
        kind="water_bill",
        reference="WC-1000001",
        ward="W07",
        amount_paise=86778,
        lines=(PaymentLine("2026-27-Q1", "2026-27", 84250, 0, 2528, 86778),),
        rebates=(),
        gateway="razorpay",
        gateway_order_id=message["gateway_order_id"],
        gateway_key_id="rzp_live_x",
        checkout_url=None,
        created_at="2026-09-02T06:00:00Z",
        expires_at="2026-09-02T06:30:00Z",
    )

    class NoAttempts:
        def fetch_order_payments(self, order_id: str) -> list[Any]:
            return []

    at = datetime(2026, 9, 2, 6, 40, tzinfo=UTC)
    assert stale.news(payment, NoAttempts(), at) == message  # type: ignore[arg-type]


def test_the_reconciler_accepts_the_sample_batch_and_changes_nothing_it_does_not_know(local_aws: LocalAws) -> None:
    """Against a table without those payments: every record is processed (no batch item failure) and ignored."""
    from payments import payment_store, reconciler

    event = sample("reconciler_sqs_batch.json")
    assert reconciler.handler(event, lambda_context()) == {"batchItemFailures": []}
    for body in bodies():
        assert payment_store.get(body["payment_id"]) is None
        assert not payment_store.applied(f"{body.get('gateway_payment_id')}#capture")


def test_a_malformed_record_in_the_sample_batch_fails_alone(local_aws: LocalAws) -> None:
    from payments import reconciler

    event = sample("reconciler_sqs_batch.json")
    event["Records"][1]["body"] = json.dumps({"source": "confirm", "payment_id": "PAY-not-ours"})
    assert reconciler.handler(event, lambda_context()) == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]
    }


@pytest.mark.parametrize("repeat", [1, 2])
def test_the_stale_payments_schedule_event_runs_with_no_open_payments(local_aws: LocalAws, repeat: int) -> None:
    """Its time (2026-04-01) precedes every payment the tests create: nothing to check, nothing enqueued,
    whichever time it runs (schedules are idempotent for one event)."""
    from payments import stale

    drained(local_aws)
    event = sample("stale_payments_schedule.json")
    assert event["detail-type"] == "Scheduled Event"
    result = stale.handler(event, lambda_context())
    assert result == {"event_id": event["id"], "time": "2026-04-01T00:00:00Z", "checked": 0, "enqueued": 0}
    assert drained(local_aws) == []
