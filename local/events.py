"""Lambda events and contexts as AWS builds them: HTTP API v2 requests and responses, scheduled events, SQS and
DynamoDB stream batches, and the partial batch failures a handler reports.

Pure shaping of dictionaries; nothing here does I/O or invokes a handler."""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote_plus, unquote_plus

from local.template import ACCOUNT_ID, REGION

API_ID = "local"

# Content types API Gateway passes as text; everything else arrives base64-encoded.
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/problem+json",
    "application/merge-patch+json",
    "application/x-www-form-urlencoded",
    "application/xml",
    "application/javascript",
    "application/graphql",
)


@dataclass
class LambdaContext:
    """The subset of Lambda's context object handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    region: str = REGION
    account_id: str = ACCOUNT_ID
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class HttpRequest:
    """What the gateway received, before it becomes an event."""

    method: str
    raw_path: str
    raw_query_string: str
    headers: Sequence[tuple[str, str]]  # as received, repeated names allowed
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"


def is_text(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith(("+json", "+xml"))


def http_api_event(
    request: HttpRequest,
    route_key: str,
    path_parameters: Mapping[str, str],
    claims: Mapping[str, str] | None,
    request_id: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload format 2.0 event.

    Optional keys are omitted as API Gateway omits them (cookies, queryStringParameters,
    pathParameters, body); `authorizer` is present only on routes with the JWT authorizer."""
    now = now or datetime.now(UTC)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    host_header = headers.get("host", "127.0.0.1")
    host, _, port = host_header.partition(":")
    headers.setdefault("x-forwarded-port", port or "80")
    headers.setdefault("x-amzn-trace-id", f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}")

    query: dict[str, str] = {}
    for name, value in parse_qsl(request.raw_query_string, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value

    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": request.raw_path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = request_context
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["stageVariables"] = None
    if request.body:
        text = _as_text(request.body) if is_text(headers.get("content-type")) else None
        event["body"] = text if text is not None else base64.b64encode(request.body).decode("ascii")
        event["isBase64Encoded"] = text is None
    else:
        event["isBase64Encoded"] = False
    return event


def _as_text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class HttpResult:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class BadLambdaResponse(ValueError):
    """The handler returned something API Gateway would answer with 500."""


def http_result(result: Any) -> HttpResult:
    """Turn a handler's return value into an HTTP response as payload format 2.0 does.

    A dict with `statusCode` is used as is; any other JSON value becomes a 200 JSON body."""
    if not (isinstance(result, dict) and "statusCode" in result):
        try:
            body = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            raise BadLambdaResponse(f"handler returned a value that is not JSON: {exc}") from None
        return HttpResult(200, [("content-type", "application/json")], body)
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        raise BadLambdaResponse("statusCode is not an integer") from None
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), str(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(v)) for v in _listed(values))
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(str(raw), validate=True)
        except binascii.Error:
            raise BadLambdaResponse("isBase64Encoded is true but the body is not base64") from None
    else:
        body = (raw if isinstance(raw, str) else json.dumps(raw)).encode()
    return HttpResult(status, headers, body)


def _listed(values: Any) -> Iterable[Any]:
    return values if isinstance(values, list) else [values]


def scheduled_event(name: str, rule_arn: str, at: datetime) -> dict[str, Any]:
    """An EventBridge "Scheduled Event"; its id is a UUID v5 of name and time, so a replay is the same event."""
    time_text = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}|{time_text}")),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": time_text,
        "region": REGION,
        "resources": [rule_arn],
        "detail": {},
    }


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """An SQS event for Lambda from ReceiveMessage results (AttributeNames/MessageAttributeNames All)."""
    return {"Records": [sqs_record(m, queue_arn) for m in messages]}


def sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
    message_attributes: dict[str, Any] = {}
    for name, attribute in (message.get("MessageAttributes") or {}).items():
        converted: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": attribute["DataType"]}
        if "StringValue" in attribute:
            converted["stringValue"] = attribute["StringValue"]
        if "BinaryValue" in attribute:
            converted["binaryValue"] = base64.b64encode(attribute["BinaryValue"]).decode("ascii")
        message_attributes[name] = converted
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def s3_records(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """S3 notification records as S3 hands them to Lambda (fields moto leaves out filled in); keys stay URL-encoded."""
    records = []
    for record in body.get("Records") or []:
        full = dict(record)
        full.setdefault("userIdentity", {"principalId": "AWS:LOCAL"})
        full.setdefault("requestParameters", {"sourceIPAddress": "127.0.0.1"})
        full.setdefault("responseElements", {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": "local"})
        s3 = dict(full.get("s3") or {})
        s3_object = dict(s3.get("object") or {})
        s3_object.setdefault("sequencer", f"{time.time_ns():016X}")
        if "key" in s3_object:  # moto encodes "/" too; S3 keeps it: "uploads/a b.jpg" -> "uploads/a+b.jpg"
            s3_object["key"] = quote_plus(unquote_plus(str(s3_object["key"])), safe="/")
        s3["object"] = s3_object
        full["s3"] = s3
        records.append(full)
    return records


def eventbridge_event(body: Mapping[str, Any]) -> dict[str, Any]:
    """An EventBridge event as a rule hands it to Lambda (envelope fields moto leaves out filled in)."""
    event = dict(body)
    event.setdefault("version", "0")
    event.setdefault("account", ACCOUNT_ID)
    event.setdefault("region", REGION)
    event.setdefault("resources", [])
    event.setdefault("detail", {})
    return event


def dynamodb_stream_event(records: Sequence[Mapping[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB Streams event for Lambda from GetRecords results: epoch creation times, the stream's ARN."""
    return {"Records": [dynamodb_stream_record(r, stream_arn) for r in records]}


def dynamodb_stream_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):  # botocore parses it; Lambda sends epoch seconds
        stream["ApproximateCreationDateTime"] = float(int(created.timestamp()))
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }


def batch_item_failures(result: Any, identifiers: set[str]) -> set[str] | None:
    """The item identifiers (SQS message ids, stream sequence numbers) a handler reported failed, or None
    when its response is invalid (Lambda then fails the whole batch)."""
    if result is None:
        return set()
    if not isinstance(result, dict):
        return None
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in identifiers:
            return None
        failed.add(identifier)
    return failed
