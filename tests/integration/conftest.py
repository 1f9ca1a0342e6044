"""Integration tier: the template's resources in a local AWS (moto's server; DynamoDB on the engine
DYNAMODB_ENGINE names: AWS's DynamoDB Local by default, or moto), functions invoked in-process with
real API Gateway v2 events.

PynamoDB models read their endpoint when their class is defined, and test modules may import a store
at collection time, so the DynamoDB endpoint is fixed when this file is imported: DynamoDB Local is
launched here (its JVM boots while pytest collects) on a port chosen now, or moto's port is chosen
now. The session's one LocalAws then uses it; DynamoDB Local is stopped at the end of the session
(also on a failed run or Ctrl-C: local.dynamodb_local's atexit and signal handling back this up)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.aws import LocalAws
from local.dynamodb_local import DYNAMODB_LOCAL, DynamoDBLocal, free_port
from local.dynamodb_local import engine as dynamodb_engine
from local.template import Template
from tests.harness import Api

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"

ENGINE = dynamodb_engine()
MOTO_PORT = free_port()
SESSION_DYNAMODB_LOCAL = DynamoDBLocal().launch() if ENGINE == DYNAMODB_LOCAL else None
os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = (
    SESSION_DYNAMODB_LOCAL.endpoint_url if SESSION_DYNAMODB_LOCAL else f"http://127.0.0.1:{MOTO_PORT}"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the session's local AWS touch DynamoDB: mark them so `-m dynamodb` selects them."""
    for item in items:
        if {"local_aws", "api"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.dynamodb)


def pytest_sessionfinish() -> None:
    if SESSION_DYNAMODB_LOCAL is not None:
        SESSION_DYNAMODB_LOCAL.stop()


@pytest.fixture(scope="session")
def dynamodb_engine_name() -> str:
    """The engine serving DynamoDB in this session: "dynamodb-local" or "moto"."""
    return ENGINE


@pytest.fixture(scope="session", autouse=True)
def session_dynamodb(request: pytest.FixtureRequest) -> str:
    """The session's DynamoDB endpoint answers before any test runs: an in-process LocalStack uses it too."""
    if SESSION_DYNAMODB_LOCAL is not None:
        return SESSION_DYNAMODB_LOCAL.wait_ready().endpoint_url
    local_aws: LocalAws = request.getfixturevalue("local_aws")  # moto serves DynamoDB: start it
    return local_aws.dynamodb_endpoint_url


@pytest.fixture(scope="session")
def template() -> Template:
    return Template.load(ROOT / "template.yaml")


@pytest.fixture(scope="session")
def local_aws(template: Template) -> Iterator[LocalAws]:
    endpoint = SESSION_DYNAMODB_LOCAL.wait_ready().endpoint_url if SESSION_DYNAMODB_LOCAL else None
    aws = LocalAws(template, dynamodb_endpoint_url=endpoint, dynamodb_engine=ENGINE, port=MOTO_PORT)
    aws.start()
    try:
        yield aws
    finally:
        aws.stop()


@pytest.fixture(scope="session")
def api(local_aws: LocalAws, template: Template) -> Api:
    return Api(template)


@pytest.fixture(scope="module")
def lookup_seed(api: Api) -> None:
    """LookupTable holding exactly the seed data for this module: whatever an earlier module added or
    changed (admin writes, bulk test facilities) is removed first, so no module depends on the order."""
    from lookup import seed, store

    with store.LookupItem.batch_write() as batch:
        for item in store.LookupItem.scan(attributes_to_get=["pk", "sk"]):
            batch.delete(item)
    seed.load(DATA)
