"""Object-level access to grievances (API.md 1.5, 3.4–3.8) through grievance.access, the one place routes
ask: every relation a caller can have (owner, follower, staff of its ward, a ward officer of another ward,
anyone else, and ids unknown or malformed) against every kind of route (read, owner action, staff action,
follow, unfollow, ward filter). The store is replaced by a dict: these are the rules, not DynamoDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from grievance import access, store
from grievance.domain import Grievance
from pmc_common.auth import Caller
from pmc_common.errors import Conflict, DomainError, Forbidden, NotFound
from tests import grievances

NOW = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
GRIEVANCE_ID = "GRV-2606-7K3M9Q"
CLOSED_ID = "GRV-2606-C10SED"
UNKNOWN_ID = "GRV-2606-NNNNNN"
MALFORMED_ID = "grv-2606-7k3m9q"
FOLLOWER = "follower-sub"


def caller(sub: str, *groups: str, ward: str | None = None) -> Caller:
    return Caller(sub=sub, phone_number=None, groups=frozenset(groups), ward=ward)


CALLERS = {
    "owner": caller("owner-sub"),
    "follower": caller(FOLLOWER),
    "other citizen": caller("stranger-sub"),
    "city-wide staff": caller("staff-sub", "staff"),
    "admin": caller("admin-sub", "admin"),
    "ward officer of its ward": caller("officer-w07", "ward_officer", ward="W07"),
    "ward officer of another ward": caller("officer-w08", "ward_officer", ward="W08"),
}


def logged(grievance_id: str) -> Grievance:
    return grievances.logged(NOW, grievance_id=grievance_id).grievance


@pytest.fixture(autouse=True)
def stored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An open grievance and a closed one in W07, both followed by FOLLOWER; returns the ids read."""
    grievances = {GRIEVANCE_ID: logged(GRIEVANCE_ID), CLOSED_ID: replace(logged(CLOSED_ID), status="closed")}
    reads: list[str] = []

    def get(grievance_id: str) -> Grievance | None:
        reads.append(grievance_id)
        return grievances.get(grievance_id)

    monkeypatch.setattr(store, "get", get)
    monkeypatch.setattr(store, "is_follower", lambda grievance_id, sub: sub == FOLLOWER)
    return reads


def outcome(action: Any, *args: Any) -> Any:
    """What the route would answer: the result, or the status (and code) of the error it raises."""
    try:
        return action(*args)
    except DomainError as error:
        return (error.status, error.code) if error.code else error.status


# --- reading and owner actions --------------------------------------------------------------------

