"""Grievance HTTP API (API.md section 3): citizens log and track, staff work the queue.

Routes only parse, authorize, call the domain and the store, and shape the reply."""

from datetime import datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger

from grievance import (
    access,
    accounts,
    cfc,
    cfc_store,
    domain,
    moderation,
    photo_rules,
    photos,
    preferences,
    reference,
    scorecard_api,
    store,
)
from grievance.cfc import ClerkAtCfc
from grievance.models import (
    CategoryView,
    CfcGrievanceCreate,
    CfcGrievanceItem,
    CfcGrievanceView,
    DescriptionBody,
    FeedbackBody,
    FollowView,
    GrievanceCreate,
    GrievanceView,
    ModerationReason,
    MyGrievanceItem,
    NearbyItem,
    PhotoRequest,
    PhotoUpload,
    PreferencesBody,
    PreferencesView,
    QueueItem,
    RedactBody,
    ReopenBody,
    RerouteBody,
    StaffChange,
    StatsView,
)
from grievance.open311 import routes as open311
from grievance.settings import settings
from grievance.views import detail, names
from pmc_common import geo, ids
from pmc_common.app import Now, Query, Request, Response, create_app, lambda_handler, system_clock
from pmc_common.auth import Caller, CitizenCaller, StaffCaller
from pmc_common.caching import cached_json
from pmc_common.clock import Clock, iso
from pmc_common.errors import Invalid, NotFound
from pmc_common.idempotency import IdempotencyKey
from pmc_common.models import Slug, Ward
from pmc_common.paging import Cursors, Page
from pmc_common.views import json_response, shaped

__all__ = ["app", "handler", "system_clock"]  # tests fix the time through system_clock

NEARBY_RADIUS_M = 100
NEARBY_LIMIT = 20
CATEGORIES_MAX_AGE = 300
QueueStatus = Literal[
    "submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened", "open", "all"
]

logger = Logger(service="grievance")
cursors = Cursors(settings().cursor_secret)
# Open311's POST takes a form, not JSON (API.md 6): its routes read their own bodies, bounded (grievance.open311)
app = create_app("grievance", "PuneConnect grievances", logger, raw_body_paths=("/open311/",))


# --- citizens ------------------------------------------------------------------------------------


@app.get("/grievance-categories", response_model=Page[CategoryView], name="list_grievance_categories")
def grievance_categories(request: Request) -> Response:
    items = [c.as_dict() for c in sorted(reference.categories().values(), key=lambda c: c.id)]
    return cached_json(request, {"items": items, "next_cursor": None}, CATEGORIES_MAX_AGE)


@app.post("/grievances", status_code=201, response_model=GrievanceView)
def log_grievance(body: GrievanceCreate, caller: CitizenCaller, clock: Now, retry: IdempotencyKey) -> Response:
    return retry.once(lambda: file_grievance(body, caller, clock))


def file_grievance(body: GrievanceCreate, caller: Caller, clock: Clock) -> Response:
    now = clock.now()
    checked = filing(body, now)
    change = domain.log(**checked, owner_sub=caller.sub, owner_phone_number=caller.phone_number, channel="app", now=now)
    g = store.create(change)  # under a fresh id if the one drawn is taken
    return json_response(detail(g, "owner", caller, now), 201, {"Location": f"/grievances/{g.id}"})


def filing(body: GrievanceCreate, now: datetime) -> dict[str, Any]:
    """What domain.log takes of a create body, checked (category, place, attributes: 422 before any write)."""
    category = reference.category(body.category)
    return {
        "grievance_id": ids.grievance_id(now),
        "category": category.id,
        "department": category.department_id,
        "sla_hours": category.sla_hours,
        "ward": reference.geography().ward_of(body.lat, body.lng),
        "description": body.description,
        "lat": body.lat,
        "lng": body.lng,
        "address": body.address,
        "landmark": body.landmark,
        "attributes": domain.check_attributes(category.attributes, body.attributes or {}),
    }


