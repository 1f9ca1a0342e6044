"""Grievance HTTP API (API.md section 3): citizens log and track, staff work the queue.

Routes only parse, authorize, call the domain and the store, and shape the reply."""

from datetime import datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger

from grievance import domain, events, photos, reference, store
from grievance.models import (
    CategoryView,
    FeedbackBody,
    FollowView,
    GrievanceCreate,
    GrievanceView,
    MyGrievanceItem,
    NearbyItem,
    PhotoRequest,
    PhotoUpload,
    QueueItem,
    ReopenBody,
    StaffChange,
    StatsView,
)
from grievance.settings import settings
from pmc_common import ids
from pmc_common.app import Depends, Query, Request, Response, create_app, lambda_handler
from pmc_common.auth import Caller, CitizenCaller, StaffCaller
from pmc_common.caching import cached_json, render
from pmc_common.clock import Clock, SystemClock, iso
from pmc_common.errors import Conflict, Forbidden, Internal, Invalid, NotFound
from pmc_common.geo import search_cover
from pmc_common.idempotency import IdempotencyKey
from pmc_common.models import Slug, View, Ward
from pmc_common.paging import Cursors, Page

NEARBY_RADIUS_M = 100
NEARBY_LIMIT = 20
CATEGORIES_MAX_AGE = 300
QueueStatus = Literal[
    "submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened", "open", "all"
]

logger = Logger(service="grievance")
cursors = Cursors(settings().cursor_secret)
app = create_app("grievance", "PuneConnect grievances", logger)


def system_clock() -> Clock:
    return SystemClock()


Now = Annotated[Clock, Depends(system_clock)]
Relation = Literal["owner", "follower", "staff"]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(render(payload), status_code=status, media_type="application/json", headers=headers)


# --- reading with object-level access (API.md 1.5) -------------------------------------------------


def find(grievance_id: str) -> domain.Grievance:
    g = store.get(grievance_id) if ids.GRIEVANCE_ID.match(grievance_id) else None
    if g is None:
        raise NotFound("No grievance with that id")
    return g


def relation_of(g: domain.Grievance, caller: Caller) -> Relation | None:
    if g.owner_sub == caller.sub:
        return "owner"
    if store.is_follower(g.id, caller.sub):
        return "follower"
    if caller.covers_ward(g.ward):
        return "staff"
    return None


def readable(grievance_id: str, caller: Caller) -> tuple[domain.Grievance, Relation]:
    """The grievance and the caller's relation to it; anyone else gets 404, as for an unknown id."""
    g = find(grievance_id)
    relation = relation_of(g, caller)
    if relation is None:
        raise NotFound("No grievance with that id")
    return g, relation


def owned(grievance_id: str, caller: Caller) -> domain.Grievance:
    """An owner action: followers and staff may read it, so they get 403; others 404."""
    g, relation = readable(grievance_id, caller)
    if relation != "owner":
        raise Forbidden("Only the citizen who logged this grievance may do this")
    return g


def detail(g: domain.Grievance, relation: Relation, caller: Caller, now: datetime) -> dict[str, Any]:
    staff_view = caller.covers_ward(g.ward)
    view = {
        "id": g.id,
        "category": g.category,
        "category_name": reference.category(g.category).name,
        "description": g.description,
        "lat": g.lat,
        "lng": g.lng,
        "address": g.address,
        "landmark": g.landmark,
        "attributes": g.attributes,
        "ward": g.ward,
        "department": g.department,
        "status": g.status,
        "escalation_level": g.escalation_level,
        "overdue": g.overdue(now),
        "reopen_count": g.reopen_count,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
        "due_at": g.due_at,
        "resolved_at": g.resolved_at,
        "closed_at": g.closed_at,
        "relation": relation,
        "followers_count": g.followers_count,
        "feedback": g.feedback if relation != "follower" else None,
        "photos": photos.views(g.id, now),
        "timeline": [e for e in g.timeline if staff_view or e["type"] != "assignee_changed"],
        "staff": (
            {
                "assignee": g.assignee,
                "sla_due_at": g.sla_due_at,
                "owner_phone_number": g.owner_phone_number,
                "channel": g.channel,
            }
            if staff_view
            else None
        ),
    }
    return GrievanceView.model_validate(view).model_dump(mode="json")


def shaped(view: type[View], g: domain.Grievance, **computed: Any) -> dict[str, Any]:
    """A list item: the view's fields taken from the grievance, plus those computed for the caller."""
    fields = {name: computed[name] if name in computed else getattr(g, name) for name in view.model_fields}
    return view.model_validate(fields).model_dump(mode="json")


