"""Configuration: one pydantic model per function, validated from the environment once at cold start.

A missing or malformed variable fails the cold start with a message naming the variable. Plain pydantic
over `os.environ` (names matched case-insensitively), not pydantic-settings: its import cost ~60 ms of
every cold start for features (dotenv files, secrets dirs, nested parsing) no function uses."""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class ConfigurationError(RuntimeError):
    pass


class CommonSettings(BaseModel):
    """Variables every function has (template.yaml Globals)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    environment: Literal["local", "dev", "prod"]
    aws_region: str = "ap-south-1"
    cursor_secret: str


@cache
def load[S: CommonSettings](model: type[S]) -> S:
    """Read and validate the environment once per process; name every missing variable."""
    environment = {name.lower(): value for name, value in os.environ.items()}
    given = {name: environment[name] for name in model.model_fields if name in environment}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        problems = ", ".join(f"{str(err['loc'][0]).upper()} ({err['msg'].lower()})" for err in exc.errors())
        raise ConfigurationError(f"{model.__name__}: environment variables missing or invalid: {problems}") from None