@app.get("/me/grievances", response_model=Page[MyGrievanceItem], name="list_my_grievances")
def my_grievances(
    caller: CitizenCaller,
    clock: Now,
    relation: Literal["owner", "follower"] = "owner",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    filters = {"relation": relation, "limit": limit, "sub": caller.sub}
    start = cursors.decode(cursor, "/me/grievances", filters)
    found, last = store.citizen_page(relation, caller.sub, limit, start)
    now = clock.now()
    items = [
        shaped(
            MyGrievanceItem,
            g,
            category_name=reference.category(g.category).name,
            ward_name=reference.ward_name(g.ward),
            overdue=g.overdue(now),
            relation=relation,
        )
        for g in found
    ]
    return json_response({"items": items, "next_cursor": cursors.encode(last, "/me/grievances", filters)})


@app.get(
    "/grievances/nearby",
    response_model=Page[NearbyItem],
    name="list_nearby_grievances",
    responses={422: [geo.LOCATION_OUTSIDE_PUNE]},
)
def nearby(
    caller: CitizenCaller,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lng: Annotated[float, Query(ge=-180, le=180)],
    category: Slug,
) -> Response:
    if category not in reference.categories():
        raise Invalid.of("query.category", "unknown grievance category")
    found = store.open_near(category, lat, lng, NEARBY_RADIUS_M, NEARBY_LIMIT).found  # nearest first; 422 off Pune
    items = [
        shaped(NearbyItem, g, lat=round(g.lat or 0.0, 4), lng=round(g.lng or 0.0, 4), distance_m=metres)
        for metres, g in found
    ]
    return json_response({"items": items, "next_cursor": None})


@app.get("/grievances/{grievance_id}", response_model=GrievanceView, name="get_grievance")
def grievance(grievance_id: str, caller: CitizenCaller, clock: Now) -> Response:
    g, relation = access.readable(grievance_id, caller)
    return json_response(detail(g, relation, caller, clock.now()))


@app.post(
    "/grievances/{grievance_id}/photos",
    status_code=201,
    response_model=PhotoUpload,
    name="request_photo_upload",
    responses={403: [], 409: ["grievance_not_open", "photo_limit_reached"]},
)
def request_photo(
    grievance_id: str, body: PhotoRequest, caller: CitizenCaller, clock: Now, retry: IdempotencyKey
) -> Response:
    g = access.owned(grievance_id, caller)
    return retry.once(lambda: json_response(photos.request_upload(g, body.content_type, clock.now()), 201))


@app.post(
    "/grievances/{grievance_id}/follow",
    response_model=FollowView,
    name="follow_grievance",
    responses={409: ["is_owner", "grievance_not_open"]},
)
def follow(grievance_id: str, caller: CitizenCaller, clock: Now) -> Response:
    g = access.followable(grievance_id, caller)
    added = store.follow(g, caller.sub, caller.phone_number, iso(clock.now()))
    count = g.followers_count + 1 if added else (store.get(g.id) or g).followers_count
    return json_response({"grievance_id": g.id, "following": True, "followers_count": count})


@app.delete("/grievances/{grievance_id}/follow", status_code=204, name="unfollow_grievance")
def unfollow(grievance_id: str, caller: CitizenCaller) -> Response:
    g = access.known(grievance_id)
    if not store.unfollow(g.id, caller.sub):
        raise NotFound("You do not follow this grievance")
    return Response(status_code=204)


@app.post(
    "/grievances/{grievance_id}/feedback",
    response_model=GrievanceView,
    name="give_feedback",
    responses={403: [], 409: ["not_resolved", "illegal_transition"]},
)
def feedback(grievance_id: str, body: FeedbackBody, caller: CitizenCaller, clock: Now) -> Response:
    g = access.owned(grievance_id, caller)
    now = clock.now()
    change = domain.give_feedback(g, rating=body.rating, comment=body.comment, now=now)
    saved = store.save(change, g)
    return json_response(detail(saved, "owner", caller, now))


@app.post(
    "/grievances/{grievance_id}/reopen",
    response_model=GrievanceView,
    name="reopen_grievance",
    responses={403: [], 409: ["not_resolved", "reopen_window_passed", "reopen_limit_reached", "illegal_transition"]},
)
def reopen(grievance_id: str, body: ReopenBody, caller: CitizenCaller, clock: Now) -> Response:
    g = access.owned(grievance_id, caller)
    now = clock.now()
    category_sla_hours = reference.category(g.category).sla_hours  # for one stored before it kept its own
    change = domain.reopen(g, reason=body.reason, sla_hours=category_sla_hours, now=now)
    saved = store.save(change, g)
    return json_response(detail(saved, "owner", caller, now))


@app.get("/me/preferences", response_model=PreferencesView)
def my_preferences(caller: CitizenCaller) -> Response:
    """The language of the caller's SMS: Marathi until they choose (issue 16)."""
    return json_response({"language": preferences.language_of(caller.sub)})


@app.put("/me/preferences", response_model=PreferencesView)
def set_my_preferences(body: PreferencesBody, caller: CitizenCaller, clock: Now) -> Response:
    preferences.set_language(caller.sub, body.language, iso(clock.now()))
    return json_response({"language": body.language})


# --- staff ---------------------------------------------------------------------------------------


@app.get("/staff/grievances", response_model=Page[QueueItem], name="list_staff_grievances")
def staff_queue(
    caller: StaffCaller,
    clock: Now,
    status: QueueStatus = "open",
    ward: Ward | None = None,
    department: Slug | None = None,
    category: Slug | None = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    if department is not None and department not in reference.departments():
        raise Invalid.of("query.department", "unknown department")
    if category is not None and category not in reference.categories():
        raise Invalid.of("query.category", "unknown grievance category")
    ward = access.ward_filter(caller, ward)
    filters = {"status": status, "ward": ward, "department": department, "category": category, "overdue": overdue}
    position = cursors.decode(cursor, "/staff/grievances", filters | {"limit": limit})
    now = clock.now()
    page: list[domain.Grievance] = []
    after: str | None = None
    # a category implies its department: with another department nothing matches, and nothing is read
    if category is None or department in (None, reference.category(category).department_id):
        wanted = store.QueueFilter(status, ward, department, category, overdue)
        page, after = store.queue_page(wanted, iso(now), position["after"] if position else None, limit)
    items = [shaped(QueueItem, g, overdue=g.overdue(now), **names(g)) for g in page]
    next_cursor = cursors.encode({"after": after} if after else None, "/staff/grievances", filters | {"limit": limit})
    return json_response({"items": items, "next_cursor": next_cursor})


@app.patch(
    "/staff/grievances/{grievance_id}",
    response_model=GrievanceView,
    name="update_staff_grievance",
    responses={409: ["illegal_transition"]},
)
def staff_update(grievance_id: str, change: StaffChange, caller: StaffCaller, clock: Now) -> Response:
    g, relation = access.staffed(grievance_id, caller)  # another ward's: 404
    now = clock.now()
    applied = domain.staff_change(
        g,
        status=change.status,
        assignee=change.assignee,
        note=change.note,
        internal_note=change.internal_note,
        now=now,
        proof=resolution_proof(g, change, caller) if change.status == "resolved" else resolution_given(change),
    )
    saved = store.save(applied, g)
    return json_response(detail(saved, relation, caller, now))


@app.post(
    "/staff/grievances/{grievance_id}/reroute",
    response_model=GrievanceView,
    name="reroute_staff_grievance",
    responses={409: ["grievance_not_open", "illegal_transition"]},
)
def staff_reroute(grievance_id: str, body: RerouteBody, caller: StaffCaller, clock: Now) -> Response:
    g, relation = access.staffed(grievance_id, caller)  # another ward's: 404; to any ward
    to = reference.category(body.category or g.category)  # unknown: 422 body.category
    now = clock.now()
    change = domain.reroute(
        g,
        category=body.category,
        ward=body.ward,
        reason=body.reason,
        department=to.department_id,
        sla_hours=to.sla_hours,
        now=now,
    )
    saved = store.save(change, g)  # counters, due markers and index keys move with it
    return json_response(detail(saved, relation, caller, now, staff_view=True))  # also when sent to another ward


def resolution_given(change: StaffChange) -> dict[str, object]:
    return {"resolution_reason": change.resolution_reason, "duplicate_of": change.duplicate_of}


def resolution_proof(g: domain.Grievance, change: StaffChange, caller: Caller) -> dict[str, object]:
    """What the move to `resolved` checks (issue 20): resolution photos since the last reopen, or the reason;
    a duplicate must be a grievance the caller could open as staff (another ward's is as unknown, API.md 1.5)."""
    known = False
    if change.duplicate_of is not None:
        try:
            access.staffed(change.duplicate_of, caller)
            known = True
        except NotFound:
            known = False
    return resolution_given(change) | {"resolution_photos": photos.proof_count(g), "duplicate_known": known}


@app.post(
    "/staff/grievances/{grievance_id}/photos",
    status_code=201,
    response_model=PhotoUpload,
    name="request_resolution_photo_upload",
    responses={409: ["grievance_not_open", "photo_limit_reached"]},
)
def request_resolution_photo(
    grievance_id: str, body: PhotoRequest, caller: StaffCaller, clock: Now, retry: IdempotencyKey
) -> Response:
    """Proof of fix (issue 20): a resolution photo by the same presigned POST and processor as a citizen's."""
    g, _ = access.staffed(grievance_id, caller)  # another ward's: 404
    return retry.once(
        lambda: json_response(photos.request_upload(g, body.content_type, clock.now(), "resolution"), 201)
    )


@app.post(
    "/staff/grievances/{grievance_id}/photos/{photo_id}/hide",
    response_model=GrievanceView,
    name="hide_grievance_photo",
    responses={409: ["photo_hidden", "photo_not_ready", "illegal_transition"]},
)
def hide_photo(grievance_id: str, photo_id: str, body: ModerationReason, caller: StaffCaller, clock: Now) -> Response:
    """Moderation (issue 20): a citizen's photo never shown to citizens or Open311 again; staff see it hidden."""
    g, relation = access.staffed(grievance_id, caller)  # another ward's: 404
    now = clock.now()
    saved = moderation.hide(g, photo_id, reason=body.reason, by=caller.sub, now=now)
    return json_response(detail(saved, relation, caller, now, staff_view=True))


@app.post(
    "/staff/grievances/{grievance_id}/photos/{photo_id}/redact",
    response_model=GrievanceView,
    name="redact_grievance_photo",
    responses={409: ["photo_hidden", "photo_not_ready", "illegal_transition"]},
)
def redact_photo(grievance_id: str, photo_id: str, body: RedactBody, caller: StaffCaller, clock: Now) -> Response:
    """Moderation (issue 20): rectangles filled on a new copy; the unredacted copy deleted, never served again."""
    g, relation = access.staffed(grievance_id, caller)  # another ward's: 404
    now = clock.now()
    rectangles = [photo_rules.Rectangle(r.x, r.y, r.width, r.height) for r in body.rectangles]
    saved = moderation.redact(g, photo_id, rectangles, reason=body.reason, by=caller.sub, now=now)
    return json_response(detail(saved, relation, caller, now, staff_view=True))


@app.post(
    "/staff/grievances/{grievance_id}/description",
    response_model=GrievanceView,
    name="edit_grievance_description",
    responses={409: ["illegal_transition"]},
)
def edit_description(grievance_id: str, body: DescriptionBody, caller: StaffCaller, clock: Now) -> Response:
    """Moderation (issue 20): the public description replaced; the original kept for the staff view only."""
    g, relation = access.staffed(grievance_id, caller)  # another ward's: 404
    now = clock.now()
    saved = moderation.edit_description(g, body.description, reason=body.reason, by=caller.sub, now=now)
    return json_response(detail(saved, relation, caller, now, staff_view=True))


@app.get("/staff/grievances/stats", response_model=StatsView, name="get_staff_grievance_stats")
def staff_stats(caller: StaffCaller, clock: Now, ward: Ward | None = None) -> Response:
    ward = access.ward_filter(caller, ward)  # another ward: 403
    now = clock.now()
    stats = domain.stats(
        store.counters(ward),
        ward=ward,
        wards=reference.WARDS,
        departments=sorted(reference.departments()),
        overdue=store.overdue_count(ward, iso(now)),
        now=now,
    )
    return json_response(shaped(StatsView, stats))


# --- CFC clerks (issue 20): filing for walk-in citizens, reading what their CFC filed today ---------------


@app.post("/cfc/grievances", status_code=201, response_model=CfcGrievanceView, name="file_cfc_grievance")
def file_at_cfc(body: CfcGrievanceCreate, clerk: ClerkAtCfc, clock: Now, retry: IdempotencyKey) -> Response:
    return retry.once(lambda: file_for_walk_in(body, clerk, clock))


def file_for_walk_in(body: CfcGrievanceCreate, clerk: cfc.Clerk, clock: Clock) -> Response:
    """Owned by the account of the citizen's number (made if missing), texted to it, the CFC in its timeline."""
    now = clock.now()
    checked = filing(body, now)  # a bad body is 422 before any account is looked up or made
    owner_sub = accounts.citizens().sub_of(body.citizen_phone_number)
    change = domain.log(
        **checked,
        owner_sub=owner_sub,
        owner_phone_number=body.citizen_phone_number,
        channel="cfc",
        office=clerk.cfc.as_ref(),
        now=now,
    )
    day = cfc.today(now)
    g = store.create(change, lambda g: [cfc_store.filing(clerk.cfc.id, day, g)])  # the filing, same transaction
    return json_response(cfc.view(g, now), 201, {"Location": f"/cfc/grievances/{g.id}"})


@app.get("/cfc/grievances", response_model=Page[CfcGrievanceItem], name="list_cfc_grievances")
def cfc_grievances(
    clerk: ClerkAtCfc,
    clock: Now,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    day = cfc.today(clock.now())
    filters = {"office": clerk.cfc.id, "day": day.isoformat(), "limit": limit}  # a cursor ends with its day
    start = cursors.decode(cursor, "/cfc/grievances", filters)
    found, last = cfc_store.day_page(clerk.cfc.id, day, limit, start)
    items = [cfc.item(g) for g in found]
    return json_response({"items": items, "next_cursor": cursors.encode(last, "/cfc/grievances", filters)})


@app.get("/cfc/grievances/{grievance_id}", response_model=CfcGrievanceView, name="get_cfc_grievance")
def cfc_grievance(grievance_id: str, clerk: ClerkAtCfc, clock: Now) -> Response:
    now = clock.now()
    g = access.filed_at_cfc(grievance_id, clerk.cfc.id, cfc.today(now))  # another CFC's or day's: 404
    return json_response(cfc.view(g, now))


open311.register(app)  # Open311 GeoReport v2 and its admin key routes (API.md 6)
scorecard_api.register(app)  # the public ward scorecard (issue 20)
reference.load()  # at init: no request pays for it, and SnapStart's snapshot holds it
handler = lambda_handler(app, "grievance", logger)
