"""City updates (API.md 2.4) on DynamoDB Local through the lookup function: publish, the public and staff lists,
merge-patch with If-Match, withdraw, ward scope; every bad input a 4xx problem+json with nothing changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pmc_common.auth import Caller as CallerClaims
from pmc_common.clock import FixedClock, iso, parse_iso
from tests.harness import ADMIN, CITIZEN, STAFF, Api, Caller, fixed_clock

NOW = datetime(2026, 6, 10, 5, 0, tzinfo=UTC)
W07_OFFICER = Caller("+919800000707", ("ward_officer",), "W07")
W01_OFFICER = Caller("+919800000701", ("ward_officer",), "W01")
STAFF_CALLER = CallerClaims("staff-sub", None, frozenset({"staff"}), None)
WATER_CUT: dict[str, Any] = {
    "category": "water_cut",
    "ward": "W07",
    "title": {"en": "No water in Kasba Peth on Thursday", "mr": "गुरुवारी कसबा पेठेत पाणीपुरवठा बंद"},
    "body": {
        "en": "Pipeline repairs; tankers on request at the ward office.",
        "mr": "जलवाहिनी दुरुस्ती; टँकरसाठी क्षेत्रीय कार्यालयाशी संपर्क साधा.",
    },
    "starts_at": iso(NOW - timedelta(hours=1)),
    "ends_at": iso(NOW + timedelta(hours=12)),
}


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts (its sample updates dated from now)."""


@pytest.fixture
def clock(api: Api) -> Iterator[FixedClock]:
    yield from fixed_clock("lookup", NOW)


def stored() -> list[tuple[str, str, str]]:
    """Every city update item and list copy, as stored (a test's scan: no route scans)."""
    from lookup import store

    items = store.CityUpdateListing.scan(store.CityUpdateListing.pk.startswith(store.CITY_UPDATE))
    return sorted((str(i.pk), str(i.sk), json.dumps(i.doc, sort_keys=True)) for i in items)


def publish(api: Api, body: dict[str, Any] | None = None, caller: Caller = W07_OFFICER) -> dict[str, Any]:
    reply = api.request("POST", "/city-updates", json_body=body or WATER_CUT, caller=caller)
    assert reply.status == 201, reply.body
    created: dict[str, Any] = reply.json()
    assert reply.headers["location"] == f"/city-updates/{created['id']}"
    return created


def public_ids(api: Api, **query: Any) -> list[str]:
    reply = api.get("/city-updates", query=query | {"limit": 100})
    assert reply.status == 200
    return [u["id"] for u in reply.json()["items"]]


