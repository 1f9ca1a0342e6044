"""The notifier (API.md 3.11) against moto: EventBridge events in, one SMS per recipient out, read
back from moto's SNS backend (the threaded server runs in this process), and no phone number in any log.
These recipients never chose a language: Marathi (test_grievance_preferences.py covers the choice)."""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.sns.models import sns_backends

from grievance import notifier, store
from grievance.domain import Grievance
from local.events import eventbridge_event
from local.template import ACCOUNT_ID, REGION
from pmc_common import ids
from pmc_common.clock import iso
from tests import grievances
from tests.harness import lambda_context

OWNER = "+919800000011"
FOLLOWER = "+919800000012"
SILENT_FOLLOWER = None  # followed without a phone number on the token: gets nothing
AT = datetime(2026, 7, 1, 4, 30, tzinfo=UTC)


def sms_ids() -> set[str]:
    return set(sns_backends[ACCOUNT_ID][REGION].sms_messages)


def sent_since(before: set[str]) -> list[tuple[str, str]]:
    """(phone number, text) of the SMS moto recorded since `before`."""
    return [v for k, v in sns_backends[ACCOUNT_ID][REGION].sms_messages.items() if k not in before]


@pytest.fixture
def followed(local_aws: Any) -> Grievance:
    """An open grievance with its owner, one follower with a phone number and one without."""
    change = grievances.logged(
        AT,
        grievance_id=ids.grievance_id(AT),
        **grievances.POTHOLE_W09,
        owner_sub=f"owner-{uuid.uuid4()}",
        owner_phone_number=OWNER,
    )
    assert store.create(change)
    g = store.get(change.grievance.id)
    assert g is not None
    assert store.follow(g, f"follower-{uuid.uuid4()}", FOLLOWER, iso(AT))
    assert store.follow(g, f"follower-{uuid.uuid4()}", SILENT_FOLLOWER, iso(AT))
    return g


def bus_event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return eventbridge_event(
        {
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": "pmc.grievance",
            "time": iso(AT + timedelta(hours=1)),
            "detail": detail,
        }
    )


def status_event(g: Grievance, from_status: str | None, to_status: str) -> dict[str, Any]:
    return bus_event(
        "GrievanceStatusChanged",
        {
            "grievance_id": g.id,
            "from_status": from_status,
            "to_status": to_status,
            "category": g.category,
            "ward": g.ward,
            "department": g.department,
            "at": iso(AT + timedelta(hours=1)),
        },
    )


def test_a_status_change_texts_the_owner_and_each_follower_with_a_phone(followed: Grievance) -> None:
    before = sms_ids()

    result = notifier.handler(status_event(followed, "assigned", "in_progress"), lambda_context())

    assert result == {"sent": 2}
    assert sorted(sent_since(before)) == sorted(
        [
            (OWNER, f"PMC CARE: आपली तक्रार {followed.id} - सद्यस्थिती: काम सुरू."),
            (FOLLOWER, f"PMC CARE: आपण पाठपुरावा करत असलेली तक्रार {followed.id} - सद्यस्थिती: काम सुरू."),
        ]
    )


def test_an_escalation_texts_everyone_the_same_words(followed: Grievance) -> None:
    before = sms_ids()
    event = bus_event(
        "GrievanceEscalated",
        {
            "grievance_id": followed.id,
            "level": 1,
            "category": followed.category,
            "ward": followed.ward,
            "department": followed.department,
            "due_at": iso(AT + timedelta(hours=49)),
        },
    )

    result = notifier.handler(event, lambda_context())

    text = f"PMC CARE: तक्रार {followed.id} मुदत उलटल्याने सहाय्यक आयुक्त, कोथरूड–बावधन यांच्याकडे पाठवली आहे (स्तर 1)."
    assert result == {"sent": 2}
    assert sorted(sent_since(before)) == [(OWNER, text), (FOLLOWER, text)]


def test_an_open311_grievance_without_an_owner_phone_texts_only_followers(followed: Grievance) -> None:
    read = store.get(followed.id)
    assert read is not None
    assert store.save_quietly(replace(read, owner_phone_number=None), read=read)
    before = sms_ids()

    result = notifier.handler(status_event(followed, "submitted", "assigned"), lambda_context())

    assert result == {"sent": 1}
    assert [phone for phone, _ in sent_since(before)] == [FOLLOWER]


def test_an_unknown_grievance_or_event_type_sends_nothing(local_aws: Any) -> None:
    before = sms_ids()
    unknown = bus_event("GrievanceStatusChanged", {"grievance_id": "GRV-2607-ZZZZZZ", "to_status": "assigned"})
    assert notifier.handler(unknown, lambda_context()) == {"sent": 0}
    assert notifier.handler(bus_event("GrievanceNoted", {"grievance_id": "GRV-2607-ZZZZZZ"}), lambda_context()) == {
        "sent": 0
    }
    assert sent_since(before) == []


def test_no_phone_number_reaches_the_logs(
    followed: Grievance, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    service_log = io.StringIO()
    handler = logging.StreamHandler(service_log)
    handler.setFormatter(notifier.logger.registered_formatter)  # JSON with the extra keys, as in Lambda
    service_logger = logging.getLogger("grievance")  # Powertools' Logger(service="grievance")
    service_logger.addHandler(handler)
    level = service_logger.level
    service_logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.INFO)
    try:
        notifier.handler(status_event(followed, "in_progress", "resolved"), lambda_context())
    finally:
        service_logger.removeHandler(handler)
        service_logger.setLevel(level)

    captured = capsys.readouterr()
    logged = service_log.getvalue() + caplog.text + captured.out + captured.err
    assert followed.id in service_log.getvalue()  # the capture works: the grievance id is logged
    assert '"sent":2' in service_log.getvalue().replace(" ", "")
    for phone in (OWNER, FOLLOWER, OWNER.removeprefix("+"), FOLLOWER[-10:]):
        assert phone not in logged


def test_a_redelivered_event_sends_nothing_twice(followed: Grievance) -> None:
    event = status_event(followed, "in_progress", "resolved")
    before = sms_ids()
    first = notifier.handler(event, lambda_context())
    again = notifier.handler(event, lambda_context())  # EventBridge delivers at least once
    assert first == again == {"sent": 2}
    assert len(sent_since(before)) == 2