# caller -> (GET's relation or status, an owner action's result or status, a staff action's relation or status)
EXPECTED: dict[str, tuple[Any, Any, Any]] = {
    "owner": ("owner", "ok", 404),
    "follower": ("follower", 403, 404),
    "other citizen": (404, 404, 404),
    "city-wide staff": ("staff", 403, "staff"),
    "admin": ("staff", 403, "staff"),
    "ward officer of its ward": ("staff", 403, "staff"),
    "ward officer of another ward": (404, 404, 404),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_reading_answers_the_relation_or_404(who: str) -> None:
    read = outcome(access.readable, GRIEVANCE_ID, CALLERS[who])
    expected = EXPECTED[who][0]
    assert (read[1] if isinstance(read, tuple) else read) == expected


@pytest.mark.parametrize("who", EXPECTED)
def test_an_owner_action_is_the_owners_readers_get_403_others_404(who: str) -> None:
    owned = outcome(access.owned, GRIEVANCE_ID, CALLERS[who])
    assert ("ok" if isinstance(owned, Grievance) else owned) == EXPECTED[who][1]


@pytest.mark.parametrize("who", EXPECTED)
def test_a_staff_action_is_for_staff_of_its_ward_and_another_ward_is_404(who: str) -> None:
    staffed = outcome(access.staffed, GRIEVANCE_ID, CALLERS[who])
    assert (staffed[1] if isinstance(staffed, tuple) and isinstance(staffed[0], Grievance) else staffed) == (
        EXPECTED[who][2]
    )


@pytest.mark.parametrize("kind", ["readable", "owned", "staffed", "followable"])
@pytest.mark.parametrize("who", CALLERS)
def test_an_unknown_id_is_404_for_everyone(kind: str, who: str) -> None:
    action = getattr(access, kind)
    assert outcome(action, UNKNOWN_ID, CALLERS[who]) == 404
    assert outcome(access.known, UNKNOWN_ID) == 404


@pytest.mark.parametrize("kind", ["readable", "owned", "staffed", "followable"])
@pytest.mark.parametrize("who", CALLERS)
def test_a_malformed_id_is_404_like_an_unknown_one_and_reads_nothing(kind: str, who: str, stored: list[str]) -> None:
    assert outcome(getattr(access, kind), MALFORMED_ID, CALLERS[who]) == 404
    assert outcome(access.known, MALFORMED_ID) == 404
    assert stored == []


def test_a_staff_member_who_logged_it_reads_it_as_owner_and_acts_as_staff() -> None:
    officer_owner = replace(CALLERS["ward officer of its ward"], sub="owner-sub")
    assert access.readable(GRIEVANCE_ID, officer_owner)[1] == "owner"
    assert access.owned(GRIEVANCE_ID, officer_owner).id == GRIEVANCE_ID
    assert access.staffed(GRIEVANCE_ID, officer_owner)[1] == "owner"


def test_a_staff_member_who_follows_it_reads_it_as_follower_with_the_staff_view() -> None:
    staff_follower = replace(CALLERS["city-wide staff"], sub=FOLLOWER)
    g, relation = access.readable(GRIEVANCE_ID, staff_follower)
    assert relation == "follower"
    assert access.staff_view(g, staff_follower)


@pytest.mark.parametrize("who", CALLERS)
def test_the_staff_view_is_for_staff_of_its_ward_only(who: str) -> None:
    g = logged(GRIEVANCE_ID)
    staff_of_w07 = {"city-wide staff", "admin", "ward officer of its ward"}
    assert access.staff_view(g, CALLERS[who]) is (who in staff_of_w07)


# --- following --------------------------------------------------------------------------------------

# caller -> (following an open grievance, following a closed one)
FOLLOWING: dict[str, tuple[Any, Any]] = {
    "owner": ((409, "is_owner"), (409, "is_owner")),
    "follower": ("ok", (409, "grievance_not_open")),
    "other citizen": ("ok", 404),
    "city-wide staff": ("ok", (409, "grievance_not_open")),
    "admin": ("ok", (409, "grievance_not_open")),
    "ward officer of its ward": ("ok", (409, "grievance_not_open")),
    "ward officer of another ward": ("ok", 404),
}


@pytest.mark.parametrize("who", FOLLOWING)
def test_any_citizen_follows_an_open_grievance_by_id_and_only_readers_learn_it_closed(who: str) -> None:
    for grievance_id, expected in zip((GRIEVANCE_ID, CLOSED_ID), FOLLOWING[who], strict=True):
        followed = outcome(access.followable, grievance_id, CALLERS[who])
        assert ("ok" if isinstance(followed, Grievance) else followed) == expected


@pytest.mark.parametrize("grievance_id", [GRIEVANCE_ID, CLOSED_ID])
def test_unfollowing_names_any_grievance_by_id(grievance_id: str) -> None:
    assert access.known(grievance_id).id == grievance_id


# --- ward filters of staff lists and counts -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "asked", "expected"),
    [
        ("ward officer of its ward", None, "W07"),
        ("ward officer of its ward", "W07", "W07"),
        ("ward officer of its ward", "W08", 403),
        ("city-wide staff", None, None),
        ("city-wide staff", "W08", "W08"),
        ("admin", "W01", "W01"),
    ],
)
def test_a_ward_officer_filters_their_own_ward_and_another_is_403(who: str, asked: str | None, expected: Any) -> None:
    assert outcome(access.ward_filter, CALLERS[who], asked) == expected


def test_errors_are_the_domain_errors_api_md_names() -> None:
    with pytest.raises(NotFound):
        access.readable(GRIEVANCE_ID, CALLERS["other citizen"])
    with pytest.raises(Forbidden):
        access.owned(GRIEVANCE_ID, CALLERS["follower"])
    with pytest.raises(Conflict):
        access.followable(GRIEVANCE_ID, CALLERS["owner"])