def assert_problem(reply: Any, status: int, field: str | None = None, code: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["status"] == status
    assert problem["code"] == code
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem


def test_a_ward_officer_publishes_and_the_ward_and_the_city_see_it(api: Api, clock: FixedClock) -> None:
    created = publish(api)
    assert created["status"] == "active"
    assert created["withdrawn_at"] is None
    assert (created["created_at"], created["updated_at"]) == (iso(NOW), iso(NOW))
    assert created["id"] in public_ids(api, ward="W07")
    assert created["id"] in public_ids(api)
    assert created["id"] not in public_ids(api, ward="W01")
    assert created["id"] in public_ids(api, ward="W07", category="water_cut")
    assert created["id"] not in public_ids(api, ward="W07", category="road_closure")
    one = api.get(f"/city-updates/{created['id']}")
    assert one.status == 200
    assert one.json() == created
    assert one.headers["cache-control"] == "public, max-age=60"


def test_a_city_wide_update_is_on_every_wards_list(api: Api, clock: FixedClock) -> None:
    created = publish(api, WATER_CUT | {"ward": None, "category": "health_drive"}, caller=STAFF)
    for ward in ("W01", "W07", "W15"):
        assert created["id"] in public_ids(api, ward=ward)


def test_the_public_list_is_newest_start_first_and_pages_with_a_signed_cursor(api: Api, clock: FixedClock) -> None:
    ids = [
        publish(api, WATER_CUT | {"ward": "W03", "starts_at": iso(NOW - timedelta(hours=h))}, caller=STAFF)["id"]
        for h in (5, 2, 9)
    ]
    seen, cursor = [], None
    while True:
        reply = api.get("/city-updates", query={"ward": "W03", "limit": 1} | ({"cursor": cursor} if cursor else {}))
        page = reply.json()
        seen += [u["id"] for u in page["items"] if u["ward"] == "W03"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[1], ids[0], ids[2]]
    first = api.get("/city-updates", query={"ward": "W03", "limit": 1})
    cursor = first.json()["next_cursor"]
    assert_problem(
        api.get("/city-updates", query={"ward": "W04", "limit": 1, "cursor": cursor}), 400, code="invalid_cursor"
    )
    assert_problem(
        api.get("/city-updates", query={"ward": "W03", "limit": 1, "cursor": cursor[:-2]}), 400, code="invalid_cursor"
    )
    again = api.get(
        "/city-updates", query={"ward": "W03", "limit": 1}, headers={"if-none-match": first.headers["etag"]}
    )
    assert again.status == 304
    assert again.headers["etag"] == first.headers["etag"]
    clock.advance(timedelta(days=91))  # the cursor's position is now older than any live update can start
    late = api.get("/city-updates", query={"ward": "W03", "limit": 1, "cursor": cursor})
    assert late.status == 200
    assert late.json() == {"items": [], "next_cursor": None}


def test_scheduled_and_ended_updates_are_not_public_but_staff_see_them(api: Api, clock: FixedClock) -> None:
    scheduled = publish(
        api, WATER_CUT | {"starts_at": iso(NOW + timedelta(days=2)), "ends_at": iso(NOW + timedelta(days=3))}
    )
    assert scheduled["status"] == "scheduled"
    short = publish(api, WATER_CUT | {"ends_at": iso(NOW + timedelta(minutes=30))})
    assert api.get(f"/city-updates/{scheduled['id']}").status == 404
    assert scheduled["id"] not in public_ids(api, ward="W07")
    clock.advance(timedelta(hours=1))  # the clock, not a sweep, ends it
    assert short["id"] not in public_ids(api, ward="W07")
    assert api.get(f"/city-updates/{short['id']}").status == 404
    staff = api.get("/staff/city-updates", query={"ward": "W07", "status": "ended", "limit": 100}, caller=W07_OFFICER)
    assert staff.status == 200
    assert staff.headers["cache-control"] == "no-store"
    assert short["id"] in [u["id"] for u in staff.json()["items"]]
    assert {u["status"] for u in staff.json()["items"]} == {"ended"}
    mine = api.get("/staff/city-updates", query={"limit": 100}, caller=W07_OFFICER).json()["items"]
    assert {u["ward"] for u in mine} == {"W07"}
    assert [u["created_at"] for u in mine] == sorted((u["created_at"] for u in mine), reverse=True)


def test_patch_merges_revalidates_and_honours_if_match(api: Api, clock: FixedClock) -> None:
    created = publish(api)
    path = f"/city-updates/{created['id']}"
    etag = api.get(path).headers["etag"]
    before = stored()
    stale = api.request(
        "PATCH",
        path,
        json_body={"title": {"en": "Changed", "mr": "बदल"}},
        headers={"if-match": '"0"'},
        caller=W07_OFFICER,
    )
    assert_problem(stale, 412)
    assert stored() == before
    clock.advance(timedelta(minutes=5))
    later = iso(NOW + timedelta(hours=3))
    changed = api.request(
        "PATCH",
        path,
        body=json.dumps({"ends_at": later, "title": {"en": "Water cut extended", "mr": "पाणीकपात वाढवली"}}).encode(),
        headers={"if-match": etag, "content-type": "application/merge-patch+json"},
        caller=W07_OFFICER,
    )
    assert changed.status == 200, changed.body
    view = changed.json()
    assert (view["ends_at"], view["title"]["en"], view["body"]) == (later, "Water cut extended", created["body"])
    assert view["updated_at"] == iso(NOW + timedelta(minutes=5))
    assert changed.headers["etag"] == api.get(path).headers["etag"] != etag
    # no If-Match: applied (API.md 1.9, optional)
    moved = api.request("PATCH", path, json_body={"starts_at": iso(NOW - timedelta(hours=3))}, caller=STAFF)
    assert moved.status == 200
    assert [u["id"] for u in api.get("/city-updates", query={"ward": "W07", "limit": 100}).json()["items"]].count(
        created["id"]
    ) == 1  # the list copy moved with the start, none left behind


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"ward": "W01"}, "body.ward"),
        ({"status": "withdrawn"}, "body.status"),
        ({"id": "UPD-00000000"}, "body.id"),
        ({"title": None}, "body.title"),
        ({"title": {"en": "Only English"}}, "body.title.mr"),
        ({"ends_at": iso(NOW + timedelta(days=120))}, "body.ends_at"),
        ({"starts_at": iso(NOW + timedelta(days=1))}, "body.ends_at"),
        ({"ends_at": "2026-06-11T10:00:00"}, "body.ends_at"),
        ({"category": "festival"}, "body.category"),
    ],
)
def test_a_bad_patch_is_422_naming_the_field_and_changes_nothing(
    api: Api, clock: FixedClock, patch: dict[str, Any], field: str
) -> None:
    created = publish(api)
    before = stored()
    assert_problem(
        api.request("PATCH", f"/city-updates/{created['id']}", json_body=patch, caller=W07_OFFICER), 422, field
    )
    assert stored() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": iso(NOW + timedelta(days=120))}, "body.ends_at"),  # a 120-day span: API.md's maximum is 90
        ({"starts_at": iso(NOW - timedelta(days=100)), "ends_at": iso(NOW + timedelta(days=20))}, "body.ends_at"),
        ({"ends_at": iso(NOW - timedelta(minutes=1)), "starts_at": iso(NOW - timedelta(hours=5))}, "body.ends_at"),
        ({"ends_at": iso(NOW - timedelta(hours=2))}, "body.ends_at"),  # before starts_at
        ({"starts_at": "2026-06-10 05:00:00"}, "body.starts_at"),  # no offset
        ({"starts_at": 1781068329}, "body.starts_at"),
        ({"ward": "W16"}, "body.ward"),
        ({"category": "festival"}, "body.category"),
        ({"title": {"en": "No", "mr": "ना"}}, "body.title.en"),
        ({"body": {"en": "x" * 2001, "mr": "पाणी बंद राहील"}}, "body.body.en"),
        ({"title": {"en": "Water\u202ecut", "mr": "पाणी बंद"}}, "body.title.en"),
        ({"status": "active"}, "body.status"),
        ({"withdrawn_at": None}, "body.withdrawn_at"),
        ({"id": "UPD-00000000"}, "body.id"),
    ],
)
def test_a_bad_update_is_422_naming_the_field_and_nothing_is_stored(
    api: Api, clock: FixedClock, change: dict[str, Any], field: str
) -> None:
    before = stored()
    assert_problem(api.request("POST", "/city-updates", json_body=WATER_CUT | change, caller=STAFF), 422, field)
    assert stored() == before


