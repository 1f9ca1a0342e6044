"""Integration tier: the template's resources in a local AWS (moto's server), functions invoked
in-process with real API Gateway v2 events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local.aws import LocalAws
from local.template import Template
from tests.harness import Api

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def template() -> Template:
    return Template.load(ROOT / "template.yaml")


@pytest.fixture(scope="session")
def local_aws(template: Template) -> Iterator[LocalAws]:
    aws = LocalAws(template)
    aws.start()
    yield aws
    aws.stop()


@pytest.fixture(scope="session")
def api(local_aws: LocalAws, template: Template) -> Api:
    return Api(template)
