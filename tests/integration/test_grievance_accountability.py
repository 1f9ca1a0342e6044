"""Proof of fix and moderation (issue 20) through the template's routes, on DynamoDB Local and moto's S3: a
move to `resolved` rests on a resolution photo (same presigned POST and processor as a citizen's) or a reason
with a note; staff hide a citizen's photo, redact rectangles on it (Pillow, a new copy, the unredacted one
deleted) and edit the public description, each logged with who and why. Every refusal changes nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from pmc_common import clients
from pmc_common.clock import FixedClock
from tests.harness import CITIZEN, OTHER_CITIZEN, STAFF, Api, Caller, Reply, fixed_clock, lambda_context, subject_of
from tests.integration.test_grievance_photos import s3_event, upload
from tests.integration.test_grievance_staff_work import W07_OFFICER, counters, in_status, log, patch, reroute

W08_OFFICER = Caller("+919800000308", ("ward_officer",), "W08")
START = datetime(2026, 10, 5, 4, 30, 0, tzinfo=UTC)
GREY, RED = (200, 200, 200), (210, 30, 30)
FACE = (40, 30, 60, 50)  # x, y, width, height of the red square in the citizen's photo
REASON = "A bystander's face is recognisable."


@pytest.fixture
def clock(local_aws: Any) -> Iterator[FixedClock]:
    clients.client.cache_clear()  # a client made before this stack would sign for another endpoint
    yield from fixed_clock("grievance", START)


def jpeg(colour: tuple[int, int, int] = GREY, face: bool = True) -> bytes:
    image = Image.new("RGB", (160, 120), colour)
    if face:
        x, y, w, h = FACE
        image.paste(RED, (x, y, x + w, y + h))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def bucket() -> str:
    from grievance.settings import photos_bucket_name

    return photos_bucket_name()


def processed(local_aws: Any, reply: Reply, content: bytes) -> str:
    """Upload through the presigned POST, then run the processor on the S3 event; returns the photo id."""
    assert reply.status == 201, reply.body
    slot = reply.json()
    upload(slot, content, "image/jpeg")
    from grievance import photo_processor

    outcome = photo_processor.handler(s3_event(bucket(), slot["fields"]["key"], START), lambda_context())
    assert outcome == {"outcomes": {"ready": 1}}
    return str(slot["photo_id"])


def citizen_photo(api: Api, local_aws: Any, grievance_id: str) -> str:
    body = {"content_type": "image/jpeg"}
    return processed(
        local_aws, api.request("POST", f"/grievances/{grievance_id}/photos", json_body=body, caller=CITIZEN), jpeg()
    )


def resolution_photo(api: Api, local_aws: Any, grievance_id: str, caller: Caller = STAFF) -> str:
    body = {"content_type": "image/jpeg"}
    reply = api.request("POST", f"/staff/grievances/{grievance_id}/photos", json_body=body, caller=caller)
    return processed(local_aws, reply, jpeg((30, 160, 30), face=False))


def read(api: Api, grievance_id: str, caller: Caller = STAFF) -> dict[str, Any]:
    reply = api.get(f"/grievances/{grievance_id}", caller=caller)
    assert reply.status == 200, reply.body
    return dict(reply.json())


def assert_problem(reply: Reply, status: int, field: str | None = None, code: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/problem+json")
    problem = reply.json()
    assert problem["status"] == status
    if field is not None:
        assert [e["field"] for e in problem["errors"]] == [field]
    if code is not None:
        assert problem["code"] == code


def unchanged_after(api: Api, grievance_id: str, attempt: Any) -> None:
    """`attempt()` changed nothing: the grievance as staff see it, its counters, its photo objects."""
    from grievance import photo_store

    view, counted, photos = read(api, grievance_id), counters(), photo_store.photos(grievance_id)
    keys = keys_of_bucket(grievance_id)
    attempt()
    assert strip_urls(read(api, grievance_id)) == strip_urls(view)  # signed URLs are signed anew on each read
    assert counters() == counted
    assert photo_store.photos(grievance_id) == photos
    assert keys_of_bucket(grievance_id) == keys


def keys_of_bucket(grievance_id: str) -> set[str]:
    listed = clients.client("s3").list_objects_v2(Bucket=bucket(), Prefix=f"grievances/{grievance_id}/")
    return {item["Key"] for item in listed.get("Contents", [])}


def strip_urls(view: dict[str, Any]) -> dict[str, Any]:
    def photos(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in p.items() if k not in ("url", "thumbnail_url")} for p in items]

    return {**view, "photos": photos(view["photos"]), "resolution_photos": photos(view["resolution_photos"])}


# --- proof of fix -------------------------------------------------------------------------------------


def test_resolving_without_proof_is_422_and_changes_nothing(api: Api, clock: FixedClock) -> None:
    g = in_status(api, "in_progress")
    for body, field in (
        ({"status": "resolved"}, "body.resolution_reason"),
        ({"status": "resolved", "note": "Done."}, "body.resolution_reason"),
        ({"status": "resolved", "resolution_reason": "no_fix_needed"}, "body.note"),  # a reason needs a note
        ({"status": "resolved", "resolution_reason": "fixed", "note": "Done."}, "body.resolution_reason"),
        ({"status": "resolved", "resolution_reason": "duplicate", "note": "Same."}, "body.duplicate_of"),
        ({"status": "in_progress", "resolution_reason": "no_fix_needed", "note": "x"}, "body.resolution_reason"),
    ):
        unchanged_after(
            api, g["id"], lambda body=body, field=field: assert_problem(patch(api, g["id"], body), 422, field)
        )
    assert read(api, g["id"])["status"] == "in_progress"


def test_a_duplicate_must_name_another_grievance_staff_can_see(api: Api, clock: FixedClock) -> None:
    g, other = in_status(api, "in_progress"), log(api)
    elsewhere = log(api)
    moved = reroute(api, elsewhere["id"], {"ward": "W09", "reason": "Across the road: Kothrud's side."})
    assert moved.status == 200, moved.body  # now in W09: a W07 officer cannot see it
    duplicate = {"status": "resolved", "resolution_reason": "duplicate", "note": "Same heap as the other one."}
    for named, caller in (
        ("GRV-2601-0000AA", STAFF),  # unknown
        ("not-an-id", STAFF),
        (g["id"], STAFF),  # itself
        (elsewhere["id"], W07_OFFICER),  # another ward's: as unknown (API.md 1.5)
    ):
        body = duplicate | {"duplicate_of": named}
        unchanged_after(
            api, g["id"], lambda b=body, c=caller: assert_problem(patch(api, g["id"], b, c), 422, "body.duplicate_of")
        )
    reply = patch(api, g["id"], duplicate | {"duplicate_of": other["id"]})
    assert reply.status == 200, reply.body
    assert reply.json()["resolution"] == {"reason": "duplicate", "duplicate_of": other["id"]}
    assert reply.json()["timeline"][-1]["note"] == "Same heap as the other one."


def test_staff_resolve_with_a_photo_and_the_detail_shows_before_and_after(
    api: Api, local_aws: Any, clock: FixedClock
) -> None:
    g = in_status(api, "in_progress")
    before_id = citizen_photo(api, local_aws, g["id"])
    body = {"content_type": "image/jpeg"}
    for caller, status in ((CITIZEN, 403), (OTHER_CITIZEN, 403), (W08_OFFICER, 404)):
        denied = api.request("POST", f"/staff/grievances/{g['id']}/photos", json_body=body, caller=caller)
        assert_problem(denied, status)
    counted = counters()

    after_id = resolution_photo(api, local_aws, g["id"])
    reply = patch(api, g["id"], {"status": "resolved"})

    assert reply.status == 200, reply.body
    resolved = reply.json()
    assert resolved["resolution"] == {"reason": "fixed", "duplicate_of": None}
    for view in (resolved, read(api, g["id"], CITIZEN)):
        assert [(p["id"], p["kind"]) for p in view["photos"]] == [(before_id, "citizen")]
        assert [(p["id"], p["kind"], p["status"]) for p in view["resolution_photos"]] == [
            (after_id, "resolution", "ready")
        ]
        assert view["resolution_photos"][0]["url"]
    assert read(api, g["id"], CITIZEN)["moderation"] is None
    moved = {k: v - counted[k] for k, v in counters().items() if v != counted[k]}
    assert moved["W07#solid_waste_management#in_progress"] == -1
    assert moved["W07#solid_waste_management#resolved"] == 1
    from grievance import store

    assert store.get(g["id"]).photo_count == 1  # type: ignore[union-attr]  # the citizen's only


def test_a_reopened_grievance_needs_a_new_resolution_photo(api: Api, local_aws: Any, clock: FixedClock) -> None:
    g = in_status(api, "in_progress")
    resolution_photo(api, local_aws, g["id"])
    assert patch(api, g["id"], {"status": "resolved"}).status == 200
    clock.advance(timedelta(hours=1))
    reason = {"reason": "Garbage is back the next day."}
    assert api.request("POST", f"/grievances/{g['id']}/reopen", json_body=reason, caller=CITIZEN).status == 200
    assert patch(api, g["id"], {"status": "assigned", "assignee": "JE SWM"}).status == 200
    assert patch(api, g["id"], {"status": "in_progress"}).status == 200
    assert read(api, g["id"])["resolution"] is None
    assert_problem(patch(api, g["id"], {"status": "resolved"}), 422, "body.resolution_reason")
    clock.advance(timedelta(hours=1))
    resolution_photo(api, local_aws, g["id"])
    assert patch(api, g["id"], {"status": "resolved"}).status == 200


# --- moderation -----------------------------------------------------------------------------------------


def pixel(data: bytes, at: tuple[int, int]) -> tuple[int, ...]:
    value = Image.open(io.BytesIO(data)).convert("RGB").getpixel(at)
    assert isinstance(value, tuple)
    return value


def test_a_redacted_photo_differs_in_the_rectangle_and_the_unredacted_copy_is_gone(
    api: Api, local_aws: Any, clock: FixedClock
) -> None:
    g = in_status(api, "assigned")
    photo_id = citizen_photo(api, local_aws, g["id"])
    s3 = clients.client("s3")
    prefix = f"grievances/{g['id']}/{photo_id}/"
    original = s3.get_object(Bucket=bucket(), Key=prefix + "clean")["Body"].read()
    x, y, w, h = FACE
    inside = (x + w // 2, y + h // 2)
    assert pixel(original, inside)[0] > 180  # red: the "face"
    rectangle = {"x": x, "y": y, "width": w, "height": h}

    reply = api.request(
        "POST",
        f"/staff/grievances/{g['id']}/photos/{photo_id}/redact",
        json_body={"rectangles": [rectangle], "reason": REASON},
        caller=STAFF,
    )

    assert reply.status == 200, reply.body
    view = reply.json()
    assert keys_of_bucket(g["id"]) == {prefix + "clean-r1", prefix + "thumb-r1"}  # the unredacted copies gone
    redacted = s3.get_object(Bucket=bucket(), Key=prefix + "clean-r1")["Body"].read()
    assert pixel(redacted, inside) != pixel(original, inside)
    assert max(pixel(redacted, inside)) < 30  # filled
    assert pixel(redacted, (5, 5)) == pytest.approx(pixel(original, (5, 5)), abs=6)  # the rest kept
    thumb = s3.get_object(Bucket=bucket(), Key=prefix + "thumb-r1")["Body"].read()
    assert max(pixel(thumb, inside)) < 60  # the thumbnail made again from the redacted copy
    [shown] = view["photos"]
    assert (shown["redacted"], shown["hidden"]) == (True, False)
    assert "clean-r1" in shown["url"]
    [entry] = view["moderation"]
    assert entry == {
        "at": "2026-10-05T04:30:00Z",
        "action": "photo_redacted",
        "by": subject_of(STAFF.phone_number),
        "reason": REASON,
        "photo_id": photo_id,
        "rectangles": [rectangle],
        "previous_description": None,
    }
    assert (view["timeline"][-1]["type"], view["timeline"][-1]["note"]) == ("photo_redacted", REASON)
    mine = read(api, g["id"], CITIZEN)
    assert "clean-r1" in mine["photos"][0]["url"]
    assert (mine["timeline"][-1]["type"], mine["timeline"][-1]["note"], mine["moderation"]) == (
        "photo_redacted",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("rectangles", "field"),
    [
        ([{"x": 150, "y": 10, "width": 20, "height": 10}], "body.rectangles.0"),  # past the right edge (160)
        (
            [{"x": 0, "y": 0, "width": 10, "height": 10}, {"x": 0, "y": 100, "width": 10, "height": 21}],
            "body.rectangles.1",
        ),
        ([{"x": 10, "y": 10, "width": 0, "height": 10}], "body.rectangles.0"),  # no area
        ([{"x": 10, "y": 10, "width": 5, "height": 0}], "body.rectangles.0"),
        ([{"x": -1, "y": 10, "width": 5, "height": 5}], "body.rectangles.0.x"),
        ([], "body.rectangles"),
        ([{"x": 0, "y": 0, "width": 1, "height": 1}] * 21, "body.rectangles"),  # at most 20
    ],
)
def test_bad_rectangles_are_422_naming_them_and_change_nothing(
    api: Api, local_aws: Any, clock: FixedClock, rectangles: list[dict[str, int]], field: str
) -> None:
    g = in_status(api, "assigned")
    photo_id = citizen_photo(api, local_aws, g["id"])
    path = f"/staff/grievances/{g['id']}/photos/{photo_id}/redact"
    unchanged_after(
        api,
        g["id"],
        lambda: assert_problem(
            api.request("POST", path, json_body={"rectangles": rectangles, "reason": REASON}, caller=STAFF), 422, field
        ),
    )


def test_a_hidden_photo_is_shown_to_staff_only(api: Api, local_aws: Any, clock: FixedClock) -> None:
    from grievance import photos

    g = in_status(api, "assigned")
    photo_id = citizen_photo(api, local_aws, g["id"])
    assert photos.first_thumbnail_url(g["id"]) is not None  # Open311's media_url
    path = f"/staff/grievances/{g['id']}/photos/{photo_id}/hide"
    assert_problem(api.request("POST", path, json_body={"reason": "short"}, caller=STAFF), 422, "body.reason")

    reply = api.request("POST", path, json_body={"reason": REASON}, caller=STAFF)

    assert reply.status == 200, reply.body
    [staff_sees] = reply.json()["photos"]
    assert (staff_sees["id"], staff_sees["hidden"]) == (photo_id, True)
    assert staff_sees["url"]
    assert reply.json()["moderation"][0]["action"] == "photo_hidden"
    assert read(api, g["id"], CITIZEN)["photos"] == []
    assert photos.first_thumbnail_url(g["id"]) is None
    unchanged_after(
        api,
        g["id"],
        lambda: assert_problem(
            api.request("POST", path, json_body={"reason": REASON}, caller=STAFF), 409, code="photo_hidden"
        ),
    )
    # the slot it held is free again: the citizen may send a better photo
    again = api.request(
        "POST", f"/grievances/{g['id']}/photos", json_body={"content_type": "image/jpeg"}, caller=CITIZEN
    )
    assert again.status == 201


def test_staff_edit_the_public_description_and_the_original_stays_for_staff(api: Api, clock: FixedClock) -> None:
    g = log(api)
    path = f"/staff/grievances/{g['id']}/description"
    edited = "Garbage not collected behind Kasba Ganpati."
    reply = api.request(
        "POST", path, json_body={"description": edited, "reason": "Owner's phone number in it."}, caller=STAFF
    )
    assert reply.status == 200, reply.body
    assert reply.json()["description"] == edited
    assert reply.json()["moderation"][-1]["previous_description"] == g["description"]
    mine = read(api, g["id"], CITIZEN)
    assert mine["description"] == edited
    assert g["description"] not in str(mine)
    assert mine["timeline"][-1]["type"] == "description_edited"
    for body, field in (
        ({"description": edited}, "body.reason"),
        ({"description": "short", "reason": REASON}, "body.description"),
    ):
        unchanged_after(
            api,
            g["id"],
            lambda b=body, f=field: assert_problem(api.request("POST", path, json_body=b, caller=STAFF), 422, f),
        )


def test_citizens_calling_moderation_routes_get_403_and_change_nothing(
    api: Api, local_aws: Any, clock: FixedClock
) -> None:
    g = in_status(api, "assigned")
    photo_id = citizen_photo(api, local_aws, g["id"])
    base = f"/staff/grievances/{g['id']}"
    rectangle = {"x": 0, "y": 0, "width": 10, "height": 10}
    calls = [
        (f"{base}/photos/{photo_id}/hide", {"reason": REASON}),
        (f"{base}/photos/{photo_id}/redact", {"rectangles": [rectangle], "reason": REASON}),
        (f"{base}/description", {"description": "Garbage behind the temple.", "reason": REASON}),
        (f"{base}/photos", {"content_type": "image/jpeg"}),
    ]
    for caller in (CITIZEN, OTHER_CITIZEN):  # the owner too
        for path, body in calls:
            unchanged_after(
                api,
                g["id"],
                lambda p=path, b=body, c=caller: assert_problem(api.request("POST", p, json_body=b, caller=c), 403),
            )
    for path, body in calls:  # a ward officer of another ward: as unknown
        unchanged_after(
            api,
            g["id"],
            lambda p=path, b=body: assert_problem(api.request("POST", p, json_body=b, caller=W08_OFFICER), 404),
        )
    resolution = resolution_photo(api, local_aws, g["id"])  # staff's own proof is not moderated
    assert_problem(
        api.request("POST", f"{base}/photos/{resolution}/hide", json_body={"reason": REASON}, caller=STAFF), 404
    )