def test_a_missing_field_or_ward_is_422(api: Api, clock: FixedClock) -> None:
    before = stored()
    for name in ("ward", "category", "starts_at"):
        body = {k: v for k, v in WATER_CUT.items() if k != name}
        assert_problem(api.request("POST", "/city-updates", json_body=body, caller=STAFF), 422, f"body.{name}")
    assert stored() == before


def test_bodies_that_cannot_be_read_are_400_or_413_and_nothing_is_stored(api: Api, clock: FixedClock) -> None:
    before = stored()
    huge = WATER_CUT | {"body": {"en": "x" * 300_000, "mr": "पाणी"}}
    assert_problem(api.request("POST", "/city-updates", json_body=huge, caller=STAFF), 413)
    deep: Any = "x"
    for _ in range(40):
        deep = {"a": deep}
    assert_problem(api.request("POST", "/city-updates", json_body=WATER_CUT | {"body": deep}, caller=STAFF), 400)
    assert_problem(
        api.request(
            "POST", "/city-updates", body=b"{not json", headers={"content-type": "application/json"}, caller=STAFF
        ),
        400,
    )
    created = publish(api)
    after_publish = stored()
    deep_patch = api.request("PATCH", f"/city-updates/{created['id']}", json_body={"title": deep}, caller=STAFF)
    assert_problem(deep_patch, 400)
    huge_reason = {"reason": "r" * 300_000}
    assert_problem(
        api.request("POST", f"/city-updates/{created['id']}/withdraw", json_body=huge_reason, caller=STAFF), 413
    )
    unknown = api.request("POST", f"/city-updates/{created['id']}/withdraw", json_body={"note": "x"}, caller=STAFF)
    assert_problem(unknown, 422, "body.note")
    long_reason = {"reason": "r" * 501}
    assert_problem(
        api.request("POST", f"/city-updates/{created['id']}/withdraw", json_body=long_reason, caller=STAFF),
        422,
        "body.reason",
    )
    assert stored() == after_publish
    assert len(after_publish) == len(before) + 5  # the update and its four list copies


