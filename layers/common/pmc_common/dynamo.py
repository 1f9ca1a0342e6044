"""PynamoDB connection settings shared by every store: region, and the endpoint of a local engine.

In AWS no endpoint is set; locally AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL) points at moto
or DynamoDB Local. Read when a model class is defined, so set the environment before importing a store."""

from __future__ import annotations

import os

from pmc_common.settings import ConfigurationError


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-south-1"


def endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None


def table_name(variable: str) -> str:
    """A table's name from the variable template.yaml sets (e.g. LOOKUP_TABLE_NAME); fails loudly."""
    name = os.environ.get(variable)
    if not name:
        raise ConfigurationError(f"environment variable {variable} is missing (the table's name)")
    return name
