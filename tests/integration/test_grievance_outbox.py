"""The transactional outbox (issue 15) on the session's DynamoDB engine: every change writes its domain events
as outbox items in its own transaction, the relay puts them on the bus from the table's real stream records
with partial batch failures, and a bus that refuses an entry loses no event and doubles no SMS."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.sns.models import sns_backends

from grievance import domain, notifier, store
from grievance.domain import Grievance
from local.aws import LocalAws
from local.events import dynamodb_stream_record, eventbridge_event
from local.streams import passes
from local.template import ACCOUNT_ID, REGION, Template
from pmc_common import clients, ids
from pmc_common.clock import iso
from pmc_common.errors import Conflict
from tests import grievances
from tests.harness import CITIZEN, Api, lambda_context
from tests.integration.test_grievance_api import GARBAGE

OWNER = "+919800000031"
FOLLOWER = "+919800000032"
AT = datetime(2027, 2, 1, 5, 0, tzinfo=UTC)


def outbox(grievance_id: str) -> list[Any]:
    """The grievance's outbox items, oldest first."""
    items = store.OutboxItem.query(grievance_id, store.OutboxItem.sk.startswith("event#"))
    return sorted(items, key=lambda i: (i.created_at, i.sk))


def stream_records(local_aws: LocalAws, template: Template, grievance_id: str) -> list[dict[str, Any]]:
    """The grievance's records on GrievancesTable's stream that the relay's FilterCriteria pass, in stream
    order, shaped as Lambda hands them over."""
    (relay,) = [s for s in template.stream_sources if s.table == "GrievancesTable"]  # the survey has its own
    table = local_aws.client("dynamodb").describe_table(TableName="GrievancesTable")["Table"]
    streams = local_aws.client("dynamodbstreams")
    arn = table["LatestStreamArn"]
    found = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        position = iterator.get("ShardIterator")
        while position:
            page = streams.get_records(ShardIterator=position, Limit=1000)
            for record in page["Records"]:
                shaped = dynamodb_stream_record(record, arn)
                if record["dynamodb"]["Keys"]["pk"]["S"] == grievance_id and passes(relay.filters, shaped):
                    found.append(shaped)
            position = page.get("NextShardIterator") if page["Records"] else None
    return found


class FlakyBus:
    """PutEvents that refuses chosen event ids on their first attempt (200 with FailedEntryCount, as
    EventBridge does) and otherwise accepts; records every accepted entry."""

    def __init__(self) -> None:
        self.refuse_once: set[str] = set()
        self.refuse_all = False
        self.accepted: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        event_id = json.loads(Entries[0]["Detail"])["event_id"]
        if self.refuse_all or event_id in self.refuse_once:
            self.refuse_once.discard(event_id)
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}]}
        self.accepted.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(uuid.uuid4())}]}


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> FlakyBus:
    flaky = FlakyBus()
    real = clients.client
    monkeypatch.setattr(clients, "client", lambda service: flaky if service == "events" else real(service))
    return flaky


def relay(records: list[dict[str, Any]]) -> Any:
    from grievance import outbox_relay  # reads its settings at import: after the local AWS has set them

    return outbox_relay.handler({"Records": records}, lambda_context())


@pytest.fixture
def followed(local_aws: LocalAws) -> Grievance:
    """A grievance logged, assigned and started: three status changes, an owner and a follower with phones."""
    change = grievances.logged(
        AT,
        grievance_id=ids.grievance_id(AT),
        **grievances.POTHOLE_W09,
        owner_sub=f"owner-{uuid.uuid4()}",
        owner_phone_number=OWNER,
    )
    g = store.create(change)
    assert store.follow(g, f"follower-{uuid.uuid4()}", FOLLOWER, iso(AT))
    for minutes, status in ((5, "assigned"), (10, "in_progress")):
        read = store.get(g.id)
        assert read is not None
        moved = domain.staff_change(
            read, status=status, assignee="JE Roads", note=None, now=AT + timedelta(minutes=minutes)
        )
        store.save(moved, read=read)
    return g


def sms_ids() -> set[str]:
    return set(sns_backends[ACCOUNT_ID][REGION].sms_messages)