def test_ward_officers_are_limited_to_their_ward(api: Api, clock: FixedClock) -> None:
    before = stored()
    assert_problem(api.request("POST", "/city-updates", json_body=WATER_CUT | {"ward": "W01"}, caller=W07_OFFICER), 403)
    assert_problem(api.request("POST", "/city-updates", json_body=WATER_CUT | {"ward": None}, caller=W07_OFFICER), 403)
    assert stored() == before
    theirs = publish(api, WATER_CUT | {"ward": "W01"}, caller=W01_OFFICER)
    city = publish(api, WATER_CUT | {"ward": None}, caller=STAFF)
    before = stored()
    for other in (theirs, city):
        patch = api.request(
            "PATCH", f"/city-updates/{other['id']}", json_body={"category": "other"}, caller=W07_OFFICER
        )
        assert_problem(patch, 403)
        assert_problem(api.request("POST", f"/city-updates/{other['id']}/withdraw", caller=W07_OFFICER), 403)
    assert_problem(api.get("/staff/city-updates", query={"ward": "W01"}, caller=W07_OFFICER), 403)
    assert stored() == before


def test_roles_unknown_ids_and_bad_queries(api: Api, clock: FixedClock) -> None:
    before = stored()
    assert_problem(api.request("POST", "/city-updates", json_body=WATER_CUT, caller=CITIZEN), 403)
    assert_problem(api.request("POST", "/city-updates", json_body=WATER_CUT), 401)
    assert_problem(api.get("/staff/city-updates", caller=CITIZEN), 403)
    assert_problem(api.get("/staff/city-updates", caller=Caller("+919800000799", ("ward_officer",))), 403)
    for unknown in ("UPD-00000000", "UPD-lower123", "FAC-0B7Q3M2K", "x"):
        assert_problem(api.get(f"/city-updates/{unknown}"), 404)
        assert_problem(
            api.request("PATCH", f"/city-updates/{unknown}", json_body={"category": "other"}, caller=ADMIN), 404
        )
        assert_problem(api.request("POST", f"/city-updates/{unknown}/withdraw", caller=ADMIN), 404)
    for query, field in (
        ({"ward": "W16"}, "query.ward"),
        ({"category": "festival"}, "query.category"),
        ({"limit": 500}, "query.limit"),
        ({"limit": 0}, "query.limit"),
    ):
        assert_problem(api.get("/city-updates", query=query), 422, field)
    assert_problem(api.get("/staff/city-updates", query={"status": "draft"}, caller=STAFF), 422, "query.status")
    assert stored() == before