def announce(change: domain.StatusChange) -> None:
    events.status_changed(change, change.grievance.updated_at)


# --- citizens ------------------------------------------------------------------------------------


@app.get("/grievance-categories", response_model=Page[CategoryView])
def grievance_categories(request: Request) -> Response:
    items = [c.as_dict() for c in sorted(reference.categories().values(), key=lambda c: c.id)]
    return cached_json(request, {"items": items, "next_cursor": None}, CATEGORIES_MAX_AGE)


@app.post("/grievances", status_code=201, response_model=GrievanceView)
def log_grievance(body: GrievanceCreate, caller: CitizenCaller, clock: Now, retry: IdempotencyKey) -> Response:
    return retry.once(lambda: file_grievance(body, caller, clock))


def file_grievance(body: GrievanceCreate, caller: Caller, clock: Clock) -> Response:
    category = reference.category(body.category)
    attributes = domain.check_attributes(category.attributes, body.attributes or {})
    ward = reference.geography().ward_of(body.lat, body.lng)
    now = clock.now()
    fields = body.model_dump() | {"attributes": attributes}
    for _ in range(5):  # the random part may collide; draw again
        change = domain.log(
            grievance_id=ids.grievance_id(now),
            category=category.id,
            department=category.department_id,
            sla_hours=category.sla_hours,
            ward=ward,
            body=fields,
            owner_sub=caller.sub,
            owner_phone_number=caller.phone_number,
            channel="app",
            now=now,
        )
        if store.create(change):
            announce(change)
            g = change.grievance
            return json_response(detail(g, "owner", caller, now), 201, {"Location": f"/grievances/{g.id}"})
    raise Internal("Could not allocate a grievance id")


@app.get("/me/grievances", response_model=Page[MyGrievanceItem])
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
            overdue=g.overdue(now),
            relation=relation,
        )
        for g in found
    ]
    return json_response({"items": items, "next_cursor": cursors.encode(last, "/me/grievances", filters)})


@app.get("/grievances/nearby", response_model=Page[NearbyItem])
def nearby(
    caller: CitizenCaller,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lng: Annotated[float, Query(ge=-180, le=180)],
    category: Slug,
) -> Response:
    if category not in reference.categories():
        raise Invalid.of("query.category", "unknown grievance category")
    cells = search_cover(lat, lng, NEARBY_RADIUS_M, store.NEARBY_PRECISION)  # 422 outside the Pune region
    found = store.open_near(category, lat, lng, NEARBY_RADIUS_M, NEARBY_LIMIT, cells).found  # nearest first
    items = [
        {
            "id": g.id,
            "category": g.category,
            "status": g.status,
            "created_at": g.created_at,
            "lat": round(g.lat or 0.0, 4),
            "lng": round(g.lng or 0.0, 4),
            "distance_m": metres,
            "followers_count": g.followers_count,
        }
        for metres, g in found
    ]
    return json_response({"items": items, "next_cursor": None})


@app.get("/grievances/{grievance_id}", response_model=GrievanceView)
def grievance(grievance_id: str, caller: CitizenCaller, clock: Now) -> Response:
    g, relation = readable(grievance_id, caller)
    return json_response(detail(g, relation, caller, clock.now()))


@app.post("/grievances/{grievance_id}/photos", status_code=201, response_model=PhotoUpload)
def request_photo(
    grievance_id: str, body: PhotoRequest, caller: CitizenCaller, clock: Now, retry: IdempotencyKey
) -> Response:
    g = owned(grievance_id, caller)
    return retry.once(lambda: json_response(photos.request_upload(g, body.content_type, clock.now()), 201))


@app.post("/grievances/{grievance_id}/follow", response_model=FollowView)
def follow(grievance_id: str, caller: CitizenCaller, clock: Now) -> Response:
    g = find(grievance_id)
    if g.owner_sub == caller.sub:
        raise Conflict("You logged this grievance; you follow it already", code="is_owner")
    if not g.is_open:
        if relation_of(g, caller) is None:
            raise NotFound("No grievance with that id")
        raise Conflict("Only an open grievance can be followed", code="grievance_not_open")
    added = store.follow(g, caller.sub, caller.phone_number, iso(clock.now()))
    count = g.followers_count + 1 if added else (store.get(g.id) or g).followers_count
    return json_response({"grievance_id": g.id, "following": True, "followers_count": count})


@app.delete("/grievances/{grievance_id}/follow", status_code=204)
def unfollow(grievance_id: str, caller: CitizenCaller) -> Response:
    g = find(grievance_id)
    if not store.unfollow(g.id, caller.sub):
        raise NotFound("You do not follow this grievance")
    return Response(status_code=204)


