"""DynamoDB stream event source mappings, emulated: one thread per mapping reads the table's stream (DynamoDB
Local or moto, through the dynamodbstreams API), keeps the records its FilterCriteria pass, and invokes the
function in batches of its BatchSize with Lambda's retry rules for streams.

A shard is read in order and never skipped past a failure: a batch whose function raises is retried (halved
with BisectBatchOnFunctionError), one that reports batchItemFailures is retried from the first record
reported; a batch given up (MaximumRetryAttempts, MaximumRecordAgeInSeconds) is described to the OnFailure
queue as Lambda does, without its records. Never writes the table."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from local.events import batch_item_failures, dynamodb_stream_record
from local.runtime import LambdaRuntime
from local.template import StreamSource

log = logging.getLogger("local.streams")

IDLE_SECONDS = 0.1  # between GetRecords of a quiet stream: an outbox event reaches the bus within ~0.1 s
SHARD_REFRESH_SECONDS = 5.0  # DescribeStream again for new shards
RETRY_BACKOFF_SECONDS = (0.1, 0.2, 0.5, 1.0)  # Lambda retries a stream batch at once; locally, gently

Record = Mapping[str, Any]


def matches(pattern: Mapping[str, Any], value: Any) -> bool:
    """Lambda event filtering (EventBridge pattern syntax) for what FilterCriteria use: nested keys, lists of
    values, and `exists`, `prefix` and `anything-but` rules. Anything else is an error, not a silent pass."""
    for key, expected in pattern.items():
        present = isinstance(value, Mapping) and key in value
        actual = value[key] if present else None
        if isinstance(expected, Mapping):
            if not present or not matches(expected, actual):
                return False
        elif isinstance(expected, list):
            if not any(_leaf_matches(rule, present, actual) for rule in expected):
                return False
        else:
            raise ValueError(f"filter pattern value for {key!r} must be an object or a list")
    return True


def _leaf_matches(rule: Any, present: bool, actual: Any) -> bool:
    if isinstance(rule, Mapping):
        if "exists" in rule:
            return present is bool(rule["exists"])
        if "prefix" in rule:
            return present and isinstance(actual, str) and actual.startswith(str(rule["prefix"]))
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            return present and actual not in (excluded if isinstance(excluded, list) else [excluded])
        raise ValueError(f"filter rule {dict(rule)} is not emulated locally")
    if not present:
        return False
    return rule in actual if isinstance(actual, list) else actual == rule


def passes(filters: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> bool:
    return not filters or any(matches(f, record) for f in filters)


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    pending: list[dict[str, Any]] = field(default_factory=list)  # filtered records, in order, not yet done
    attempts: int = 0  # failed attempts of the batch starting at pending[0]
    next_try: float = 0.0
    batch_size: int = 0  # current size, halved by bisection
    last_read: str | None = None  # sequence number of the last record read (delivered or not)


class StreamPoller(threading.Thread):
    """One DynamoDB event source mapping: reads every shard of the table's stream and invokes the function."""

    def __init__(
        self,
        source: StreamSource,
        table_name: str,
        dynamodb: Any,
        streams: Any,
        runtime: LambdaRuntime,
        stop: threading.Event,
        on_failure: Any = None,  # (sqs client, queue url)
    ):
        super().__init__(name=f"stream-{source.function}-{source.event_id}", daemon=True)
        self.source = source
        self.dynamodb = dynamodb
        self.streams = streams
        self.runtime = runtime
        self._stop_event = stop
        self._on_failure = on_failure
        self.stream_arn = str(dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"])
        self._shards: dict[str, _Shard] = {}
        self._refreshed = 0.0
        self._refresh_shards()  # positions taken now: LATEST means after the stack's own start-up writes

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                busy = self._poll_once()
            except Exception:
                if self._stop_event.is_set():
                    return  # the engine is already gone
                log.exception("%s: reading the stream failed", self.name)
                busy = False
                self._stop_event.wait(1)
            if not busy:
                self._stop_event.wait(IDLE_SECONDS)

    # ------------------------------------------------------------------ reading

    def _refresh_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards") or []:
            shard_id = shard["ShardId"]
            if shard_id in self._shards:
                continue
            # a shard appearing after the start is a child of one being read: from its beginning
            position = self.source.starting_position if not self._refreshed else "TRIM_HORIZON"
            iterator = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=position
            ).get("ShardIterator")
            self._shards[shard_id] = _Shard(shard_id, iterator, batch_size=self.source.batch_size)
        self._refreshed = time.monotonic()

    def _poll_once(self) -> bool:
        if time.monotonic() - self._refreshed > SHARD_REFRESH_SECONDS:
            self._refresh_shards()
        busy = False
        for shard in list(self._shards.values()):
            if shard.iterator is not None and len(shard.pending) < self.source.batch_size:
                try:
                    response = self.streams.get_records(ShardIterator=shard.iterator, Limit=1000)
                except self.streams.exceptions.ClientError as error:
                    if error.response["Error"]["Code"] not in (
                        "TrimmedDataAccessException",
                        "ExpiredIteratorException",
                    ):
                        raise
                    self._reposition(shard)  # DynamoDB Local trims a horizon taken on an empty shard
                    continue
                shard.iterator = response.get("NextShardIterator")
                for record in response.get("Records") or []:
                    shard.last_read = record["dynamodb"]["SequenceNumber"]
                    shaped = dynamodb_stream_record(record, self.stream_arn)
                    if passes(self.source.filters, shaped):
                        shard.pending.append(shaped)
            if shard.pending and time.monotonic() >= shard.next_try:
                self._deliver(shard)
                busy = True
            if shard.iterator is None and not shard.pending:
                del self._shards[shard.shard_id]  # closed and done; its children come with the next refresh
        return busy

    def _reposition(self, shard: _Shard) -> None:
        """A new iterator just after the last record read (from the oldest one kept when none was)."""
        position: dict[str, str] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.last_read}
            if shard.last_read
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        shard.iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard.shard_id, **position
        ).get("ShardIterator")

    # --------------------------------------------------------------- delivery

    def _deliver(self, shard: _Shard) -> None:
        expired = self._expired(shard.pending)
        if expired:
            self._give_up(shard, shard.pending[:expired], "RecordAgeExceeded")
            return
        batch = shard.pending[: max(1, min(shard.batch_size, self.source.batch_size))]
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
        try:
            result = self.runtime.invoke(self.source.function, {"Records": batch})
        except Exception:
            log.exception("%s failed a batch of %d stream records", self.source.function, len(batch))
            if self.source.bisect_on_error and len(batch) > 1:
                shard.batch_size = max(1, len(batch) // 2)
            self._failed(shard, batch)
            return
        done = len(batch)
        if self.source.report_batch_item_failures:
            failed = batch_item_failures(result, set(sequence_numbers))
            if failed is None:
                log.error("%s returned an invalid batchItemFailures; the whole batch fails", self.source.function)
                self._failed(shard, batch)
                return
            if failed:
                done = min(sequence_numbers.index(s) for s in failed)  # checkpoint before the first failure
        del shard.pending[:done]
        if done < len(batch):
            log.info("%s: %d of %d stream records failed", self.source.function, len(batch) - done, len(batch))
            self._failed(shard, batch[done:])
        else:
            shard.attempts, shard.next_try, shard.batch_size = 0, 0.0, self.source.batch_size

    def _failed(self, shard: _Shard, batch: Sequence[dict[str, Any]]) -> None:
        shard.attempts += 1
        limit = self.source.max_retry_attempts
        if limit >= 0 and shard.attempts > limit:
            self._give_up(shard, batch, "RetryAttemptsExhausted")
            return
        shard.next_try = time.monotonic() + RETRY_BACKOFF_SECONDS[min(shard.attempts, len(RETRY_BACKOFF_SECONDS)) - 1]

    def _expired(self, pending: Sequence[dict[str, Any]]) -> int:
        """How many records at the front of `pending` are older than MaximumRecordAgeInSeconds."""
        if self.source.max_record_age_seconds < 0:
            return 0
        oldest_allowed = time.time() - self.source.max_record_age_seconds
        count = 0
        for record in pending:
            if float(record["dynamodb"].get("ApproximateCreationDateTime", time.time())) >= oldest_allowed:
                break
            count += 1
        return count

    def _give_up(self, shard: _Shard, batch: Sequence[dict[str, Any]], condition: str) -> None:
        """Drop the batch as Lambda does and describe it (positions only) to the OnFailure queue."""
        log.error("%s: %d stream records given up (%s)", self.source.function, len(batch), condition)
        del shard.pending[: len(batch)]
        shard.attempts, shard.next_try, shard.batch_size = 0, 0.0, self.source.batch_size
        if self._on_failure is None:
            return
        sqs, queue_url = self._on_failure
        arrivals = [float(r["dynamodb"].get("ApproximateCreationDateTime", 0)) for r in batch]
        description = {
            "requestContext": {
                "requestId": f"local-{time.time_ns()}",
                "functionArn": f"arn:aws:lambda:::function:{self.source.function}",
                "condition": condition,
                "approximateInvokeCount": shard.attempts + 1,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(min(arrivals)),
                "approximateArrivalOfLastRecord": _iso(max(arrivals)),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(description))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
