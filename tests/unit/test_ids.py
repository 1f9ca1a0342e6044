import re
from datetime import UTC, datetime

import pytest

from pmc_common import ids


def test_prefixed_ids_are_eight_crockford_characters() -> None:
    for prefix in ("FAC", "OFF", "CON", "WHO", "PHO"):
        value = ids.new_id(prefix)
        assert re.fullmatch(rf"{prefix}-[0-9A-HJKMNP-TV-Z]{{8}}", value)
        assert ids.is_id(prefix, value)
    assert not ids.is_id("FAC", "FAC-0B7Q3M2I")  # I is not Crockford
    assert not ids.is_id("FAC", "fac-0B7Q3M2K")


def test_unknown_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown id prefix"):
        ids.new_id("XYZ")


def test_grievance_id_carries_year_and_month_of_creation() -> None:
    value = ids.grievance_id(datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC))
    assert value.startswith("GRV-2606-")
    assert ids.GRIEVANCE_ID.match(value)


def test_ulid_sorts_by_time() -> None:
    early = ids.ulid(datetime(2026, 1, 1, tzinfo=UTC))
    late = ids.ulid(datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC))
    assert len(early) == 26
    assert early[:10] < late[:10]
