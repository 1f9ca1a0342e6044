"""The survey's outbox (issue 18 reuses pmc_common.outbox): opening and closing write one SurveyStatusChanged
outbox item each in the move's own transaction, a repeat or a refused move none; SurveyTable's real stream
carries them past the relay's filter (responses, markers and counters never pass it), and the relay puts them
on the bus."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.aws import LocalAws
from local.events import dynamodb_stream_record
from local.streams import passes
from local.template import Template
from pmc_common import clients
from pmc_common.clock import FixedClock
from tests.harness import ADMIN, STAFF, Api, fixed_clock, lambda_context
from tests.integration.test_survey_api import answer, citizen_body, definition


def outbox(survey_id: str) -> list[Any]:
    from survey import store

    items = store.OutboxItem.query(f"survey#{survey_id}", store.OutboxItem.sk.startswith("event#"))
    return sorted(items, key=lambda i: (i.created_at, i.sk))


def passing_records(local_aws: LocalAws, template: Template, survey_id: str) -> list[dict[str, Any]]:
    """Every record of the survey's own items and its counters on SurveyTable's stream, as Lambda hands them
    over, that the relay's FilterCriteria pass."""
    (relay,) = [s for s in template.stream_sources if s.table == "SurveyTable"]
    arn = local_aws.client("dynamodb").describe_table(TableName="SurveyTable")["Table"]["LatestStreamArn"]
    streams = local_aws.client("dynamodbstreams")
    found = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        position = iterator.get("ShardIterator")
        while position:
            page = streams.get_records(ShardIterator=position, Limit=1000)
            for record in page["Records"]:
                shaped = dynamodb_stream_record(record, arn)
                if survey_id in record["dynamodb"]["Keys"]["pk"]["S"] and passes(relay.filters, shaped):
                    found.append(shaped)
            position = page.get("NextShardIterator") if page["Records"] else None
    return found


class Bus:
    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.accepted.extend(Entries)
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(uuid.uuid4())}]}


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Bus:
    recording = Bus()
    real = clients.client
    monkeypatch.setattr(clients, "client", lambda service: recording if service == "events" else real(service))
    return recording


@pytest.fixture
def clock(api: Api) -> Iterator[FixedClock]:
    """Fixed time, moved on between the moves: two events within one second have no order of their own."""
    yield from fixed_clock("survey", datetime(2026, 12, 1, 6, 0, tzinfo=UTC))


def test_open_and_close_each_emit_one_event_through_the_stream(
    api: Api, local_aws: LocalAws, template: Template, bus: Bus, clock: FixedClock
) -> None:
    created = api.request("POST", "/admin/surveys", json_body=definition(), caller=ADMIN).json()
    survey_id = created["id"]
    assert outbox(survey_id) == []  # a draft announces nothing
    assert api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF).status == 200
    assert api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF).status == 200  # unchanged
    assert answer(api, survey_id, citizen_body()).status == 201  # a response emits nothing
    clock.advance(timedelta(days=7))
    assert api.request("POST", f"/admin/surveys/{survey_id}/close", caller=STAFF).status == 200
    assert api.request("POST", f"/admin/surveys/{survey_id}/open", caller=STAFF).status == 409  # refused: none
    items = outbox(survey_id)
    details = [json.loads(i.detail) for i in items]
    assert [(d["survey_id"], d["from_status"], d["to_status"]) for d in details] == [
        (survey_id, "draft", "open"),
        (survey_id, "open", "closed"),
    ]
    assert {(i.kind, i.source, i.detail_type) for i in items} == {("outbox", "pmc.survey", "SurveyStatusChanged")}

    records = passing_records(local_aws, template, survey_id)
    assert len(records) == 2  # the outbox INSERTs only: no response, marker or counter record passes
    from survey import outbox_relay  # reads its settings at import: after the local AWS has set them

    assert outbox_relay.handler({"Records": records}, lambda_context()) == {"batchItemFailures": []}
    assert [json.loads(e["Detail"])["event_id"] for e in bus.accepted] == [d["event_id"] for d in details]
    assert {e["Source"] for e in bus.accepted} == {"pmc.survey"}
