"""Local AWS: moto's threaded server, the process environment that points every client at it, and the
template's resources created in it. Sets dummy credentials first so nothing can reach real AWS.

DynamoDB is either moto too or AWS's DynamoDB Local (DYNAMODB_ENGINE, see local/dynamodb_local.py):
an endpoint given or configured is used as it is; otherwise, for dynamodb-local, LocalAws starts one
(the JVM boots while moto starts) and stops it with moto."""

from __future__ import annotations

import logging
import os
from typing import Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from local import resources
from local.dynamodb_local import DYNAMODB_LOCAL, DynamoDBLocal
from local.dynamodb_local import engine as dynamodb_engine_of
from local.template import REGION, LocalNames, Template, TemplateError

log = logging.getLogger("local.aws")

# Variables one function may set differently from another although all share one process.
PER_FUNCTION_VARIABLES = frozenset({"POWERTOOLS_SERVICE_NAME"})


def configured_dynamodb_endpoint() -> str | None:
    """A DynamoDB endpoint chosen by the developer (e.g. DynamoDB Local), not one an earlier moto left behind."""
    dynamodb = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
    return dynamodb if dynamodb and dynamodb != os.environ.get("AWS_ENDPOINT_URL") else None


def configure_credentials(endpoint_url: str, dynamodb_endpoint_url: str | None = None) -> None:
    """Dummy credentials, region and endpoints for every botocore client created from now on."""
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint_url or endpoint_url,
        }
    )
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")


def function_environment(template: Template, names: LocalNames) -> dict[str, str]:
    """The union of every function's resolved variables; two functions disagreeing is an error."""
    merged: dict[str, str] = {}
    owners: dict[str, str] = {}
    conflicts = []
    for function in template.functions.values():
        for key, value in template.function_environment(function, names).items():
            if key in PER_FUNCTION_VARIABLES:
                continue
            if key in merged and merged[key] != value:
                conflicts.append(f"{key} ({owners[key]} vs {function.logical_id})")
            merged.setdefault(key, value)
            owners.setdefault(key, function.logical_id)
    if conflicts:
        raise TemplateError(
            "functions share one process locally but disagree on environment variables: " + ", ".join(conflicts)
        )
    return merged


class LocalAws:
    """moto on a loopback port with the template's resources; `names` resolves Refs to them."""

    def __init__(
        self,
        template: Template,
        dynamodb_endpoint_url: str | None = None,
        *,
        dynamodb_engine: str | None = None,
        port: int = 0,
    ):
        """`dynamodb_endpoint_url`: DynamoDB elsewhere (e.g. a running DynamoDB Local); default:
        AWS_ENDPOINT_URL_DYNAMODB when it names another endpoint than moto's, else the engine
        (`dynamodb_engine` or DYNAMODB_ENGINE: dynamodb-local, started here, or moto). `port`: moto's (0 = free)."""
        self.template = template
        self._dynamodb_override = dynamodb_endpoint_url
        self.dynamodb_engine = dynamodb_engine_of(dynamodb_engine)
        self.dynamodb_endpoint_url = ""
        self.dynamodb_local: DynamoDBLocal | None = None  # only one this LocalAws started (and stops)
        self._port = port
        self._server: ThreadedMotoServer | None = None
        self.endpoint_url = ""
        self.names = LocalNames()
        self.queue_urls: dict[str, str] = {}

    def start(self) -> None:
        try:
            dynamodb_endpoint = self._dynamodb_override or configured_dynamodb_endpoint()
            if dynamodb_endpoint is None and self.dynamodb_engine == DYNAMODB_LOCAL:
                self.dynamodb_local = DynamoDBLocal().launch()  # the JVM boots while moto starts
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self._port, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.endpoint_url = f"http://{host}:{port}"
            if self.dynamodb_local is not None:
                dynamodb_endpoint = self.dynamodb_local.wait_ready().endpoint_url
            self.dynamodb_endpoint_url = dynamodb_endpoint or self.endpoint_url
            configure_credentials(self.endpoint_url, self.dynamodb_endpoint_url)
            self.names = LocalNames(endpoint_url=self.endpoint_url)
            self._create_resources()
            os.environ.update(function_environment(self.template, self.names))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self.dynamodb_local is not None:
            if os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") == self.dynamodb_local.endpoint_url:
                del os.environ["AWS_ENDPOINT_URL_DYNAMODB"]  # a later LocalAws must not take a dead endpoint
            self.dynamodb_local.stop()
            self.dynamodb_local = None

    @property
    def dynamodb_description(self) -> str:
        """What serves DynamoDB, for logs and the test header."""
        if self.dynamodb_endpoint_url and self.dynamodb_endpoint_url == self.endpoint_url:
            return "moto"
        if self.dynamodb_local is not None:
            return f"DynamoDB Local {self.dynamodb_local.version} (pid {self.dynamodb_local.pid})".replace("  ", " ")
        return f"DynamoDB at {self.dynamodb_endpoint_url}"

    def client(self, service: str) -> Any:
        # DynamoDB Local serves its streams on its own endpoint, as moto does
        endpoint = self.dynamodb_endpoint_url if service in ("dynamodb", "dynamodbstreams") else self.endpoint_url
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=endpoint,
            region_name=REGION,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        )

    def _create_resources(self) -> None:
        template, names = self.template, self.names
        resources.create_tables(self.client("dynamodb"), template, names)
        resources.create_buckets(self.client("s3"), template, names)
        self.queue_urls = resources.create_queues(self.client("sqs"), template, names)
        resources.create_buses(self.client("events"), template)
        resources.create_topics(self.client("sns"), template)
        names.physical_ids.update(resources.create_user_pools(self.client("cognito-idp"), template))
        names.physical_ids.update(self.queue_urls)
        log.info(
            "created %d tables, %d buckets, %d queues, %d buses, %d topics",
            len(template.tables),
            len(template.buckets),
            len(template.queues),
            len(template.buses),
            len(template.topics),
        )
