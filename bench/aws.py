"""The local AWS a bench runs on: template.yaml's tables, queues and buckets on DynamoDB Local (moto when it
is not installed) and moto, the functions' environment set, their logs and metrics quiet; stopped after."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local.aws import LocalAws
from local.template import Template

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def bench_aws() -> Iterator[tuple[Template, LocalAws]]:
    """`with bench_aws() as (template, aws):` — import the functions' modules inside, once their environment
    is set."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    template = Template.load(ROOT / "template.yaml")
    aws = LocalAws(template)
    aws.start()
    try:
        os.environ.update({"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"})
        yield template, aws
    finally:
        aws.stop()
