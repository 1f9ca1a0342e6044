"""GET/PUT /me/preferences (issue 16): a citizen's SMS language, Marathi until chosen; strict body; the
notifier texts each recipient in their language only (moto's SNS records what was sent)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.sns.models import sns_backends

from local.events import eventbridge_event
from local.template import ACCOUNT_ID, REGION
from pmc_common import ids
from pmc_common.clock import iso
from tests.harness import Api, Caller, lambda_context

AT = datetime(2026, 7, 1, 4, 30, tzinfo=UTC)
PROBLEM = "application/problem+json"


def fresh_citizen() -> Caller:
    return Caller(f"+9198{uuid.uuid4().int % 10**8:08d}")


def test_the_language_is_marathi_until_chosen_then_kept(api: Api) -> None:
    citizen = fresh_citizen()
    reply = api.get("/me/preferences", caller=citizen)
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.json() == {"language": "mr"}

    put = api.request("PUT", "/me/preferences", json_body={"language": "en"}, caller=citizen)
    assert put.status == 200
    assert put.json() == {"language": "en"}
    assert api.get("/me/preferences", caller=citizen).json() == {"language": "en"}
    assert api.get("/me/preferences", caller=fresh_citizen()).json() == {"language": "mr"}  # per citizen

    assert api.request("PUT", "/me/preferences", json_body={"language": "mr"}, caller=citizen).status == 200
    assert api.get("/me/preferences", caller=citizen).json() == {"language": "mr"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "hi"}, "body.language"),
        ({"language": "EN"}, "body.language"),
        ({"language": None}, "body.language"),
        ({"language": 1}, "body.language"),
        ({}, "body.language"),
        ({"language": "en", "sms": False}, "body.sms"),
        ([], "body"),
    ],
)
def test_a_bad_body_is_422_and_changes_nothing(api: Api, body: Any, field: str) -> None:
    citizen = fresh_citizen()
    assert api.request("PUT", "/me/preferences", json_body={"language": "en"}, caller=citizen).status == 200
    reply = api.request("PUT", "/me/preferences", json_body=body, caller=citizen)
    assert reply.status == 422
    assert reply.headers["content-type"] == PROBLEM
    problem = reply.json()
    assert problem["type"] == "https://pmc.example/problems/validation"
    assert field in [e["field"] for e in problem["errors"]]
    assert api.get("/me/preferences", caller=citizen).json() == {"language": "en"}


def test_an_empty_or_non_json_body_changes_nothing(api: Api) -> None:
    citizen = fresh_citizen()
    assert api.request("PUT", "/me/preferences", json_body={"language": "en"}, caller=citizen).status == 200
    empty = api.request(
        "PUT", "/me/preferences", body=b"", headers={"content-type": "application/json"}, caller=citizen
    )
    assert empty.status in (400, 422)
    assert empty.headers["content-type"] == PROBLEM
    text = api.request(
        "PUT", "/me/preferences", body=b"language=mr", headers={"content-type": "text/plain"}, caller=citizen
    )
    assert text.status == 400
    assert text.headers["content-type"] == PROBLEM
    broken = api.request(
        "PUT", "/me/preferences", body=b'{"language": ', headers={"content-type": "application/json"}, caller=citizen
    )
    assert broken.status == 400
    assert api.get("/me/preferences", caller=citizen).json() == {"language": "en"}


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_preferences_need_a_token(api: Api, method: str) -> None:
    reply = api.request(method, "/me/preferences", json_body={"language": "en"} if method == "PUT" else None)
    assert reply.status == 401
    assert reply.headers["content-type"] == PROBLEM


# --- the notifier, one language per recipient ------------------------------------------------------


def sms_ids() -> set[str]:
    return set(sns_backends[ACCOUNT_ID][REGION].sms_messages)


def sent_since(before: set[str]) -> dict[str, str]:
    """phone number -> text of the SMS moto recorded since `before` (one each here)."""
    sent = [v for k, v in sns_backends[ACCOUNT_ID][REGION].sms_messages.items() if k not in before]
    assert len({phone for phone, _ in sent}) == len(sent), "a recipient got two texts"
    return dict(sent)


def bus_event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return eventbridge_event(
        {
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": "pmc.grievance",
            "time": iso(AT + timedelta(hours=1)),
            "detail": {"event_id": str(uuid.uuid4()), **detail},
        }
    )


@pytest.fixture
def people(api: Api) -> dict[str, Any]:
    """A grievance whose owner chose English, a follower who chose Marathi, one who never chose (Marathi)
    and one who chose English; subs as the tokens carry them."""
    from grievance import domain, store
    from local.tokens import subject_of

    phones = {name: f"+9197{uuid.uuid4().int % 10**8:08d}" for name in ("owner", "marathi", "silent", "english")}
    for name, language in (("owner", "en"), ("marathi", "mr"), ("english", "en")):
        reply = api.request("PUT", "/me/preferences", json_body={"language": language}, caller=Caller(phones[name]))
        assert reply.status == 200
    change = domain.log(
        grievance_id=ids.grievance_id(AT),
        category="illegal_construction",
        department="building_control",
        sla_hours=168,
        ward="W10",
        description="Extra floor being built without permission.",
        lat=18.55,
        lng=73.92,
        owner_sub=subject_of(phones["owner"]),
        owner_phone_number=phones["owner"],
        channel="app",
        now=AT,
    )
    store.create(change)
    g = store.get(change.grievance.id)
    assert g is not None
    for name in ("marathi", "silent", "english"):
        assert store.follow(g, subject_of(phones[name]), phones[name], iso(AT))
    return {"g": g, "phones": phones}


def test_a_status_change_texts_each_recipient_in_their_language_only(people: dict[str, Any]) -> None:
    from grievance import messages, notifier

    g, phones = people["g"], people["phones"]
    before = sms_ids()
    event = bus_event(
        "GrievanceStatusChanged",
        {
            "grievance_id": g.id,
            "from_status": "submitted",
            "to_status": "assigned",
            "category": g.category,
            "ward": g.ward,
            "department": g.department,
            "at": iso(AT),
        },
    )
    assert notifier.handler(event, lambda_context()) == {"sent": 4}
    assert sent_since(before) == {
        phones["owner"]: f"PMC CARE: Your complaint {g.id} is now Assigned.",
        phones["marathi"]: f"PMC CARE: आपण पाठपुरावा करत असलेली तक्रार {g.id} - सद्यस्थिती: कर्मचाऱ्याकडे सोपवली.",
        phones["silent"]: f"PMC CARE: आपण पाठपुरावा करत असलेली तक्रार {g.id} - सद्यस्थिती: कर्मचाऱ्याकडे सोपवली.",
        phones["english"]: f"PMC CARE: Complaint {g.id} you follow is now Assigned.",
    }
    assert all(messages.segments(text) <= 2 for text in sent_since(before).values())


def test_an_escalation_texts_each_recipient_in_their_language_only(people: dict[str, Any]) -> None:
    from grievance import messages, notifier

    g, phones = people["g"], people["phones"]
    before = sms_ids()
    event = bus_event(
        "GrievanceEscalated",
        {
            "grievance_id": g.id,
            "level": 2,
            "category": g.category,
            "ward": g.ward,
            "department": g.department,
            "due_at": iso(AT + timedelta(hours=84)),
        },
    )
    assert notifier.handler(event, lambda_context()) == {"sent": 4}
    english = (
        f"PMC CARE: Complaint {g.id} is overdue and has been escalated to the "
        "head of the Building Control (Building Permission) department (level 2)."
    )
    marathi = (
        f"PMC CARE: तक्रार {g.id} मुदत उलटल्याने बांधकाम विकास विभाग (बांधकाम परवानगी) विभागप्रमुख यांच्याकडे पाठवली आहे (स्तर 2)."
    )
    sent = sent_since(before)
    assert sent == {
        phones["owner"]: english,
        phones["marathi"]: marathi,
        phones["silent"]: marathi,
        phones["english"]: english,
    }
    assert [messages.segments(sent[phones[n]]) for n in ("owner", "marathi")] == [1, 2]  # the longest department


def test_a_changed_preference_applies_to_the_next_sms(api: Api, people: dict[str, Any]) -> None:
    from grievance import notifier

    g, phones = people["g"], people["phones"]
    assert (
        api.request("PUT", "/me/preferences", json_body={"language": "mr"}, caller=Caller(phones["owner"])).status
        == 200
    )
    before = sms_ids()
    event = bus_event(
        "GrievanceStatusChanged",
        {
            "grievance_id": g.id,
            "from_status": "assigned",
            "to_status": "in_progress",
            "category": g.category,
            "ward": g.ward,
            "department": g.department,
            "at": iso(AT),
        },
    )
    notifier.handler(event, lambda_context())
    assert sent_since(before)[phones["owner"]] == f"PMC CARE: आपली तक्रार {g.id} - सद्यस्थिती: काम सुरू."


def test_preference_items_are_not_outbox_events(people: dict[str, Any]) -> None:
    """The preferences item lives in GrievancesTable; it is no grievance and no event for the relay."""
    from grievance import preferences, store
    from local.tokens import subject_of

    item = store.GrievanceItem.get(f"citizen#{subject_of(people['phones']['owner'])}", "preferences")
    assert item.kind == "preferences"
    assert json.loads(json.dumps(item.doc))["language"] == "en"
    assert preferences.languages([]) == {}
