"""Asynchronous event sources: SQS and DynamoDB stream event source mappings, S3 notifications and EventBridge rules.

S3 and EventBridge deliver to internal local queues (a retry and failure queue stands in for Lambda's
async retries); one polling thread per source invokes the handler. Never deletes a message a handler failed."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from local.aws import LocalAws
from local.events import batch_item_failures, eventbridge_event, s3_records, sqs_event
from local.runtime import LambdaRuntime
from local.streams import StreamPoller
from local.template import EventBridgeSource, S3Source, SqsSource, StreamSource, Template

log = logging.getLogger("local.pollers")

ASYNC_FAILURE_QUEUE = "local-async-failures"
ASYNC_ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try and two retries
POLL_WAIT_SECONDS = 1  # long-poll length; bounds how long stop() waits for a poller

Message = Mapping[str, Any]
Deliver = Callable[[Sequence[Message]], Sequence[Message]]  # returns the messages to delete


class QueuePoller(threading.Thread):
    """Long-polls one queue and hands batches to `deliver`; deletes only what it returns."""

    def __init__(self, name: str, sqs: Any, queue_url: str, batch_size: int, deliver: Deliver, stop: threading.Event):
        super().__init__(name=f"poller-{name}", daemon=True)
        self.sqs = sqs
        self.queue_url = queue_url
        self.batch_size = max(1, min(batch_size, 10))  # ReceiveMessage returns at most 10
        self.deliver = deliver
        self._stop_event = stop

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self._poll_once()
            except Exception:
                if self._stop_event.is_set():
                    return  # moto is already gone
                log.exception("%s: polling failed", self.name)
                self._stop_event.wait(1)

    def _poll_once(self) -> None:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=POLL_WAIT_SECONDS,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages") or []
        if not messages:
            return
        done = self.deliver(messages)
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )


class AsyncSources:
    """Wires every SQS, S3 and EventBridgeRule event of the template to a poller thread."""

    def __init__(self, template: Template, aws: LocalAws, runtime: LambdaRuntime):
        self.template = template
        self.aws = aws
        self.runtime = runtime
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        sqs = self.aws.client("sqs")
        for sqs_source in self.template.sqs_sources:
            if sqs_source.enabled:
                self._poll(
                    sqs,
                    sqs_source.function + "-" + sqs_source.event_id,
                    self.aws.queue_urls[sqs_source.queue],
                    sqs_source.batch_size,
                    self._sqs_delivery(sqs_source),
                )
        for stream_source in self.template.stream_sources:
            if stream_source.enabled:
                self._poll_stream(stream_source, sqs)
        if not (self.template.s3_sources or self.template.eventbridge_sources):
            return
        failures = sqs.create_queue(QueueName=ASYNC_FAILURE_QUEUE)["QueueUrl"]
        failures_arn = self._arn(ASYNC_FAILURE_QUEUE)
        by_bucket: dict[str, list[dict[str, Any]]] = {}
        for s3_source in self.template.s3_sources:
            url, arn = self._internal_queue(sqs, s3_source.function, s3_source.event_id, failures_arn)
            by_bucket.setdefault(s3_source.bucket, []).append(self._queue_configuration(s3_source, arn))
            self._poll(sqs, f"{s3_source.function}-{s3_source.event_id}", url, 10, self._s3_delivery(s3_source))
        s3 = self.aws.client("s3")
        for bucket, configurations in by_bucket.items():
            bucket_name = next(b.name for b in self.template.buckets if b.logical_id == bucket)
            s3.put_bucket_notification_configuration(
                Bucket=bucket_name, NotificationConfiguration={"QueueConfigurations": configurations}
            )
        events = self.aws.client("events")
        for rule_source in self.template.eventbridge_sources:
            url, arn = self._internal_queue(sqs, rule_source.function, rule_source.event_id, failures_arn)
            rule = f"{rule_source.function}-{rule_source.event_id}"
            events.put_rule(Name=rule, EventBusName=rule_source.bus, EventPattern=json.dumps(rule_source.pattern))
            events.put_targets(Rule=rule, EventBusName=rule_source.bus, Targets=[{"Id": "local", "Arn": arn}])
            self._poll(sqs, rule, url, 10, self._eventbridge_delivery(rule_source))
        log.debug("failed asynchronous invocations go to %s", failures)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=POLL_WAIT_SECONDS + 5)
        self._threads.clear()

    # ------------------------------------------------------------------ wiring

    def _poll(self, sqs: Any, name: str, url: str, batch_size: int, deliver: Deliver) -> None:
        thread = QueuePoller(name, sqs, url, batch_size, deliver, self._stop)
        thread.start()
        self._threads.append(thread)

    def _poll_stream(self, source: StreamSource, sqs: Any) -> None:
        table = self.template.table(source.table)
        on_failure = (sqs, self.aws.queue_urls[source.on_failure]) if source.on_failure else None
        thread = StreamPoller(
            source,
            table.name,
            self.aws.client("dynamodb"),
            self.aws.client("dynamodbstreams"),
            self.runtime,
            self._stop,
            on_failure,
        )
        thread.start()
        self._threads.append(thread)

    def _arn(self, queue_name: str) -> str:
        names = self.aws.names
        return f"arn:aws:sqs:{names.region}:{names.account_id}:{queue_name}"

    def _internal_queue(self, sqs: Any, function: str, event_id: str, failures_arn: str) -> tuple[str, str]:
        name = f"local-{function}-{event_id}"
        timeout = max(self.template.functions[function].timeout, 1)
        url = sqs.create_queue(
            QueueName=name,
            Attributes={
                "VisibilityTimeout": str(timeout),
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": failures_arn, "maxReceiveCount": ASYNC_ATTEMPTS}),
            },
        )["QueueUrl"]
        return url, self._arn(name)

    @staticmethod
    def _queue_configuration(source: S3Source, queue_arn: str) -> dict[str, Any]:
        configuration: dict[str, Any] = {
            "Id": f"{source.function}-{source.event_id}",
            "QueueArn": queue_arn,
            "Events": list(source.events),
        }
        if source.filter_rules:
            configuration["Filter"] = {
                "Key": {"FilterRules": [{"Name": name, "Value": value} for name, value in source.filter_rules]}
            }
        return configuration

    # --------------------------------------------------------------- delivery

    def _sqs_delivery(self, source: SqsSource) -> Deliver:
        queue = next(q for q in self.template.queues if q.logical_id == source.queue)
        queue_arn = self._arn(queue.name)

        def deliver(messages: Sequence[Message]) -> Sequence[Message]:
            try:
                result = self.runtime.invoke(source.function, sqs_event(messages, queue_arn))
            except Exception:
                log.exception("%s failed a batch of %d; none deleted", source.function, len(messages))
                return []
            if not source.report_batch_item_failures:
                return messages
            failed = batch_item_failures(result, {m["MessageId"] for m in messages})
            if failed is None:
                log.error("%s returned an invalid batchItemFailures; the whole batch fails", source.function)
                return []
            if failed:
                log.info("%s: %d of %d records failed", source.function, len(failed), len(messages))
            return [m for m in messages if m["MessageId"] not in failed]

        return deliver

    def _s3_delivery(self, source: S3Source) -> Deliver:
        def deliver(messages: Sequence[Message]) -> Sequence[Message]:
            done = []
            for message in messages:
                body = json.loads(message["Body"])
                if "Records" not in body:  # s3:TestEvent on configuration: S3 never sends it to Lambda
                    done.append(message)
                    continue
                if self._invoke_async(source.function, {"Records": s3_records(body)}):
                    done.append(message)
            return done

        return deliver

    def _eventbridge_delivery(self, source: EventBridgeSource) -> Deliver:
        def deliver(messages: Sequence[Message]) -> Sequence[Message]:
            return [
                m for m in messages if self._invoke_async(source.function, eventbridge_event(json.loads(m["Body"])))
            ]

        return deliver

    def _invoke_async(self, function: str, event: dict[str, Any]) -> bool:
        try:
            self.runtime.invoke(function, event)
        except Exception:
            log.exception("%s failed an asynchronous event; it will be retried", function)
            return False
        return True