def test_withdraw_takes_it_off_at_once_again_is_unchanged_and_edits_are_refused(api: Api, clock: FixedClock) -> None:
    created = publish(api)
    path = f"/city-updates/{created['id']}"
    clock.advance(timedelta(minutes=1))
    withdrawn = api.request("POST", f"{path}/withdraw", json_body={"reason": "Repairs postponed"}, caller=W07_OFFICER)
    assert withdrawn.status == 200
    view = withdrawn.json()
    assert (view["status"], view["withdrawn_at"]) == ("withdrawn", iso(NOW + timedelta(minutes=1)))
    assert "reason" not in view
    assert created["id"] not in public_ids(api, ward="W07")
    assert created["id"] not in public_ids(api)
    assert api.get(path).status == 404
    before = stored()
    clock.advance(timedelta(minutes=1))
    again = api.request("POST", f"{path}/withdraw", caller=STAFF)
    assert again.status == 200
    assert again.json() == view
    assert stored() == before
    assert_problem(
        api.request("PATCH", path, json_body={"category": "other"}, caller=STAFF), 409, code="update_withdrawn"
    )
    assert stored() == before


def test_an_ended_update_cannot_be_edited_or_withdrawn(api: Api, clock: FixedClock) -> None:
    created = publish(api, WATER_CUT | {"ends_at": iso(NOW + timedelta(minutes=10))})
    clock.advance(timedelta(minutes=10))
    before = stored()
    path = f"/city-updates/{created['id']}"
    assert_problem(api.request("PATCH", path, json_body={"category": "other"}, caller=STAFF), 409, code="update_ended")
    assert_problem(api.request("POST", f"{path}/withdraw", caller=STAFF), 409, code="update_ended")
    assert stored() == before


def test_an_empty_patch_changes_nothing(api: Api, clock: FixedClock) -> None:
    created = publish(api)
    before = stored()
    reply = api.request("PATCH", f"/city-updates/{created['id']}", json_body={}, caller=W07_OFFICER)
    assert reply.status == 200
    assert reply.json() == created
    assert stored() == before


def test_the_sample_updates_are_seeded_current(api: Api) -> None:
    """Dated from the load time: on the real clock the Kasba Peth water cut and the city-wide drive are live."""
    w07 = api.get("/city-updates", query={"ward": "W07", "limit": 100}).json()["items"]
    titles = {u["title"]["en"] for u in w07}
    assert "No water supply in Kasba Peth today (sample)" in titles
    assert "Measles-rubella vaccination drive (sample)" in titles
    w01 = {u["title"]["en"] for u in api.get("/city-updates", query={"ward": "W01"}).json()["items"]}
    assert "No water supply in Kasba Peth today (sample)" not in w01


def test_the_sample_events_publish_and_list_through_the_handler(api: Api, clock: FixedClock) -> None:
    """events/ for `sam local invoke`: a ward officer's water cut for W07, then W07's water cuts."""
    root = Path(__file__).resolve().parents[2] / "events"
    published = api.runtime.invoke(
        "LookupApiFunction", json.loads((root / "lookup_publish_city_update.json").read_text(encoding="utf-8"))
    )
    assert published["statusCode"] == 201, published
    created = json.loads(published["body"])
    assert (created["ward"], created["status"]) == ("W07", "scheduled")
    clock.advance(parse_iso(created["starts_at"]) - NOW)
    listed = api.runtime.invoke(
        "LookupApiFunction", json.loads((root / "lookup_get_city_updates.json").read_text(encoding="utf-8"))
    )
    assert listed["statusCode"] == 200
    assert created["id"] in [u["id"] for u in json.loads(listed["body"])["items"]]


def test_a_change_made_on_a_stale_read_is_412_and_changes_nothing(api: Api, clock: FixedClock) -> None:
    """Two staff members edit the same update at once: the second write, on the version both read, loses."""
    from lookup import domain, store
    from pmc_common.errors import PreconditionFailed

    created = publish(api)
    first = store.get_update(created["id"])
    second = store.get_update(created["id"])
    assert first is not None
    assert second is not None
    store.save_update(first, first.doc | {"category": "other"})
    before = stored()
    withdrawn = domain.withdraw(domain.from_doc(second.doc, NOW), None, STAFF_CALLER, NOW)
    assert withdrawn is not None
    with pytest.raises(PreconditionFailed):
        store.save_update(second, domain.to_doc(withdrawn))
    assert stored() == before
    assert created["id"] in public_ids(api, ward="W07")
