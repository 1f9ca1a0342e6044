"""Configuration: one pydantic-settings model per function, read once at cold start.

A missing or malformed variable fails the cold start with a message naming the variable."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(RuntimeError):
    pass


class CommonSettings(BaseSettings):
    """Variables every function has (template.yaml Globals)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    environment: Literal["local", "dev", "prod"]
    aws_region: str = "ap-south-1"
    cursor_secret: str


@cache
def load[S: CommonSettings](model: type[S]) -> S:
    """Read and validate the environment once per process; name every missing variable."""
    try:
        return model()  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = ", ".join(f"{str(err['loc'][0]).upper()} ({err['msg'].lower()})" for err in exc.errors())
        raise ConfigurationError(f"{model.__name__}: environment variables missing or invalid: {problems}") from None
