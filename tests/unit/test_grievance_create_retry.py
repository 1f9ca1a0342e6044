"""A taken grievance id is drawn again inside `store.create` (API.md 1.2): the caller gets the grievance as
stored, under a fresh id of the same month, or a 500 after five taken ids. The write itself is replaced."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from grievance import domain, store
from pmc_common import dynamo, ids
from pmc_common.errors import Internal
from tests import grievances

NOW = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)


def logged() -> domain.StatusChange:
    return grievances.logged(NOW)


def test_a_taken_id_is_drawn_again_and_the_stored_grievance_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []

    def create_once(change: domain.StatusChange) -> bool:
        tried.append(change.grievance.id)
        return len(tried) == 3  # the first two ids are taken

    monkeypatch.setattr(store, "_create_once", create_once)
    created = store.create(logged())
    assert tried[0] == "GRV-2606-7K3M9Q"
    assert created.id == tried[-1] != tried[0]
    assert all(ids.GRIEVANCE_ID.match(i) and i.startswith("GRV-2606-") for i in tried)
    assert created == replace(logged().grievance, id=created.id)


def test_five_taken_ids_in_a_row_are_a_500(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []
    monkeypatch.setattr(store, "_create_once", lambda change: tried.append(change.grievance.id) or False)
    with pytest.raises(Internal):
        store.create(logged())
    assert len(tried) == dynamo.ID_ATTEMPTS
