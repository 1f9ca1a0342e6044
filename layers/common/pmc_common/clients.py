"""Plain botocore clients, one per AWS service and process, all from one botocore session.

Created on first use (no I/O at import, nothing unique at init: SnapStart-safe); one session means each
service's model is loaded once. No boto3 on the request path (DESIGN.md "Performance posture"). Honours
AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL (the local stack) as botocore does; DynamoDB takes the
same endpoint the stores use."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from pmc_common import dynamo

if TYPE_CHECKING:
    from botocore.session import Session


@cache
def _session() -> Session:
    import botocore.session

    return botocore.session.get_session()


@cache
def client(service: str) -> Any:
    """The process's client for `service` ("s3", "sns", "events", "dynamodb", "sqs", ...), in its region;
    S3 signs with SigV4 (presigned POSTs and URLs need it)."""
    from botocore.config import Config

    options: dict[str, Any] = {"region_name": dynamo.region()}
    if service == "dynamodb":
        options["endpoint_url"] = dynamo.endpoint()
    if service == "s3":
        options["config"] = Config(signature_version="s3v4")
    return _session().create_client(service, **options)


def put_event(source: str, detail_type: str, detail_json: str, bus_name: str) -> None:
    """One event on an EventBridge bus; a refused entry (PutEvents answers 200 with FailedEntryCount) raises."""
    entry = {"Source": source, "DetailType": detail_type, "Detail": detail_json, "EventBusName": bus_name}
    result = client("events").put_events(Entries=[entry])
    if result.get("FailedEntryCount"):
        raise RuntimeError(f"EventBridge refused {detail_type}: {result['Entries'][0].get('ErrorCode')}")