@app.post("/grievances/{grievance_id}/feedback", response_model=GrievanceView)
def feedback(grievance_id: str, body: FeedbackBody, caller: CitizenCaller, clock: Now) -> Response:
    g = owned(grievance_id, caller)
    now = clock.now()
    change = domain.give_feedback(g, rating=body.rating, comment=body.comment, now=now)
    saved = store.save(change, g)
    announce(change)
    return json_response(detail(saved, "owner", caller, now))


@app.post("/grievances/{grievance_id}/reopen", response_model=GrievanceView)
def reopen(grievance_id: str, body: ReopenBody, caller: CitizenCaller, clock: Now) -> Response:
    g = owned(grievance_id, caller)
    now = clock.now()
    change = domain.reopen(g, reason=body.reason, sla_hours=reference.category(g.category).sla_hours, now=now)
    saved = store.save(change, g)
    announce(change)
    return json_response(detail(saved, "owner", caller, now))


# --- staff ---------------------------------------------------------------------------------------


def scoped_ward(caller: Caller, ward: str | None) -> str | None:
    """A ward officer works in their own ward only: none given means theirs, another is 403."""
    if caller.is_ward_officer:
        if ward is not None and ward != caller.ward:
            raise Forbidden("Ward officers see only their own ward")
        return caller.ward
    return ward


@app.get("/staff/grievances", response_model=Page[QueueItem])
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
    ward = scoped_ward(caller, ward)
    filters = {"status": status, "ward": ward, "department": department, "category": category, "overdue": overdue}
    position = cursors.decode(cursor, "/staff/grievances", filters | {"limit": limit})
    now = clock.now()
    page: list[domain.Grievance] = []
    after: str | None = None
    # a category implies its department: with another department nothing matches, and nothing is read
    if category is None or department in (None, reference.category(category).department_id):
        wanted = store.QueueFilter(status, ward, department, category, overdue)
        page, after = store.queue_page(wanted, iso(now), position["after"] if position else None, limit)
    items = [shaped(QueueItem, g, overdue=g.overdue(now)) for g in page]
    next_cursor = cursors.encode({"after": after} if after else None, "/staff/grievances", filters | {"limit": limit})
    return json_response({"items": items, "next_cursor": next_cursor})


@app.patch("/staff/grievances/{grievance_id}", response_model=GrievanceView)
def staff_update(grievance_id: str, change: StaffChange, caller: StaffCaller, clock: Now) -> Response:
    g = find(grievance_id)
    if not caller.covers_ward(g.ward):
        raise NotFound("No grievance with that id")
    now = clock.now()
    applied = domain.staff_change(g, status=change.status, assignee=change.assignee, note=change.note, now=now)
    saved = store.save(applied, g)
    announce(applied)
    relation = relation_of(saved, caller) or "staff"
    return json_response(detail(saved, relation, caller, now))


@app.get("/staff/grievances/stats", response_model=StatsView)
def staff_stats(caller: StaffCaller, clock: Now, ward: Ward | None = None) -> Response:
    ward = scoped_ward(caller, ward)
    now = clock.now()
    counters = store.counters(ward)
    wards = [ward] if ward else list(reference.WARDS)
    departments = sorted(reference.departments())

    def by_status(keep: Any) -> dict[str, int]:
        totals: dict[str, int] = dict.fromkeys(domain.STATUSES, 0)
        for (w, d, s), count in counters.by_key.items():
            if keep(w, d) and s in totals:
                totals[s] += count
        return totals

    resolved = sum(r for r, _ in counters.sla.values())
    within = sum(w for _, w in counters.sla.values())
    overall = by_status(lambda w, d: True)
    stats = {
        "as_of": iso(now),
        "ward": ward,
        "total": sum(overall.values()),
        "by_status": overall,
        "by_ward": [{"ward": w, "by_status": by_status(lambda cw, d, w=w: cw == w)} for w in wards],
        "by_department": [{"department": d, "by_status": by_status(lambda w, cd, d=d: cd == d)} for d in departments],
        "overdue": store.overdue_count(ward, iso(now)),
        "sla": {
            "resolved": resolved,
            "resolved_within_sla": within,
            "compliance_pct": domain.compliance_pct(resolved, within),
        },
    }
    return json_response(StatsView.model_validate(stats).model_dump(mode="json"))


reference.load()  # at init: no request pays for it, and SnapStart's snapshot holds it
handler = lambda_handler(app, "grievance", logger)
