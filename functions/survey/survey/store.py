"""SurveyTable access: the only module of the survey service that talks to DynamoDB.

Items (pk, sk), docs/survey-counters.md explains the counters:
- survey    (`survey#<id>`, `survey`): the definition and its status (`doc`, `status`, `version`), with the
            keys of its two indexes: ByCreated (`list_pk` = `survey`, `created_key` = created_at#id) for the
            staff list, newest first, and OpenByOpened (`open_pk` = `open` only while open, sparse;
            `opened_key` = opened_at#id) for the public list
- response  (`responses#<survey id>`, `<RSP id>`): one response (`doc`); ULIDs sort by submission time, so
            the export reads one partition in order, one page at a time
- marker    (`respondent#<survey id>#device#<sha256 of device id>` or `…#sub#<sha256 of sub>`, `marker`):
            one per device and one per signed-in citizen per survey, put with attribute_not_exists in the
            response's transaction; ids hashed, so the table holds no device or user id in clear
- outbox    (`survey#<id>`, `event#<event id>`): a SurveyStatusChanged event (pmc_common.outbox), written in
            the transaction of the move it announces, published from the table's stream, TTL-deleted after 7 days
- counter   (`counts#<survey id>#<shard>`, `<respondent type>#<chunk>`): numbers named by survey.domain
            (`responses`, `a#<question>`, `v#<question>#<value>`), each an ADD in the response's transaction
Every list is a Query on a key; nothing is ever a Scan."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from pmc_common import dynamo
from pmc_common.errors import Internal
from pmc_common.outbox import OutboxModel
from survey.domain import (
    COUNTER_SHARDS,
    RESPONDENT_TYPES,
    RESPONSES,
    Submission,
    Survey,
    chunks,
    increments,
    shard_of,
    survey_from,
)
from survey.events import emitted
from survey.settings import survey_table_name

SURVEY = "survey"
OPEN = "open"
MARKER = "marker"
EXPORT_PAGE = 100
CONFLICT_ATTEMPTS = 8  # a conflict on a counter item is retried under a new id, so most likely another shard
Outcome = Literal["stored", "already_responded"]


class ByCreated(GlobalSecondaryIndex["SurveyItem"]):
    class Meta:
        index_name = "ByCreated"
        projection = AllProjection()

    list_pk = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class OpenByOpened(GlobalSecondaryIndex["SurveyItem"]):
    class Meta:
        index_name = "OpenByOpened"
        projection = AllProjection()

    open_pk = UnicodeAttribute(hash_key=True)
    opened_key = UnicodeAttribute(range_key=True)


class SurveyItem(dynamo.TableModel):
    class Meta:
        table_name = survey_table_name()

    doc = JSONAttribute(null=True)
    status = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    list_pk = UnicodeAttribute(null=True)
    created_key = UnicodeAttribute(null=True)
    open_pk = UnicodeAttribute(null=True)
    opened_key = UnicodeAttribute(null=True)
    by_created = ByCreated()
    open_by_opened = OpenByOpened()


class OutboxItem(OutboxModel):
    class Meta:
        table_name = survey_table_name()


dynamo.share_connection(SurveyItem, OutboxItem)  # one client for the table and its transactions


def _survey_pk(survey_id: str) -> str:
    return f"survey#{survey_id}"


def _responses_pk(survey_id: str) -> str:
    return f"responses#{survey_id}"


def _marker_pk(survey_id: str, kind: str, who: str) -> str:
    return f"respondent#{survey_id}#{kind}#{hashlib.sha256(who.encode()).hexdigest()}"


def _counts_pk(survey_id: str, shard: int) -> str:
    return f"counts#{survey_id}#{shard}"


def _counts_sk(respondent_type: str, chunk: int) -> str:
    return f"{respondent_type}#{chunk:02d}"


# --- surveys -------------------------------------------------------------------------------------------


def _doc(survey: Survey) -> dict[str, Any]:
    doc = asdict(survey)
    doc.pop("version")
    return doc


def _survey(item: SurveyItem) -> Survey:
    return survey_from({**(item.doc or {}), "status": item.status, "version": int(item.version or 0)})


def _item(survey: Survey) -> SurveyItem:
    is_open = survey.status == OPEN
    return SurveyItem(
        _survey_pk(survey.id),
        SURVEY,
        doc=_doc(survey),
        status=survey.status,
        version=survey.version,
        list_pk=SURVEY,
        created_key=f"{survey.created_at}#{survey.id}",
        open_pk=OPEN if is_open else None,
        opened_key=f"{survey.opened_at}#{survey.id}" if is_open else None,
    )


def get(survey_id: str) -> Survey | None:
    try:
        return _survey(SurveyItem.get(_survey_pk(survey_id), SURVEY, consistent_read=True))
    except SurveyItem.DoesNotExist:
        return None


def create(survey: Survey) -> bool:
    """Put a new survey under a fresh id: False when the id is taken (nothing written)."""
    return dynamo.committed(SurveyItem, lambda tx: tx.save(_item(survey), condition=SurveyItem.pk.does_not_exist()))


def save(before: Survey, after: Survey) -> Survey | None:
    """Write a status move on the version read, with its domain events as outbox items in the same
    transaction: None when the survey changed meanwhile (nothing written)."""
    moved = replace(after, version=before.version + 1)

    def writes(tx: TransactWrite) -> None:
        tx.save(_item(moved), condition=SurveyItem.version == before.version)
        for event in emitted(before, moved):
            tx.save(OutboxItem.item(_survey_pk(moved.id), event), condition=OutboxItem.pk.does_not_exist())

    return moved if dynamo.committed(SurveyItem, writes) else None


def put(survey: Survey) -> None:
    """Seed only: write a survey as it is."""
    _item(survey).save()


def open_surveys(limit: int) -> list[Survey]:
    """Open surveys, opened_at descending: one Query of the sparse index, at most `limit`."""
    found = SurveyItem.open_by_opened.query(OPEN, scan_index_forward=False, limit=limit, page_size=limit)
    return [_survey(item) for item in found]


def page(limit: int, start: dict[str, Any] | None) -> tuple[list[Survey], dict[str, Any] | None]:
    """Every survey, created_at descending (ties by id), one page."""
    found = SurveyItem.by_created.query(
        SURVEY, scan_index_forward=False, limit=limit, last_evaluated_key=start, page_size=limit
    )
    items = [_survey(item) for item in found]
    return items, found.last_evaluated_key if len(items) == limit else None


# --- responses -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewResponse:
    """One response to store, with what keeps it one per device (and per citizen) and how it came in."""

    survey: Survey
    submission: Submission
    response_id: str
    submitted_at: str
    channel: str
    device_id: str
    sub: str | None


def submit(
    survey: Survey,
    submission: Submission,
    *,
    response_id: str,
    submitted_at: str,
    channel: str,
    device_id: str,
    sub: str | None,
    next_id: Any = None,
) -> tuple[Outcome, str]:
    """Store one response in one transaction with its one-per-device (and per-citizen) markers and the
    counters it moves: ("stored", id), or ("already_responded", "") when a marker exists (nothing written).
    A transaction DynamoDB cancels for a conflict (another response on the same counter item) wrote nothing
    and is tried again under a new id from `next_id`, hence probably another shard."""
    response = NewResponse(survey, submission, response_id, submitted_at, channel, device_id, sub)
    for _ in range(CONFLICT_ATTEMPTS):
        try:
            _write(response)
        except TransactWriteError as error:
            if dynamo.condition_failed(error, at=1) or (sub is not None and dynamo.condition_failed(error, at=2)):
                return "already_responded", ""
            if not (dynamo.transaction_conflicted(error) or dynamo.condition_failed(error, at=0)) or next_id is None:
                raise
            response = replace(response, response_id=next_id())
            continue
        return "stored", response.response_id
    raise Internal("The response could not be stored; please try again")


def _write(response: NewResponse) -> None:
    survey, submission, response_id = response.survey, response.submission, response.response_id
    doc = {
        "id": response_id,
        "submitted_at": response.submitted_at,
        "respondent_type": submission.respondent_type,
        "channel": response.channel,
        "answers": submission.answers,
    }
    shard = shard_of(response_id)
    new = SurveyItem.pk.does_not_exist()
    with dynamo.transaction(SurveyItem) as tx:
        tx.save(SurveyItem(_responses_pk(survey.id), response_id, doc=doc), condition=new)  # 0
        tx.save(SurveyItem(_marker_pk(survey.id, "device", response.device_id), MARKER), condition=new)  # 1
        if response.sub is not None:
            tx.save(SurveyItem(_marker_pk(survey.id, "sub", response.sub), MARKER), condition=new)  # 2
        for chunk, added in sorted(increments(survey, submission).items()):
            counter = SurveyItem(_counts_pk(survey.id, shard), _counts_sk(submission.respondent_type, chunk))
            tx.update(counter, actions=[Path([name]).add(n) for name, n in sorted(added.items())])


def prepare_counters(survey: Survey) -> None:
    """Create every counter item of the survey, empty, before it opens: from then on the results read the
    same items at any number of responses. ADD of 0 creates a missing item and leaves a counted one as it
    is, so a repeat is harmless; at most 100 items a transaction (8 × 2 × 10 = 160 for the largest survey)."""
    keys = [
        (_counts_pk(survey.id, shard), _counts_sk(respondent_type, chunk))
        for shard in range(COUNTER_SHARDS)
        for respondent_type in RESPONDENT_TYPES
        for chunk in range(chunks(survey))
    ]
    for start in range(0, len(keys), 100):
        with dynamo.transaction(SurveyItem) as tx:
            for pk, sk in keys[start : start + 100]:
                tx.update(SurveyItem(pk, sk), actions=[Path([RESPONSES]).add(0)])


def counters(survey: Survey) -> tuple[dict[str, list[dict[str, int]]], int]:
    """Every counter item of the survey by respondent type, and how many items were read: one Query per
    shard, each at most 2 × chunks items, whatever the number of responses."""
    connection = SurveyItem._get_connection()
    by_type: dict[str, list[dict[str, int]]] = {"citizen": [], "tourist": []}
    read = 0
    for shard in range(COUNTER_SHARDS):
        start: dict[str, Any] | None = None
        while True:
            reply = connection.query(
                _counts_pk(survey.id, shard),
                exclusive_start_key=start,
                consistent_read=True,
                limit=2 * chunks(survey) + 1,
            )
            for raw in reply.get("Items", []):
                read += 1
                respondent_type = raw["sk"]["S"].split("#", 1)[0]
                numbers = {k: int(v["N"]) for k, v in raw.items() if "N" in v}
                by_type.setdefault(respondent_type, []).append(numbers)
            start = reply.get("LastEvaluatedKey")
            if not start:
                break
    return by_type, read


def responses(survey_id: str) -> Iterator[dict[str, Any]]:
    """A survey's responses by submission time (ties by id), read a page of EXPORT_PAGE at a time: only one
    page is held, whatever the number of responses."""
    for item in SurveyItem.query(_responses_pk(survey_id), page_size=EXPORT_PAGE):
        yield item.doc


def response_count(survey_id: str) -> int:
    """Stored responses of a survey, counted by DynamoDB (tests and the seed's check, never a request)."""
    return sum(1 for _ in SurveyItem.query(_responses_pk(survey_id), attributes_to_get=["pk"]))


def marker_exists(survey_id: str, kind: Literal["device", "sub"], who: str) -> bool:
    try:
        SurveyItem.get(_marker_pk(survey_id, kind, who), MARKER, consistent_read=True)
    except SurveyItem.DoesNotExist:
        return False
    return True
