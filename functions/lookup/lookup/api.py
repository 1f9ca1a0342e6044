"""Lookup HTTP API (API.md section 2): public reads with ETags, admin writes of reference data.

Routes only parse, authorize, call the domain and the store, and shape the reply."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from lookup import domain, store, wards
from lookup.models import (
    CityUpdateCreate,
    CityUpdatePatch,
    CityUpdateView,
    ContactIn,
    ContactView,
    DepartmentView,
    FacilityCategoryView,
    FacilityIn,
    FacilityView,
    OfficeIn,
    OfficeType,
    OfficeView,
    UpdateCategory,
    UpdateStatus,
    WardOfficeView,
    WardView,
    WhoIn,
    WhoView,
    WithdrawBody,
)
from pmc_common import access, geo, ids
from pmc_common.app import Now, Query, Request, Response, create_app, lambda_handler
from pmc_common.auth import AdminCaller, StaffCaller
from pmc_common.caching import cached_json, etag_of, render, require_current
from pmc_common.clock import iso
from pmc_common.errors import Invalid, NotFound
from pmc_common.models import Slug, Ward
from pmc_common.paging import Cursors, Page
from pmc_common.settings import CommonSettings, load
from pmc_common.views import json_response, shaped

REFERENCE_MAX_AGE = 300
UPDATES_MAX_AGE = 60  # API.md 2.1: city updates change within the hour (a cut announced, withdrawn)
WARDS_MAX_AGE = 86_400  # ward boundaries change with a PMC reorganisation, not daily (issue 16)
DEFAULT_RADIUS_M = 2_000  # API.md 2.3


settings = load(CommonSettings)
cursors = Cursors(settings.cursor_secret)
logger = Logger(service="lookup")
app = create_app("lookup", "PuneConnect lookup", logger)


def envelope(items: list[dict[str, Any]], next_cursor: str | None = None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}


def known_category(category: str) -> bool:
    return store.exists("facility_category", category)


# --- public reads -------------------------------------------------------------------------------


@app.get("/emergency-numbers", response_model=Page[ContactView], name="list_emergency_numbers")
def emergency_numbers(request: Request) -> Response:
    contacts = sorted(store.all_of("contact"), key=domain.contacts_order)
    return cached_json(request, envelope([shaped(ContactView, c) for c in contacts]), REFERENCE_MAX_AGE)


@app.get("/departments", response_model=Page[DepartmentView], name="list_departments")
def departments(request: Request) -> Response:
    found = sorted(store.all_of("department"), key=domain.departments_order)
    return cached_json(request, envelope([shaped(DepartmentView, d) for d in found]), REFERENCE_MAX_AGE)


@app.get("/offices", response_model=Page[OfficeView], name="list_offices")
def offices(request: Request, type: OfficeType | None = None, ward: Ward | None = None) -> Response:
    found = [
        o for o in store.all_of("office") if (type is None or o["type"] == type) and (ward is None or o["ward"] == ward)
    ]
    found.sort(key=domain.offices_order)
    return cached_json(request, envelope([shaped(OfficeView, o) for o in found]), REFERENCE_MAX_AGE)


@app.get("/offices/{office_id}", response_model=OfficeView, name="get_office")
def office(request: Request, office_id: str) -> Response:
    return cached_json(request, shaped(OfficeView, _read("office", "OFF", office_id).doc), REFERENCE_MAX_AGE)


@app.get("/facility-categories", response_model=Page[FacilityCategoryView], name="list_facility_categories")
def facility_categories(request: Request) -> Response:
    found = sorted(store.all_of("facility_category"), key=lambda c: c["id"])
    return cached_json(request, envelope([shaped(FacilityCategoryView, c) for c in found]), REFERENCE_MAX_AGE)


@app.get("/whos-who", response_model=Page[WhoView], name="list_whos_who")
def whos_who(request: Request, ward: Ward | None = None, department: Slug | None = None) -> Response:
    if department is not None and not store.exists("department", department):
        raise Invalid.of("query.department", "unknown department")
    found = [
        w
        for w in store.all_of("whos_who")
        if (ward is None or w["ward"] == ward) and (department is None or w["department_id"] == department)
    ]
    found.sort(key=lambda w: (w["sort"], w["id"]))
    return cached_json(request, envelope([shaped(WhoView, w) for w in found]), REFERENCE_MAX_AGE)


@app.get(
    "/facilities",
    response_model=Page[FacilityView],
    name="list_facilities",
    responses={422: [geo.LOCATION_OUTSIDE_PUNE]},
)
def facilities(
    request: Request,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius_m: Annotated[int | None, Query(ge=1, le=10_000)] = None,
    category: Annotated[str | None, Query(max_length=48)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    if (lat is None) != (lng is None):
        raise Invalid.of("query", "lat and lng must be given together")
    if lat is not None and lng is not None:
        if cursor:
            raise Invalid.of("query.cursor", "a nearest-first search has a single page")
        radius = radius_m or DEFAULT_RADIUS_M
        # before any read: outside the Pune region is a 422, and no search meets more than MAX_CELLS cells
        _, cells = domain.search_cells(lat, lng, radius)
        _check_category(category)
        page = _nearest(lat, lng, radius, cells, category, limit)
    else:
        if radius_m is not None:
            raise Invalid.of("query.radius_m", "needs lat and lng")
        _check_category(category)
        page = _by_id(category, limit, cursor)
    return cached_json(request, page, REFERENCE_MAX_AGE)


def _check_category(category: str | None) -> None:
    if category is not None and not known_category(category):
        raise Invalid.of("query.category", "unknown facility category")


def _nearest(
    lat: float, lng: float, radius_m: int, cells: set[str], category: str | None, limit: int
) -> dict[str, Any]:
    found = store.nearest_facilities(lat, lng, radius_m, category, limit, cells).found  # nearest first
    return envelope([shaped(FacilityView, f, distance_m=metres) for metres, f in found])


def _by_id(category: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
    filters = {"category": category, "limit": limit}
    start = cursors.decode(cursor, "/facilities", filters)
    docs, last = store.facilities_page(category, limit, start)
    return envelope([shaped(FacilityView, d) for d in docs], cursors.encode(last, "/facilities", filters))


@app.get("/facilities/{facility_id}", response_model=FacilityView, name="get_facility")
def facility(request: Request, facility_id: str) -> Response:
    return cached_json(request, shaped(FacilityView, _read(store.FACILITY, "FAC", facility_id).doc), REFERENCE_MAX_AGE)


@app.get("/wards", response_model=Page[WardView], name="list_wards")
def ward_list(request: Request, detail: wards.Detail = "simplified") -> Response:
    """The 15 wards, W01..W15: boundaries simplified for phones unless `detail=full`."""
    offices = wards.offices_by_ward(store.all_of("office"))
    items = [_ward_view(w, offices) for w in wards.wards(detail).values()]
    return cached_json(request, envelope(items), WARDS_MAX_AGE)


@app.get("/wards/{ward}", response_model=WardView, name="get_ward")
def ward(request: Request, ward: str, detail: wards.Detail = "simplified") -> Response:
    found = wards.wards(detail).get(ward)  # W16, w07 and anything else: as unknown as a missing id
    if found is None:
        raise NotFound("No ward with that code")
    offices = wards.offices_by_ward(store.all_of("office"))
    return cached_json(request, _ward_view(found, offices), WARDS_MAX_AGE)


def _ward_view(ward: wards.Ward, offices: dict[str, dict[str, Any]]) -> dict[str, Any]:
    office = offices.get(ward.code)
    return shaped(WardView, ward, office=shaped(WardOfficeView, office) if office else None)


def _read(kind: str, prefix: str, item_id: str) -> store.Stored:
    """An item by a path id: a malformed id is as unknown as a missing one (404, never 422)."""
    found = store.get(kind, item_id) if ids.is_id(prefix, item_id) else None
    if found is None:
        raise NotFound(f"No {kind.replace('_', ' ')} with that id")
    return found


# --- city updates (API.md 2.4) ------------------------------------------------------------------


@app.get("/city-updates", response_model=Page[CityUpdateView], name="list_city_updates")
def city_updates(
    request: Request,
    clock: Now,
    ward: Ward | None = None,
    category: UpdateCategory | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    """Active updates, newest start first: a ward's and the city-wide ones, or every ward's without `ward`."""
    filters = {"ward": ward, "category": category, "limit": limit}
    after = _position(cursors.decode(cursor, "/city-updates", filters))
    now = clock.now()
    docs, last = store.live_page(
        domain.audiences(ward),
        domain.live_since(now),
        iso(now),
        lambda d: domain.listed(d, category, now),
        limit,
        after,
    )
    page = envelope([_update_view(d, now) for d in docs], _cursor(last, "/city-updates", filters))
    return cached_json(request, page, UPDATES_MAX_AGE)


@app.get("/city-updates/{update_id}", response_model=CityUpdateView, name="get_city_update")
def city_update(request: Request, update_id: str, clock: Now) -> Response:
    """One update while it is active; scheduled, ended, withdrawn and unknown ones are the same 404."""
    view = _update_view(_read(store.CITY_UPDATE, "UPD", update_id).doc, clock.now())
    if view["status"] != "active":
        raise NotFound("No active city update with that id")
    return cached_json(request, view, UPDATES_MAX_AGE)


@app.get("/staff/city-updates", response_model=Page[CityUpdateView], name="list_staff_city_updates")
def staff_city_updates(
    caller: StaffCaller,
    clock: Now,
    ward: Ward | None = None,
    status: UpdateStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Response:
    """Updates of any status, newest created first: a ward's own (a ward officer's always), or all."""
    scope = access.ward_filter(caller, ward)  # a ward officer asking for another ward: 403
    filters = {"ward": scope, "status": status, "limit": limit}
    after = _position(cursors.decode(cursor, "/staff/city-updates", filters))
    now = clock.now()
    docs, last = store.staff_page(scope or domain.ALL_WARDS, lambda d: domain.in_status(d, status, now), limit, after)
    return json_response(envelope([_update_view(d, now) for d in docs], _cursor(last, "/staff/city-updates", filters)))


@app.post("/city-updates", status_code=201, response_model=CityUpdateView, name="publish_city_update")
def publish_city_update(body: CityUpdateCreate, caller: StaffCaller, clock: Now) -> Response:
    now = clock.now()
    fields = body.model_dump()
    doc = store.create_update(lambda: domain.to_doc(domain.publish(ids.new_id("UPD"), fields, caller, now)))
    return _update_written(doc, now, 201, location=f"/city-updates/{doc['id']}")


@app.patch(
    "/city-updates/{update_id}",
    response_model=CityUpdateView,
    name="edit_city_update",
    responses={409: ["update_withdrawn", "update_ended"]},
)
def edit_city_update(
    request: Request, update_id: str, body: CityUpdatePatch, caller: StaffCaller, clock: Now
) -> Response:
    """A merge patch, re-validated whole; If-Match optional (the ETag of the update as served now)."""
    read = _read(store.CITY_UPDATE, "UPD", update_id)
    now = clock.now()
    require_current(request, etag_of(render(_update_view(read.doc, now))))
    changed = domain.edit(domain.from_doc(read.doc, now), body.changes(), caller, now)
    if changed is None:
        return _update_written(read.doc, now, 200)
    doc = domain.to_doc(changed)
    store.save_update(read, doc)
    return _update_written(doc, now, 200)


@app.post(
    "/city-updates/{update_id}/withdraw",
    response_model=CityUpdateView,
    name="withdraw_city_update",
    responses={409: ["update_ended"]},
)
def withdraw_city_update(update_id: str, caller: StaffCaller, clock: Now, body: WithdrawBody | None = None) -> Response:
    """Off the public list at once; withdrawing again answers the update unchanged."""
    read = _read(store.CITY_UPDATE, "UPD", update_id)
    now = clock.now()
    withdrawn = domain.withdraw(domain.from_doc(read.doc, now), body.reason if body else None, caller, now)
    if withdrawn is None:
        return _update_written(read.doc, now, 200)
    doc = domain.to_doc(withdrawn)
    store.save_update(read, doc)
    return _update_written(doc, now, 200)


def _update_view(doc: dict[str, Any], now: datetime) -> dict[str, Any]:
    return shaped(CityUpdateView, domain.view_of(doc, now))


def _update_written(doc: dict[str, Any], now: datetime, status: int, location: str | None = None) -> Response:
    body = render(_update_view(doc, now))
    headers = {"ETag": etag_of(body)} | ({"Location": location} if location else {})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _position(start: dict[str, Any] | None) -> str | None:
    return str(start["sk"]) if start and isinstance(start.get("sk"), str) else None


def _cursor(last: str | None, route: str, filters: dict[str, Any]) -> str | None:
    return cursors.encode({"sk": last} if last else None, route, filters)


# --- admin writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """One admin-editable kind of reference data: its path, id prefix, shapes and reference checks, and the
    one name of its path's id (the public GET's, in every route of the path)."""

    kind: str
    path: str
    id_name: str
    prefix: str
    body: type[BaseModel]
    view: type[BaseModel]
    check: Callable[[dict[str, Any]], None]


def _check_facility(doc: dict[str, Any]) -> None:
    if not known_category(doc["category"]):
        raise Invalid.of("body.category", "unknown facility category")


def _check_who(doc: dict[str, Any]) -> None:
    if doc["department_id"] is not None and not store.exists("department", doc["department_id"]):
        raise Invalid.of("body.department_id", "unknown department")
    if doc["office_id"] is not None and not (
        ids.is_id("OFF", doc["office_id"]) and store.exists("office", doc["office_id"])
    ):
        raise Invalid.of("body.office_id", "unknown office")


COLLECTIONS = (
    Collection(store.FACILITY, "/facilities", "facility_id", "FAC", FacilityIn, FacilityView, _check_facility),
    Collection("office", "/offices", "office_id", "OFF", OfficeIn, OfficeView, domain.check_office),
    Collection("contact", "/emergency-numbers", "contact_id", "CON", ContactIn, ContactView, lambda doc: None),
    Collection("whos_who", "/whos-who", "whos_who_id", "WHO", WhoIn, WhoView, _check_who),
)


def _written(collection: Collection, doc: dict[str, Any], status: int, location: str | None = None) -> Response:
    body = render(shaped(collection.view, doc))
    headers = {"ETag": etag_of(body)} | ({"Location": location} if location else {})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _current_etag(collection: Collection, read: store.Stored) -> str:
    return etag_of(render(shaped(collection.view, read.doc)))


def register(collection: Collection) -> None:
    """The POST, PUT and DELETE routes of one collection (API.md 2.1, admin writes)."""
    item_path = collection.path + "/{" + collection.id_name + "}"

    def create(body: BaseModel, caller: AdminCaller, clock: Now) -> Response:
        fields = body.model_dump(mode="json")
        collection.check(fields)
        doc = store.create(collection.kind, collection.prefix, {**fields, "updated_at": iso(clock.now())})
        return _written(collection, doc, 201, location=f"{collection.path}/{doc['id']}")

    def replace(request: Request, item_id: str, body: BaseModel, caller: AdminCaller, clock: Now) -> Response:
        read = _read(collection.kind, collection.prefix, item_id)
        require_current(request, _current_etag(collection, read))
        fields = body.model_dump(mode="json")
        collection.check(fields)
        doc = {"id": item_id, **fields, "updated_at": iso(clock.now())}
        store.replace(collection.kind, doc, read)
        return _written(collection, doc, 200)

    def delete(request: Request, item_id: str, caller: AdminCaller) -> Response:
        read = _read(collection.kind, collection.prefix, item_id)
        require_current(request, _current_etag(collection, read))
        store.delete(collection.kind, item_id, read)
        return Response(status_code=204)

    # The app reads the body's model from the annotation: give each route its collection's model.
    create.__annotations__["body"] = replace.__annotations__["body"] = collection.body
    name = collection.kind
    app.post(collection.path, status_code=201, response_model=collection.view, name=f"create_{name}")(create)
    app.put(item_path, response_model=collection.view, name=f"replace_{name}")(_path_id(collection.id_name, replace))
    app.delete(item_path, status_code=204, name=f"delete_{name}")(_path_id(collection.id_name, delete))


def _path_id(id_name: str, route: Callable[..., Response]) -> Callable[..., Response]:
    """`route` taking its `item_id` as `id_name`, the path's one name for the id (the app matches a path
    parameter to the route's parameter of that name)."""
    signature = inspect.signature(route)

    def renamed(**arguments: Any) -> Response:
        arguments["item_id"] = arguments.pop(id_name)
        return route(**arguments)

    parameters = [p.replace(name=id_name) if p.name == "item_id" else p for p in signature.parameters.values()]
    renamed.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    renamed.__annotations__ = {id_name if k == "item_id" else k: v for k, v in route.__annotations__.items()}
    renamed.__wrapped__ = route  # type: ignore[attr-defined]  # what it calls, for the OpenAPI
    renamed.__name__ = route.__name__
    return renamed


for _collection in COLLECTIONS:
    register(_collection)

wards.load()  # at init: no request pays for it, and SnapStart's snapshot holds it
handler = lambda_handler(app, "lookup", logger)