def test_every_status_change_writes_exactly_one_outbox_item_and_a_refused_change_none(followed: Grievance) -> None:
    items = outbox(followed.id)
    details = [json.loads(i.detail) for i in items]
    assert [(d["from_status"], d["to_status"]) for d in details] == [
        (None, "submitted"),
        ("submitted", "assigned"),
        ("assigned", "in_progress"),
    ]
    for item, detail in zip(items, details, strict=True):
        assert item.sk == f"event#{detail['event_id']}"
        assert (item.kind, item.source, item.detail_type) == ("outbox", "pmc.grievance", "GrievanceStatusChanged")
        assert item.expires_at == int(datetime.fromisoformat(item.created_at).timestamp()) + 7 * 24 * 3600
    read = store.get(followed.id)
    assert read is not None
    noted = domain.staff_change(read, status=None, assignee=None, note="Crew on site.", now=AT + timedelta(hours=1))
    store.save(noted, read=read)  # a note changes no status: no event
    stale = domain.staff_change(
        read, status="resolved", assignee=None, note=None, now=AT + timedelta(hours=2), proof={"resolution_photos": 1}
    )
    with pytest.raises(Conflict):
        store.save(stale, read=read)  # the version moved: the transaction, and its outbox item, never happened
    assert len(outbox(followed.id)) == 3


def test_a_create_answers_201_while_the_bus_refuses_everything(api: Api, bus: FlakyBus) -> None:
    bus.refuse_all = True

    reply = api.request("POST", "/grievances", json_body=GARBAGE, caller=CITIZEN)

    assert reply.status == 201, reply.body
    (item,) = outbox(reply.json()["id"])
    assert json.loads(item.detail)["to_status"] == "submitted"  # waiting in the outbox for the relay


def test_a_refused_entry_is_retried_from_its_record_and_no_event_is_lost_or_texted_twice(
    local_aws: LocalAws, template: Template, followed: Grievance, bus: FlakyBus
) -> None:
    records = stream_records(local_aws, template, followed.id)
    assert len(records) == 3  # the three outbox INSERTs; the grievance, follower, counter and marker writes filtered
    second = records[1]["dynamodb"]["SequenceNumber"]
    bus.refuse_once = {json.loads(records[1]["dynamodb"]["NewImage"]["detail"]["S"])["event_id"]}

    first_try = relay(records)
    # Lambda checkpoints before the first failed record and delivers from it again, later records included
    retry = relay(records[1:])

    assert first_try == {"batchItemFailures": [{"itemIdentifier": second}]}
    assert retry == {"batchItemFailures": []}
    published = [json.loads(e["Detail"])["event_id"] for e in bus.accepted]
    event_ids = [json.loads(i.detail)["event_id"] for i in outbox(followed.id)]
    assert sorted(set(published)) == sorted(event_ids)  # none lost
    assert len(published) == 4  # the third went out twice: the retry started before it
    assert {e["Source"] for e in bus.accepted} == {"pmc.grievance"}

    before = sms_ids()
    for entry in bus.accepted:  # each publication is a new EventBridge event with its own envelope id
        envelope = {"id": str(uuid.uuid4()), "source": entry["Source"], "detail-type": entry["DetailType"]}
        notifier.handler(eventbridge_event({**envelope, "detail": json.loads(entry["Detail"])}), lambda_context())
    sent = [v for k, v in sns_backends[ACCOUNT_ID][REGION].sms_messages.items() if k not in before]
    assert sorted(phone for phone, _ in sent) == sorted([OWNER, FOLLOWER] * 3)  # one SMS per event and person


def test_the_relay_fails_a_record_that_is_not_an_outbox_item(
    local_aws: LocalAws, template: Template, followed: Grievance, bus: FlakyBus
) -> None:
    (record, *_) = stream_records(local_aws, template, followed.id)
    stray = json.loads(json.dumps(record))
    stray["dynamodb"]["SequenceNumber"] = "0"
    stray["dynamodb"]["NewImage"]["kind"] = {"S": "grievance"}  # what a wrong FilterCriteria would let in

    result = relay([stray, record])

    assert result == {"batchItemFailures": [{"itemIdentifier": "0"}]}
    assert len(bus.accepted) == 1
