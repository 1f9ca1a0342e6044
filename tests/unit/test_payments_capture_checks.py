"""When stale_payments asks the gateway again about a captured order (API.md 4.6 `duplicate_capture`): intervals
doubling with the capture's age, never past the window, a bounded number of checks; the window's setting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments import settings
from payments.domain import FIRST_CAPTURE_CHECK, next_capture_check
from pmc_common import settings as pmc_settings
from pmc_common.settings import ConfigurationError

CAPTURED = datetime(2026, 5, 10, 6, 5, tzinfo=UTC)


def schedule(window: timedelta, first: datetime) -> list[datetime]:
    times = [first]
    while (following := next_capture_check(CAPTURED, times[-1], window)) is not None:
        times.append(following)
    return times


def test_the_default_window_checks_ten_times_the_last_fifteen_minutes_before_it_ends() -> None:
    times = schedule(timedelta(hours=72), CAPTURED + FIRST_CAPTURE_CHECK)
    minutes = [(t - CAPTURED) / timedelta(minutes=1) for t in times]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1920, 3840, 72 * 60 - 15]


@given(
    hours=st.integers(1, 24 * 30),
    late=st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=24 * 31)),
)
def test_checks_move_forward_stay_in_the_window_and_are_few(hours: int, late: timedelta) -> None:
    """Whenever a run does a check (late runs included), the next is later, at least 15 minutes on, before the
    window ends; and there are at most 2 + log2(window / 15 min) of them."""
    window = timedelta(hours=hours)
    times = schedule(window, CAPTURED + FIRST_CAPTURE_CHECK + late)
    last = CAPTURED + window - FIRST_CAPTURE_CHECK
    assert all(b - a >= min(FIRST_CAPTURE_CHECK, last - a) and b > a for a, b in pairwise(times))
    assert all(t <= last for t in times[1:])
    assert len(times) <= 2 + (window // FIRST_CAPTURE_CHECK).bit_length()


@pytest.fixture
def fresh() -> Iterator[None]:
    pmc_settings.reset()
    yield
    pmc_settings.reset()


def test_the_window_defaults_to_72_hours(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECOND_CAPTURE_WATCH_HOURS", raising=False)
    assert settings.second_capture_watch_hours() == 72


def test_the_window_can_be_set(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOND_CAPTURE_WATCH_HOURS", "24")
    assert settings.second_capture_watch_hours() == 24


@pytest.mark.parametrize("value", ["0", "-1", "721", "three days", ""])
def test_a_bad_window_fails_the_cold_start_naming_it(fresh: None, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SECOND_CAPTURE_WATCH_HOURS", value)
    with pytest.raises(ConfigurationError, match="SECOND_CAPTURE_WATCH_HOURS"):
        settings.second_capture_watch_hours()
