"""Configuration: small pydantic models of the variables one piece of code needs (the common ones, a table's
name, a bucket's), each validated from the environment once per process, so a function loads what the code it
runs needs and never more: one without the photo bucket still starts when it never touches photos.

A missing or malformed variable fails the load (at cold start, where the code needing it is imported) with a
message naming the variable. Plain pydantic over `os.environ` (names matched case-insensitively), not
pydantic-settings: its import cost ~60 ms of every cold start for features (dotenv files, secrets dirs,
nested parsing) no function uses."""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class ConfigurationError(RuntimeError):
    pass


class Settings(BaseModel):
    """Some variables of the environment, one field each (named as the variable, lower case)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class CommonSettings(Settings):
    """Variables every function has (template.yaml Globals)."""

    environment: Literal["local", "dev", "prod"]
    aws_region: str = "ap-south-1"
    cursor_secret: str


class IdempotencyTable(Settings):
    """Powertools' idempotency table, shared by the services (API retries, the notifier's once per event)."""

    idempotency_table_name: str


def load[S: BaseModel](model: type[S]) -> S:
    """Read and validate the environment once per process; name every missing variable."""
    found = _validated(model)
    assert isinstance(found, model)
    return found


def reset() -> None:
    """Forget what was read, so the next load reads the environment again (tests)."""
    _validated.cache_clear()


@cache
def _validated(model: type[BaseModel]) -> BaseModel:
    environment = {name.lower(): value for name, value in os.environ.items()}
    given = {name: environment[name] for name in model.model_fields if name in environment}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        problems = ", ".join(f"{str(err['loc'][0]).upper()} ({err['msg'].lower()})" for err in exc.errors())
        raise ConfigurationError(f"{model.__name__}: environment variables missing or invalid: {problems}") from None
